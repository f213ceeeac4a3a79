"""Distances on the earth, for "where is it" and routing. Pure functions, no ORM."""

import math

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_KM / 180
BOX_MARGIN_DEG = 1e-9


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lng: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) that contains every point within radius_km.

    Generous by construction (it uses the widest longitude span inside the box), so a prefilter
    on it never drops a point the exact distance would keep.
    """
    # The margin (about 0.1 mm) absorbs rounding: a point due north at exactly radius_km came out
    # one unit in the last place beyond lat + dlat, and the prefilter dropped it.
    dlat = radius_km / KM_PER_DEGREE_LAT + BOX_MARGIN_DEG
    widest = max(abs(lat - dlat), abs(lat + dlat))
    cos_lat = math.cos(math.radians(min(widest, 89.9)))
    dlng = min(180.0, radius_km / (KM_PER_DEGREE_LAT * cos_lat) + BOX_MARGIN_DEG)
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng
