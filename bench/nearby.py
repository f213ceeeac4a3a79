""" "Where is it": latency of ``stock_nearby`` on a country-sized network, next to a naive scan.

The data set is generated once (seeded, so it is the same every time) and kept: outlets spread
over every district of China, with a denser cluster around Shanghai, each stocking a few of the
benchmark SKUs. The stock rows are written directly (COPY on PostgreSQL), not through the ledger:
this data exists to be searched, not sold.

- real: ``omnipoint.inventory.selectors.stock_nearby``.
- naive: every stock row of the SKU with its outlet, filtered by haversine distance in Python.
"""

import math
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from bench.stats import percentile

SHANGHAI = (31.23, 121.47)
SHANGHAI_SHARE = 0.15  # of all outlets, in a cluster around the city centre
OPENING_REFERENCE = "bench opening stock"
KINDS = ["self_operated", "franchise", "post_office", "agent_point", "rural_point", "experience"]


@dataclass(frozen=True)
class Size:
    tag: str  # prefix of outlet and SKU codes: one data set per size
    outlets: int
    skus: int
    per_outlet: int  # SKUs stocked at each outlet

    @property
    def stock_rows(self) -> int:
        return self.outlets * self.per_outlet


FULL = Size("BF", outlets=100_000, skus=50, per_outlet=10)
QUICK = Size("BQ", outlets=2_000, skus=10, per_outlet=5)


@dataclass
class Dataset:
    size: Size
    sku_ids: list[int]
    anchors: list[tuple[float, float]]  # outlet coordinates, where users search from
    built: bool  # False when an existing data set was reused
    build_seconds: float = 0.0


@dataclass(frozen=True)
class Query:
    lat: float
    lng: float
    sku_id: int
    radius_km: float
    in_shanghai: bool


@dataclass
class LatencyResult:
    impl: str
    label: str
    latencies_ms: list[float] = field(default_factory=list)
    rows_found: int = 0


# --- data ---------------------------------------------------------------------------------------


def _copy_or_bulk(model: type[Model], rows: Iterable[dict[str, Any]], batch: int = 10_000) -> None:
    """COPY on PostgreSQL; bulk_create in batches elsewhere (the smoke test on SQLite)."""
    if connection.vendor == "postgresql":
        from psycopg import sql

        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return
        cols = list(first)
        stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, cols))
        )
        with connection.cursor() as cur, cur.cursor.copy(stmt) as copy:
            copy.write_row([first[c] for c in cols])
            for row in rows:
                copy.write_row([row[c] for c in cols])
        return
    chunk: list[Model] = []
    for row in rows:
        chunk.append(model(**row))
        if len(chunk) >= batch:
            model.objects.bulk_create(chunk)  # type: ignore[attr-defined]
            chunk = []
    if chunk:
        model.objects.bulk_create(chunk)  # type: ignore[attr-defined]


def _outlet_rows(size: Size, rng: random.Random) -> Iterator[dict[str, Any]]:
    from omnipoint.outlets.models import Region

    districts = list(Region.objects.filter(level="district").values_list("pk", "path", "lat", "lng"))
    shanghai = [d for d in districts if d[1].startswith("/31/")]
    for i in range(size.outlets):
        if rng.random() < SHANGHAI_SHARE:
            lat, lng = rng.gauss(SHANGHAI[0], 0.15), rng.gauss(SHANGHAI[1], 0.18)
            region_id, path, _, _ = min(shanghai, key=lambda d: (d[2] - lat) ** 2 + (d[3] - lng) ** 2)
        else:
            region_id, path, dlat, dlng = rng.choice(districts)
            lat, lng = dlat + rng.gauss(0, 0.05), dlng + rng.gauss(0, 0.05)
        yield {
            "code": f"{size.tag}-{i:06d}",
            "name": f"Bench outlet {i}",
            "kind": rng.choice(KINDS),
            "region_id": region_id,
            "region_path": path,
            "address": "",
            "lat": round(lat, 6),
            "lng": round(lng, 6),
            "opening_hours": "09:00-21:00",
            "sells_at_counter": True,
            "pickup_point": rng.random() < 0.3,
            "ships_from_store": False,
            "delivery_radius_km": 0,
            "is_active": rng.random() < 0.97,
        }


