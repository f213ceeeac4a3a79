"""'Where is it' answers exactly what a brute-force scan of every outlet would answer.

Several hundred generated outlets (a dense cloud around Shanghai, a sparse one across China, a
pile of outlets on the very same spot, and rings at exact distances from a centre), random stock
with reservations and safety stock, and a few hundred seeded random questions. The selector
(a bounding-box query, then exact distances) must return the same outlets in the same order as
haversine over all outlets in Python: nearest first, ties by outlet id, inactive outlets never,
and with ``online`` the safety stock left for the counter. The HTTP endpoint answers the same.
"""

import math
import random
from dataclasses import dataclass

import pytest

from omnipoint.core.geo import EARTH_RADIUS_KM, haversine_km
from omnipoint.inventory.models import StockLevel
from omnipoint.inventory.selectors import MAX_RADIUS_KM, stock_nearby
from omnipoint.outlets.models import Outlet, OutletKind, Region

pytestmark = pytest.mark.django_db

SHANGHAI = (31.2304, 121.4737)
RINGS_KM = [0.5, 1, 5, 10, 50, 120, MAX_RADIUS_KM]
LIMIT = 200


@dataclass(frozen=True)
class Place:
    id: int
    lat: float
    lng: float
    active: bool
    on_hand: int
    reserved: int
    safety: int


def destination(lat: float, lng: float, km: float, bearing_deg: float) -> tuple[float, float]:
    """The point ``km`` along a great circle from (lat, lng) at ``bearing_deg``."""
    d, b = km / EARTH_RADIUS_KM, math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lng)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180


@pytest.fixture
def places(network):
    """The generated outlets and their stock of one SKU (the network's own four included)."""
    rng = random.Random(20240601)
    region = Region.objects.get(code="310101")
    points: list[tuple[float, float]] = []
    points += [(rng.gauss(SHANGHAI[0], 0.4), rng.gauss(SHANGHAI[1], 0.5)) for _ in range(250)]
    points += [(rng.uniform(18, 53), rng.uniform(73, 135)) for _ in range(100)]
    points += [(31.0, 121.0)] * 12  # the same spot: order must fall back to the id
    for km in RINGS_KM:
        points += [destination(*SHANGHAI, km, bearing) for bearing in (0, 45, 90, 180, 270, 333)]
    Outlet.objects.bulk_create(
        Outlet(
            code=f"G{i:04d}",
            name=f"generated {i}",
            kind=OutletKind.FRANCHISE,
            region=region,
            region_path=region.path,
            lat=lat,
            lng=lng,
            is_active=rng.random() > 0.15,
        )
        for i, (lat, lng) in enumerate(points)
    )
    sku = network.skus[0]
    rows = []
    for outlet in Outlet.objects.filter(code__startswith="G"):
        if rng.random() < 0.1:
            continue  # never stocked here: no row at all
        on_hand = rng.randint(0, 20)
        reserved = rng.randint(0, on_hand)
        # Rows copy their outlet's coordinates where the model keeps them (as services do).
        coordinates = {"lat": outlet.lat, "lng": outlet.lng} if hasattr(StockLevel, "lat") else {}
        rows.append(
            StockLevel(
                location=outlet,
                sku=sku,
                on_hand=on_hand,
                reserved=reserved,
                safety_stock=rng.randint(0, 5),
                **coordinates,
            )
        )
    StockLevel.objects.bulk_create(rows)
    stock = {r.location_id: r for r in StockLevel.objects.filter(sku=sku)}
    return sku, [
        Place(
            o.pk,
            o.lat,
            o.lng,
            o.is_active,
            stock[o.pk].on_hand if o.pk in stock else 0,
            stock[o.pk].reserved if o.pk in stock else 0,
            stock[o.pk].safety_stock if o.pk in stock else 0,
        )
        for o in Outlet.objects.all()
    ]


def brute_force(places, lat, lng, radius_km, quantity, online, limit=LIMIT) -> list[tuple[int, float, int]]:
    found = []
    for p in places:
        available = p.on_hand - p.reserved - (p.safety if online else 0)
        distance = haversine_km(lat, lng, p.lat, p.lng)
        if p.active and available >= quantity and distance <= radius_km:
            found.append((round(distance, 3), p.id, available))
    found.sort()
    return [(pid, d, avail) for d, pid, avail in found[:limit]]


def selector(sku, lat, lng, radius_km, quantity, online, limit=LIMIT):
    rows = stock_nearby(
        lat=lat, lng=lng, sku_id=sku.pk, quantity=quantity, radius_km=radius_km, limit=limit, online=online
    )
    return [(r.outlet_id, r.distance_km, r.available) for r in rows]


def questions(places, n: int):
    rng = random.Random(7)
    for _ in range(n):
        if rng.random() < 0.6:
            lat, lng = rng.gauss(SHANGHAI[0], 0.5), rng.gauss(SHANGHAI[1], 0.6)
        else:
            lat, lng = rng.uniform(18, 53), rng.uniform(73, 135)
        target = rng.choice(places)
        exact = haversine_km(lat, lng, target.lat, target.lng)
        radius = rng.choice(
            [rng.uniform(0.01, MAX_RADIUS_KM), MAX_RADIUS_KM, 0.001, rng.uniform(1, 30)]
            + ([exact, math.nextafter(exact, 0)] if 0 < exact <= MAX_RADIUS_KM else [])
        )
        yield lat, lng, radius, rng.choice([1, 1, 2, 5, 10, 15, 21]), rng.random() < 0.5


