"""Group commit of holds (``inventory.services.stock_hold`` over ``core.combining``) under real
threads and a real process killed mid-batch. On PostgreSQL the holds of one row fold into one
leader's batch; on SQLite the same code applies each hold alone. Either way: never oversold,
exactly the right holds succeed, each refused caller gets its own answer, retries replay.
"""

import multiprocessing
import os
import signal
import time
from typing import Any

import pytest
from django.db import connection, connections

from omnipoint.core import combining
from omnipoint.core.models import CombineRequest
from omnipoint.inventory import services
from omnipoint.inventory.checks import inventory_breaches
from omnipoint.inventory.errors import InsufficientStockError
from omnipoint.inventory.models import Reservation, StockLevel
from omnipoint.inventory.services import holds
from omnipoint.outlets.domain import SYSTEM

from .threads import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def row(network: Any, to: int) -> tuple[int, int]:
    """The first SKU at outlet A, with ``to`` on hand."""
    a, sku = network.a, network.skus[0]
    have = StockLevel.objects.get(location=a, sku=sku).on_hand
    if to != have:
        services.stock_adjust(actor=SYSTEM, location_id=a.pk, sku_id=sku.pk, delta=to - have, reason="test")
    return a.pk, sku.pk


def reserved(key: tuple[int, int]) -> int:
    return StockLevel.objects.get(location_id=key[0], sku_id=key[1]).reserved


@pytest.fixture
def batches(monkeypatch):
    """The size of every batch a leader applied (threads share the process)."""
    sizes: list[int] = []
    real = holds._apply_batch

    def counted(batch):
        sizes.append(len(batch))
        return real(batch)

    monkeypatch.setattr(holds, "_apply_batch", counted)
    return sizes


def test_mixed_quantities_on_a_short_row_take_exactly_what_it_covers(network, batches):
    key = row(network, 40)

    def worker(t: int) -> list[tuple[int, Any]]:
        out = []
        for i in range(4):
            q = 1 + (t + i) % 3
            try:
                services.stock_hold(actor=SYSTEM, owner_ref=f"mix:{t}:{i}", lines=[(*key, q)])
                out.append((q, None))
            except InsufficientStockError as exc:
                out.append((q, exc))
        return out

    results = run_together([lambda t=t: worker(t) for t in range(16)])
    calls = [c for r in results for c in r]
    won = sum(q for q, exc in calls if exc is None)
    refused = [(q, exc) for q, exc in calls if exc is not None]
    assert won == reserved(key) <= 40
    assert refused, "asked 128 units of 40: some must be refused"
    free = 40 - won
    for q, exc in refused:  # each refusal its own: its quantity, and more than was left
        assert exc.details["requested"] == q and q > free
    assert Reservation.objects.filter(owner_ref__startswith="mix:").count() == len(calls) - len(refused)
    assert inventory_breaches() == []
    assert not CombineRequest.objects.exists()
    if connection.vendor == "postgresql":
        assert max(batches) > 1, "threads waiting on one row fold into one batch"


def test_a_retried_key_gets_the_hold_its_batch_committed(network):
    key = row(network, 100)
    same = [lambda: services.stock_hold(actor=SYSTEM, owner_ref="retry:same", lines=[(*key, 2)])] * 6
    others = [
        lambda t=t: services.stock_hold(actor=SYSTEM, owner_ref=f"retry:{t}", lines=[(*key, 1)])
        for t in range(10)
    ]
    results = run_together(same + others)
    assert not [r for r in results if isinstance(r, BaseException)]
    assert len({r.pk for r in results[:6]}) == 1
    again = services.stock_hold(actor=SYSTEM, owner_ref="retry:same", lines=[(*key, 2)])
    assert again.pk == results[0].pk
    assert reserved(key) == 2 + 10
    assert inventory_breaches() == []


@pytest.mark.skipif(
    "os.environ.get('DATABASE_URL', '').startswith('sqlite') or not os.environ.get('DATABASE_URL')"
)
def test_a_caller_that_gives_up_withdraws_and_retries_by_its_key(network):
    key = row(network, 10)
    lane = combining.lane_of(*key)
    with connection.cursor() as cur:  # a leader that never finishes: the lane's lock held
        cur.execute("SELECT pg_advisory_lock(%s, %s)", [combining.NAMESPACE["hold"], lane])
    try:

        def gives_up():
            payload = {"k": "system", "r": "late", "c": "", "a": None, "t": 60, "s": True, "l": [[*key, 1]]}
            return combining.submit("hold", lane, payload, holds._apply_batch, deadline_s=0.3)

        (outcome,) = run_together([gives_up])
        assert isinstance(outcome, combining.CombineTimeout)
        assert not CombineRequest.objects.exists() and reserved(key) == 0
    finally:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s, %s)", [combining.NAMESPACE["hold"], lane])
    assert services.stock_hold(actor=SYSTEM, owner_ref="late", lines=[(*key, 1)]).pk
    assert reserved(key) == 1