def _stock_rows(
    outlets: list[tuple[int, float, float]], sku_ids: list[int], size: Size, rng: random.Random
) -> Iterator[dict]:
    """Stock rows with their outlet's coordinates (as the services write them), nothing reserved."""
    for outlet_id, lat, lng in outlets:
        for sku_id in rng.sample(sku_ids, size.per_outlet):
            yield {
                "location_id": outlet_id,
                "sku_id": sku_id,
                "on_hand": rng.randint(0, 20),
                "reserved": 0,
                "safety_stock": rng.choice([0, 0, 1, 2]),
                "lat": lat,
                "lng": lng,
            }


def _opening_movements(stock: Iterable[tuple[int, int, int]], created_at: Any) -> Iterator[dict]:
    """One RECEIPT per non-empty row, so the stock books of the data set hold (check_inventory)."""
    for location_id, sku_id, on_hand in stock:
        if on_hand:
            yield {
                "location_id": location_id,
                "sku_id": sku_id,
                "kind": "receipt",
                "quantity": on_hand,
                "reference": OPENING_REFERENCE,
                "created_at": created_at,
            }


def dataset_ensure(size: Size, *, seed: int = 20240601) -> Dataset:
    """Reuse the data set when it is complete; otherwise (re)build it."""
    from omnipoint.catalog.models import Category, Product, Sku
    from omnipoint.inventory.models import StockLevel, StockMovement
    from omnipoint.outlets.models import Outlet

    outlets = Outlet.objects.filter(code__startswith=f"{size.tag}-")
    skus = Sku.objects.filter(code__startswith=f"{size.tag}-SKU-")
    stock = StockLevel.objects.filter(sku__in=skus)
    movements = StockMovement.objects.filter(sku__in=skus)
    t0 = time.perf_counter()
    built = not (
        outlets.count() == size.outlets
        and skus.count() == size.skus
        and stock.count() == size.stock_rows
        and movements.filter(reference=OPENING_REFERENCE).exists()
    )
    if built:
        rng = random.Random(seed)
        with transaction.atomic():
            movements.delete()
            stock.delete()
            outlets.delete()
            category, _ = Category.objects.get_or_create(code="bench", defaults={"name": "Benchmark"})
            product, _ = Product.objects.get_or_create(
                code="BENCH-P", defaults={"name": "Benchmark product", "category": category}
            )
            for n in range(size.skus):
                Sku.objects.get_or_create(code=f"{size.tag}-SKU-{n:03d}", defaults={"product": product})
            _copy_or_bulk(Outlet, _outlet_rows(size, rng))
            located = list(outlets.order_by("code").values_list("pk", "lat", "lng"))
            sku_ids = list(skus.order_by("code").values_list("pk", flat=True))
            _copy_or_bulk(StockLevel, _stock_rows(located, sku_ids, size, rng))
            _copy_or_bulk(
                StockMovement,
                _opening_movements(stock.values_list("location_id", "sku_id", "on_hand"), timezone.now()),
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE outlets_outlet")
                cur.execute("VACUUM ANALYZE inventory_stocklevel")
                cur.execute("VACUUM ANALYZE inventory_stockmovement")
    sku_ids = list(skus.order_by("code").values_list("pk", flat=True))
    anchors = list(outlets.filter(is_active=True).values_list("lat", "lng"))
    return Dataset(size, sku_ids, anchors, built, time.perf_counter() - t0)


def queries(data: Dataset, n: int, *, seed: int = 7) -> list[Query]:
    """Searches from a few hundred metres off a random outlet, radius 5 to 10 km."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        lat, lng = rng.choice(data.anchors)
        lat, lng = lat + rng.gauss(0, 0.004), lng + rng.gauss(0, 0.004)
        near_sh = math.hypot(lat - SHANGHAI[0], lng - SHANGHAI[1]) < 0.6
        out.append(Query(lat, lng, rng.choice(data.sku_ids), round(rng.uniform(5, 10), 2), near_sh))
    return out


# --- the two implementations -----------------------------------------------------------------


def nearby_real(q: Query) -> list[Any]:
    from omnipoint.inventory.selectors import stock_nearby

    return stock_nearby(lat=q.lat, lng=q.lng, sku_id=q.sku_id, radius_km=q.radius_km)


def nearby_naive(q: Query, *, limit: int = 20) -> list[Any]:
    from omnipoint.core.geo import haversine_km
    from omnipoint.inventory.models import StockLevel
    from omnipoint.inventory.selectors import NearbyStock

    found = []
    for row in StockLevel.objects.filter(sku_id=q.sku_id).select_related("location"):
        o = row.location
        if not o.is_active or row.on_hand - row.reserved < 1:
            continue
        distance = haversine_km(q.lat, q.lng, o.lat, o.lng)
        if distance <= q.radius_km:
            found.append(
                NearbyStock(o.pk, o.code, o.name, o.kind, o.lat, o.lng, round(distance, 3), row.available)
            )
    found.sort(key=lambda s: (s.distance_km, s.outlet_id))
    return found[:limit]


def nearby_outlet_box(q: Query, *, limit: int = 20) -> list[Any]:
    """The query ``stock_nearby`` ran before stock rows carried coordinates: the outlets in the
    bounding box (index on Outlet(lat, lng)) joined to the SKU's stock row of each."""
    from django.db.models import F

    from omnipoint.core.geo import bounding_box, haversine_km
    from omnipoint.inventory.models import StockLevel
    from omnipoint.inventory.selectors import NearbyStock

    min_lat, max_lat, min_lng, max_lng = bounding_box(q.lat, q.lng, q.radius_km)
    rows = StockLevel.objects.filter(
        sku_id=q.sku_id,
        on_hand__gte=F("reserved") + 1,
        location__is_active=True,
        location__lat__range=(min_lat, max_lat),
        location__lng__range=(min_lng, max_lng),
    ).values_list(
        "location_id",
        "location__code",
        "location__name",
        "location__kind",
        "location__lat",
        "location__lng",
        "on_hand",
        "reserved",
    )
    found = []
    for oid, code, name, kind, olat, olng, on_hand, reserved in rows:
        distance = haversine_km(q.lat, q.lng, olat, olng)
        if distance <= q.radius_km:
            found.append(
                NearbyStock(oid, code, name, kind, olat, olng, round(distance, 3), on_hand - reserved)
            )
    found.sort(key=lambda s: (s.distance_km, s.outlet_id))
    return found[:limit]


Timings = list[tuple[Query, float, int]]
IMPLS = {"real": nearby_real, "naive": nearby_naive, "previous": nearby_outlet_box}


def measure_interleaved(impls: list[str], qs: list[Query], *, warmup: int = 20) -> dict[str, Timings]:
    """Time several implementations on each search in turn, so that a busy spell of the machine
    falls on all of them alike (on a shared machine, p99 is mostly such spells)."""
    for q in qs[:warmup]:
        for impl in impls:
            IMPLS[impl](q)
    out: dict[str, Timings] = {impl: [] for impl in impls}
    for q in qs:
        for impl in impls:
            t0 = time.perf_counter()
            found = IMPLS[impl](q)
            out[impl].append((q, (time.perf_counter() - t0) * 1000, len(found)))
    return out


def measure(impl: str, qs: list[Query], *, warmup: int = 20) -> list[tuple[Query, float, int]]:
    fn = IMPLS[impl]
    for q in qs[:warmup]:
        fn(q)
    out = []
    for q in qs:
        t0 = time.perf_counter()
        found = fn(q)
        out.append((q, (time.perf_counter() - t0) * 1000, len(found)))
    return out


def rows(data: Dataset, real: Timings, naive: Timings, previous: Timings | None = None) -> list:
    """Markdown rows: all searches, then only those in the Shanghai cluster (the densest)."""
    out: list[list[object]] = []
    where = f"{data.size.outlets:,} outlets / {data.size.stock_rows:,} stock rows"
    for label, keep in (("all points", lambda q: True), ("Shanghai cluster", lambda q: q.in_shanghai)):
        r = [(ms, n) for q, ms, n in real if keep(q)]
        v = [(ms, n) for q, ms, n in naive if keep(q)]
        b = [(ms, n) for q, ms, n in previous or [] if keep(q)]
        if not r:
            continue
        r_ms, v_ms = [ms for ms, _ in r], [ms for ms, _ in v]
        for impl, ms_list, found in (
            ("real", r_ms, r),
            ("previous: outlet box join", [ms for ms, _ in b], b),
            ("naive", v_ms, v),
        ):
            if not ms_list:
                continue
            p50, p99 = percentile(ms_list, 50), percentile(ms_list, 99)
            ratio = ""
            if impl == "real" and v_ms:
                ratio = f"{percentile(v_ms, 50) / p50:.0f}x / {percentile(v_ms, 99) / p99:.0f}x"
            out.append(
                [
                    f"where is it, {label} ({impl})",
                    where,
                    len(ms_list),
                    f"{sum(n for _, n in found) / len(found):.1f}",
                    f"{p50:.2f}",
                    f"{p99:.2f}",
                    ratio,
                ]
            )
    return out


HEADER = ["benchmark", "data", "searches", "avg outlets found", "p50 ms", "p99 ms", "naive/real p50 / p99"]
