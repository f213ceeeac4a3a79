"""The stock invariants under real concurrency: real threads, real transactions, one connection
per thread. They run on SQLite (writers queue on the IMMEDIATE write lock) and on PostgreSQL
(row locks, READ COMMITTED re-checks of each guarded UPDATE).

After every race the books are checked whole (``inventory_breaches``) and the exact figures
asserted: the outcome must not depend on how the threads interleaved.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from omnipoint.core.errors import InvalidStateError
from omnipoint.inventory import services
from omnipoint.inventory.checks import inventory_breaches
from omnipoint.inventory.errors import InsufficientStockError
from omnipoint.inventory.models import (
    MovementKind,
    Reservation,
    ReservationState,
    StockLevel,
    StockMovement,
    Transfer,
    TransferState,
)
from omnipoint.outlets.domain import SYSTEM

from .threads import raised, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def level(outlet: Any, sku: Any) -> StockLevel:
    return StockLevel.objects.get(location=outlet, sku=sku)


def top_up(outlet: Any, sku: Any, to: int) -> None:
    """The network starts with 10 of everything; bring one row up to ``to``."""
    have = level(outlet, sku).on_hand
    services.stock_receive(actor=SYSTEM, location_id=outlet.pk, sku_id=sku.pk, quantity=to - have)


def test_hot_sku_is_never_over_reserved(network):
    a, sku = network.a, network.skus[0]
    top_up(a, sku, 100)

    def worker(t: int) -> tuple[int, int]:
        won = refused = 0
        for i in range(20):
            try:
                services.stock_reserve(actor=SYSTEM, owner_ref=f"race-a:{t}:{i}", lines=[(a.pk, sku.pk, 1)])
                won += 1
            except InsufficientStockError:
                refused += 1
        return won, refused

    results = run_together([lambda t=t: worker(t) for t in range(50)])

    assert raised(results) == []
    assert sum(won for won, _ in results) == 100
    assert sum(refused for _, refused in results) == 50 * 20 - 100
    row = level(a, sku)
    assert (row.on_hand, row.reserved, row.available) == (100, 100, 0)
    assert Reservation.objects.filter(owner_ref__startswith="race-a:").count() == 100
    assert inventory_breaches() == []


def test_opposite_line_order_does_not_deadlock(network):
    """Two SKUs reserved together, half the threads listing them one way and half the other.
    The scarcer SKU runs out, so many attempts fail after the first row was already updated
    and must roll it back."""
    a, plenty, scarce = network.a, network.skus[0], network.skus[1]
    top_up(a, plenty, 1000)
    top_up(a, scarce, 300)
    qty = 2

    def worker(t: int) -> tuple[int, int]:
        forward = [(a.pk, plenty.pk, qty), (a.pk, scarce.pk, qty)]
        lines = forward if t % 2 == 0 else forward[::-1]
        won = refused = 0
        for i in range(15):
            try:
                services.stock_reserve(actor=SYSTEM, owner_ref=f"race-b:{t}:{i}", lines=lines)
                won += 1
            except InsufficientStockError:
                refused += 1
        return won, refused

    results = run_together([lambda t=t: worker(t) for t in range(16)])

    assert raised(results) == []  # an OperationalError (deadlock detected) would land here
    won = sum(w for w, _ in results)
    assert won == 300 // qty
    assert level(a, plenty).reserved == won * qty == 300
    assert level(a, scarce).reserved == won * qty == 300
    assert level(a, scarce).available == 0
    assert inventory_breaches() == []


def test_transfer_dispatch_racing_counter_sales(network):
    """Three transfers of 20 leave while ten clerks sell 100 units one at a time: each
    transfer either went (and its 20 were not sold) or was refused for lack of stock."""
    a, b, sku = network.a, network.b, network.skus[0]
    top_up(a, sku, 100)
    transfers = [
        services.transfer_create(actor=SYSTEM, source_id=a.pk, destination_id=b.pk, lines=[(sku.pk, 20)])
        for _ in range(3)
    ]

    def seller() -> int:
        sold = 0
        for _ in range(10):
            try:
                services.stock_sell(actor=SYSTEM, location_id=a.pk, sku_id=sku.pk, quantity=1)
                sold += 1
            except InsufficientStockError:
                pass
        return sold

    def dispatcher(transfer_id: int) -> bool:
        try:
            services.transfer_dispatch(actor=SYSTEM, transfer_id=transfer_id)
        except InsufficientStockError:
            return False
        return True

    workers = [seller for _ in range(10)] + [lambda tid=t.pk: dispatcher(tid) for t in transfers]
    results = run_together(workers)

    assert raised(results) == []
    sold = sum(results[:10])
    went = [t for t, ok in zip(transfers, results[10:], strict=True) if ok]
    refused = [t for t, ok in zip(transfers, results[10:], strict=True) if not ok]
    # Demand (100 sales + 60 transferred) exceeds the 100 on hand, so all of it goes somewhere.
    assert sold + 20 * len(went) == 100
    assert level(a, sku).on_hand == 0 and level(a, sku).reserved == 0
    for t in went:
        assert Transfer.objects.get(pk=t.pk).state == TransferState.IN_TRANSIT
    for t in refused:
        assert Transfer.objects.get(pk=t.pk).state == TransferState.DRAFT
    out = StockMovement.objects.filter(location=a, sku=sku)
    assert out.filter(kind=MovementKind.SALE).count() == sold
    assert out.filter(kind=MovementKind.TRANSFER_OUT).count() == len(went)
    assert inventory_breaches() == []


def test_commit_racing_the_expiry_sweep(network):
    """Clerks commit holds while two sweepers, running as if their expiry had come, lapse the
    same holds. Each hold ends committed or expired, never both, and stock follows suit."""
    a, sku = network.a, network.skus[0]
    top_up(a, sku, 100)
    holds = [
        services.stock_reserve(
            actor=SYSTEM, owner_ref=f"race-d:{i}", lines=[(a.pk, sku.pk, 1 + i % 3)], ttl_seconds=600
        )
        for i in range(40)
    ]
    ids = [r.pk for r in holds]
    reserved_before = level(a, sku).reserved

    def committer(my_ids: list[int]) -> list[int]:
        committed = []
        for rid in my_ids:
            try:
                services.reservation_commit(actor=SYSTEM, reservation_id=rid)
                committed.append(rid)
            except InvalidStateError as exc:
                assert exc.code == "reservation_not_held"
        return committed

    def sweeper() -> int:
        # The sweep's clock is ten minutes ahead: every hold is due for it, none yet for the clerks.
        later = timezone.now() + timedelta(minutes=10)
        total = 0
        for _ in range(5):
            total += services.reservations_expire(actor=SYSTEM, now=later, batch=7)
        return total

    chunks = [ids[0::4], ids[1::4][::-1], ids[2::4], ids[3::4][::-1]]
    results = run_together([lambda c=c: committer(c) for c in chunks] + [sweeper, sweeper])

    assert raised(results) == []
    committed = {rid for chunk in results[:4] for rid in chunk}
    expired_count = results[4] + results[5]
    states = dict(Reservation.objects.filter(pk__in=ids).values_list("pk", "state"))
    assert {rid for rid, s in states.items() if s == ReservationState.COMMITTED} == committed
    assert sum(1 for s in states.values() if s == ReservationState.EXPIRED) == expired_count
    assert len(committed) + expired_count == 40  # none left held, none counted twice
    committed_qty = sum(1 + i % 3 for i, rid in enumerate(ids) if rid in committed)
    row = level(a, sku)
    assert (row.on_hand, row.reserved) == (100 - committed_qty, 0)
    assert reserved_before == sum(1 + i % 3 for i in range(40))
    sales = StockMovement.objects.filter(location=a, sku=sku, kind=MovementKind.SALE)
    assert sales.count() == len(committed)
    assert inventory_breaches() == []


@pytest.mark.postgres_only
def test_a_lock_timeout_under_load_is_a_clear_503_that_changes_nothing(network, client):
    """What a request meets under load besides a shortage (issue 7, item 21): here a lock wait
    cut off by lock_timeout. The API answers 503 database_busy with Retry-After, not a 500."""
    import threading

    from django.db import connection, transaction

    from omnipoint.core.models import ApiToken
    from omnipoint.testing import user_of

    a, sku = network.a, network.skus[0]
    locked, done = threading.Event(), threading.Event()

    def hold_the_row() -> None:
        with transaction.atomic():
            StockLevel.objects.filter(location=a, sku=sku).update(safety_stock=1)
            locked.set()
            done.wait(30)

    holder = threading.Thread(target=lambda: run_together([hold_the_row]), daemon=True)
    holder.start()
    assert locked.wait(30)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user_of('outlet_clerk'))}"}
        body = {"owner_ref": "cart:1", "lines": [{"location_id": a.pk, "sku_id": sku.pk, "quantity": 1}]}
        r = client.post("/api/v1/inventory/reservations", body, content_type="application/json", **auth)
    finally:
        done.set()
        holder.join(30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert r.status_code == 503 and r.json()["code"] == "database_busy", r.content
    assert r["Retry-After"] == "1"
    assert level(a, sku).reserved == 0 and not Reservation.objects.exists() and inventory_breaches() == []
