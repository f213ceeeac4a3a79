"""Reservations per second on one hot SKU: the real service next to a naive lock-check-write.

Both take one unit per call and leave the same rows behind (a reservation, its line, the
stock row's ``reserved`` raised by one). They differ in how the stock row is guarded:

- real: ``omnipoint.inventory.services.stock_reserve``, validation reads outside the
  transaction, then one guarded ``UPDATE ... WHERE on_hand >= reserved + q`` that checks and
  writes in one statement.
- grouped: ``omnipoint.inventory.services.stock_hold``: the same hold through group commit,
  folded with the other workers' holds on the row into one leader's transaction.
- naive: in a transaction, ``SELECT ... FOR UPDATE`` the stock row, check availability in
  Python, ``UPDATE`` it, then insert the reservation and its line: the row lock is held across
  every round trip of the transaction.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from bench.stats import percentile
from bench.workers import run as workers_run

HOT_OUTLET = "BENCH-HOT"
HOT_SKU = "BENCH-HOT-SKU"
HOT_STOCK = 1_000_000  # the service's largest single quantity; far more than any run takes
TTL = timedelta(minutes=15)


@dataclass(frozen=True)
class HotRow:
    location_id: int
    sku_id: int


@dataclass
class RunResult:
    impl: str
    mode: str
    workers: int
    durable: bool
    ops: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0


def hot_row_ensure() -> HotRow:
    """One outlet, one SKU, a million units received through the real service (so the ledger
    agrees), no reservations left from an earlier run."""
    from omnipoint.catalog.models import Category, Product, Sku
    from omnipoint.inventory.models import Reservation, StockLevel
    from omnipoint.inventory.services import stock_receive
    from omnipoint.outlets.domain import SYSTEM
    from omnipoint.outlets.models import Outlet, Region

    region = Region.objects.get(code="310101")
    outlet, _ = Outlet.objects.get_or_create(
        code=HOT_OUTLET,
        defaults={
            "name": "Benchmark hot outlet",
            "kind": "self_operated",
            "region": region,
            "region_path": region.path,
            "lat": region.lat,
            "lng": region.lng,
        },
    )
    category, _ = Category.objects.get_or_create(code="bench", defaults={"name": "Benchmark"})
    product, _ = Product.objects.get_or_create(
        code="BENCH-P", defaults={"name": "Benchmark product", "category": category}
    )
    sku, _ = Sku.objects.get_or_create(code=HOT_SKU, defaults={"product": product})
    hot = HotRow(outlet.pk, sku.pk)
    hot_row_reset(hot)
    row = StockLevel.objects.filter(location_id=outlet.pk, sku_id=sku.pk).first()
    if row is None or row.on_hand < HOT_STOCK // 2:
        stock_receive(
            actor=SYSTEM, location_id=outlet.pk, sku_id=sku.pk, quantity=HOT_STOCK, reference="bench"
        )
    assert not Reservation.objects.filter(lines__sku_id=sku.pk, state="held").exists()
    return hot


def hot_row_reset(hot: HotRow) -> None:
    """Drop the benchmark's reservations and give their stock back (the bench owns this row)."""
    from omnipoint.inventory.models import Reservation, ReservationLine, StockLevel

    with transaction.atomic():
        ids = Reservation.objects.filter(owner_ref__startswith="bench:").values("pk")
        ReservationLine.objects.filter(reservation_id__in=ids).delete()
        Reservation.objects.filter(owner_ref__startswith="bench:").delete()
        StockLevel.objects.filter(location_id=hot.location_id, sku_id=hot.sku_id).update(reserved=0)


def reserve_real(hot: HotRow, owner_ref: str) -> None:
    from omnipoint.inventory.services import stock_reserve
    from omnipoint.outlets.domain import SYSTEM

    stock_reserve(actor=SYSTEM, owner_ref=owner_ref, lines=[(hot.location_id, hot.sku_id, 1)])