def _leader_killed_mid_batch(key: tuple[int, int], waiting: int, applied: Any) -> None:
    """A child process: lead the lane once the waiters are in, apply their batch, report it and
    hang before the commit, until SIGKILL."""
    lane = combining.lane_of(*key)
    ns = combining.NAMESPACE["hold"]
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s, %s)", [ns, lane])
    deadline = time.monotonic() + 30
    while CombineRequest.objects.filter(done=False).count() < waiting and time.monotonic() < deadline:
        time.sleep(0.02)

    def hang(batch):
        results = holds._apply_batch(batch)
        applied.put(len(batch))
        time.sleep(60)
        return results

    combining._lead("hold", ns, lane, hang)


@pytest.mark.skipif(
    "os.environ.get('DATABASE_URL', '').startswith('sqlite') or not os.environ.get('DATABASE_URL')"
)
def test_a_leader_killed_mid_batch_loses_nothing(network):
    key = row(network, 50)
    ctx = multiprocessing.get_context("fork")
    applied = ctx.Queue()
    connections.close_all()  # the child must not share this process's socket
    child = ctx.Process(target=_leader_killed_mid_batch, args=(key, 8, applied))
    child.start()
    try:

        def waiter(t: int) -> int:
            if t == 0:
                assert applied.get(timeout=30) == 8  # the batch is applied, not committed
                os.kill(child.pid, signal.SIGKILL)
                return 0
            return services.stock_hold(actor=SYSTEM, owner_ref=f"kill:{t}", lines=[(*key, 2)]).pk

        results = run_together([lambda t=t: waiter(t) for t in range(9)])
    finally:
        child.kill()
        child.join()
    assert not [r for r in results if isinstance(r, BaseException)]
    assert reserved(key) == 16 and Reservation.objects.filter(owner_ref__startswith="kill:").count() == 8
    assert inventory_breaches() == []
    assert not CombineRequest.objects.exists()


def test_postings_of_many_callers_take_exactly_what_the_wallet_covers(regions, monkeypatch):
    from omnipoint.ledger import batching
    from omnipoint.ledger.checks import ledger_breaches
    from omnipoint.ledger.services import (
        InsufficientBalanceError,
        PostingRequest,
        account_open,
        postings_create,
    )

    sizes: list[int] = []
    real = batching._apply_batch
    monkeypatch.setattr(batching, "_apply_batch", lambda batch: sizes.append(len(batch)) or real(batch))
    account_open(actor=SYSTEM, code="gc:cash", unit="CNY")
    for code in ("gc:wallet", "gc:shop"):
        account_open(actor=SYSTEM, code=code, unit="CNY", no_overdraft=True)
    postings_create([PostingRequest("gc:fund", "gc:cash", "gc:wallet", 60, "topup")], actor=SYSTEM)

    def worker(t: int) -> list[tuple[int, Any]]:
        out = []
        for i in range(3):
            q = 1 + (t + i) % 3
            reqs = [PostingRequest(f"gc:{t}:{i}", "gc:wallet", "gc:shop", q, "spend")]
            try:
                first = batching.postings_submit(reqs, actor=SYSTEM, group=f"gc:{t}:{i}")
                again = batching.postings_submit(reqs, actor=SYSTEM, group=f"gc:{t}:{i}")  # a retry
                assert [p.pk for p in again] == [p.pk for p in first] and first[0].key == reqs[0].key
                out.append((q, None))
            except InsufficientBalanceError as exc:
                out.append((q, exc))
        return out

    results = run_together([lambda t=t: worker(t) for t in range(16)])
    calls = [c for r in results for c in r]
    spent = sum(q for q, exc in calls if exc is None)
    from omnipoint.ledger.models import Account, Posting

    wallet = Account.objects.get(code="gc:wallet")
    assert wallet.debits_posted == spent <= 60 and wallet.available == 60 - spent
    refused = [q for q, exc in calls if exc is not None]
    assert refused and min(refused) > 60 - spent
    assert Posting.objects.filter(code="spend").count() == len(calls) - len(refused)
    assert ledger_breaches() == []
    if connection.vendor == "postgresql":
        assert max(sizes) > 1