def test_selector_matches_brute_force(places):
    sku, everywhere = places
    asked = 0
    nonempty = 0
    for lat, lng, radius, quantity, online in questions(everywhere, 400):
        expected = brute_force(everywhere, lat, lng, radius, quantity, online)
        assert selector(sku, lat, lng, radius, quantity, online) == expected, (
            lat,
            lng,
            radius,
            quantity,
            online,
        )
        asked += 1
        nonempty += bool(expected)
    assert asked == 400 and nonempty > 150  # the questions really found outlets


@pytest.mark.parametrize("online", [False, True])
def test_the_rings_are_inside_at_their_exact_radius_and_outside_just_below(places, online):
    """An outlet exactly on the circle is in; a hair inside the radius it is out. Due north and
    south are where a bounding box that is too tight would drop it."""
    sku, everywhere = places
    rng = random.Random(3)
    for p in everywhere:
        distance = haversine_km(*SHANGHAI, p.lat, p.lng)
        if not 0 < distance <= MAX_RADIUS_KM or not any(abs(distance - r) < 1e-6 for r in RINGS_KM):
            continue
        for radius in (distance, math.nextafter(distance, 0), math.nextafter(distance, math.inf)):
            if radius > MAX_RADIUS_KM:
                continue
            quantity = rng.choice([1, 3])
            expected = brute_force(everywhere, *SHANGHAI, radius, quantity, online)
            assert selector(sku, *SHANGHAI, radius, quantity, online) == expected, (p, radius)


def test_same_spot_orders_by_outlet_id(places):
    sku, everywhere = places
    here = [r for r in selector(sku, 31.0, 121.0, 0.001, 1, False)]
    assert len(here) >= 5
    assert [r[0] for r in here] == sorted(r[0] for r in here)
    assert {r[1] for r in here} == {0.0}


def test_online_leaves_safety_stock_and_inactive_outlets_never_count(places):
    sku, everywhere = places
    near = selector(sku, *SHANGHAI, 50, 1, False)
    online = selector(sku, *SHANGHAI, 50, 1, True)
    assert {r[0] for r in online} < {r[0] for r in near}  # safety stock hides some
    inactive = {p.id for p in everywhere if not p.active}
    assert inactive and not inactive & {r[0] for r in near}
    by_id = {p.id: p for p in everywhere}
    for pid, _, available in online:
        assert available == by_id[pid].on_hand - by_id[pid].reserved - by_id[pid].safety


def test_limit_keeps_the_nearest(places):
    sku, everywhere = places
    for limit in (1, 7, 50):
        expected = brute_force(everywhere, *SHANGHAI, MAX_RADIUS_KM, 1, False, limit=limit)
        assert selector(sku, *SHANGHAI, MAX_RADIUS_KM, 1, False, limit=limit) == expected


def test_the_endpoint_answers_the_same(client, network, places):
    sku, everywhere = places
    headers = network.auth("outlet_clerk")
    for lat, lng, radius, quantity, _ in list(questions(everywhere, 60)):
        params = {
            "sku_id": sku.pk,
            "lat": lat,
            "lng": lng,
            "radius_km": radius,
            "quantity": quantity,
            "limit": 200,
        }
        resp = client.get("/api/v1/inventory/nearby", params, **headers)
        assert resp.status_code == 200, resp.content
        got = [(r["outlet_id"], r["distance_km"], r["available"]) for r in resp.json()]
        assert got == brute_force(everywhere, lat, lng, radius, quantity, False)


def test_anyone_may_ask_and_gets_what_the_storefront_shows(client, network, places, member_headers):
    """Public, like the storefront (before: 401 to anyone not logged in): a customer, signed in
    or not, gets what can be bought online (safety stock left for the counter); asking near "my
    outlet" needs a staff login."""
    sku, everywhere = places
    for lat, lng, radius, quantity, _ in list(questions(everywhere, 20)):
        params = {
            "sku_id": sku.pk,
            "lat": lat,
            "lng": lng,
            "radius_km": radius,
            "quantity": quantity,
            "limit": 200,
        }
        for headers in ({}, member_headers, {"HTTP_AUTHORIZATION": "Bearer not-a-token"}):
            resp = client.get("/api/v1/inventory/nearby", params, **headers)
            assert resp.status_code == 200, resp.content
            got = [(r["outlet_id"], r["distance_km"], r["available"]) for r in resp.json()]
            assert got == brute_force(everywhere, lat, lng, radius, quantity, True)
    near_mine = client.get("/api/v1/inventory/nearby", {"sku_id": sku.pk, "outlet_id": network.a.pk})
    assert near_mine.status_code == 401 and near_mine.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "params,code",
    [
        ({"radius_km": 0}, "invalid_radius"),
        ({"radius_km": -1}, "invalid_radius"),
        ({"radius_km": MAX_RADIUS_KM + 0.001}, "invalid_radius"),
        ({"lat": 90.5}, "invalid_coordinates"),
        ({"lng": -180.01}, "invalid_coordinates"),
        ({"quantity": 0}, "invalid_quantity"),
        ({"quantity": 1_000_001}, "invalid_quantity"),
        ({"lat": None, "lng": None}, "point_required"),
    ],
)
def test_bad_questions_are_422(client, network, params, code):
    query = {"sku_id": network.skus[0].pk, "lat": 31.2, "lng": 121.4, **params}
    query = {k: v for k, v in query.items() if v is not None}
    resp = client.get("/api/v1/inventory/nearby", query, **network.auth("hq_admin"))
    assert resp.status_code == 422 and resp.json()["code"] == code, resp.content