def reserve_naive(hot: HotRow, owner_ref: str) -> None:
    from omnipoint.inventory.errors import InsufficientStockError
    from omnipoint.inventory.models import Reservation, ReservationLine, StockLevel

    with transaction.atomic():
        row = (
            StockLevel.objects.select_for_update()
            .only("pk", "on_hand", "reserved", "safety_stock")
            .get(location_id=hot.location_id, sku_id=hot.sku_id)
        )
        if row.on_hand - row.reserved - row.safety_stock < 1:
            raise InsufficientStockError("out of stock")
        StockLevel.objects.filter(pk=row.pk).update(reserved=row.reserved + 1)
        reservation = Reservation.objects.create(owner_ref=owner_ref, expires_at=timezone.now() + TTL)
        ReservationLine.objects.create(
            reservation=reservation, location_id=hot.location_id, sku_id=hot.sku_id, quantity=1
        )


def reserve_grouped(hot: HotRow, owner_ref: str) -> None:
    """``stock_hold``: the same hold through group commit (``inventory.services.holds``)."""
    from omnipoint.inventory.services import stock_hold
    from omnipoint.outlets.domain import SYSTEM

    stock_hold(actor=SYSTEM, owner_ref=owner_ref, lines=[(hot.location_id, hot.sku_id, 1)])


IMPLS: dict[str, Callable[[HotRow, str], None]] = {
    "grouped": reserve_grouped,
    "real": reserve_real,
    "naive": reserve_naive,
}


def run(
    *,
    impl: str,
    mode: str,
    workers: int,
    hot: HotRow,
    seconds: float,
    max_ops: int = 10**9,
    durable: bool = True,
) -> RunResult:
    """Run ``workers`` threads or processes (each with its own connection) against the hot row
    and check afterwards that exactly one unit was reserved per successful call.

    ``durable=False`` sets ``synchronous_commit = off`` in every worker session: commits no
    longer wait for the WAL flush, which shows what the locking protocol itself costs."""
    from omnipoint.inventory.models import StockLevel

    fn = IMPLS[impl]
    tag = f"{impl}-{mode}-{workers}-{int(durable)}-{time.time_ns()}"

    def step(worker: int, n: int) -> int:
        fn(hot, f"bench:{tag}:{worker}:{n}")
        return 1

    sql = [] if durable or connection.vendor != "postgresql" else ["SET synchronous_commit TO off"]
    out = workers_run(step, mode=mode, workers=workers, seconds=seconds, max_calls=max_ops, session_sql=sql)
    result = RunResult(
        impl=impl,
        mode=mode,
        workers=workers,
        durable=durable,
        ops=out.ops,
        seconds=out.seconds,
        latencies_ms=out.latencies_ms,
        errors=out.errors,
    )
    reserved = StockLevel.objects.get(location_id=hot.location_id, sku_id=hot.sku_id).reserved
    if reserved != result.ops:
        result.errors.append(f"reserved={reserved} but {result.ops} reservations succeeded")
    hot_row_reset(hot)
    return result


def rows(results: list[RunResult]) -> list[list[object]]:
    """Markdown rows: each real run next to the naive run of the same mode and worker count."""
    by_key = {(r.impl, r.mode, r.workers, r.durable): r for r in results}
    out: list[list[object]] = []
    for r in results:
        if r.impl != "real":
            continue
        naive = by_key.get(("naive", r.mode, r.workers, r.durable))
        grouped = by_key.get(("grouped", r.mode, r.workers, r.durable))
        for x in (grouped, r, naive):
            if x is None:
                continue
            ratio = (
                f"{x.per_second / naive.per_second:.2f}x"
                if naive and naive.per_second and x is not naive
                else ""
            )
            out.append(
                [
                    f"reserve 1 unit, one hot SKU ({x.impl})",
                    f"{x.workers} {x.mode}",
                    "on" if x.durable else "off",
                    x.ops,
                    f"{x.per_second:,.0f}/s",
                    f"{percentile(x.latencies_ms, 50):.1f}",
                    f"{percentile(x.latencies_ms, 99):.1f}",
                    ratio,
                    "; ".join(sorted(set(x.errors)))[:120] or "ok",
                ]
            )
    return out


HEADER = [
    "benchmark",
    "workers",
    "synchronous_commit",
    "calls",
    "throughput",
    "p50 ms",
    "p99 ms",
    "vs naive",
    "check",
]
