"""The books at scale, on PostgreSQL: closing a business day of 1,000,000 payments and refunds
over 10,000 outlets, next to a naive per-row Python computation in the same run (figures equal),
and matching a 1,000,000-line provider statement.

The rows are generated in the database (``generate_series``), the outlets by COPY, once per size
(``tag``); a later run reuses them.

- close: ``clearing.services.day_close`` (the day's facts aggregated in SQL, rolled up the tree,
  the figures written) against ``close_naive``: every payment and refund read into Python one at
  a time, its outlet and channel looked up in dicts, added at the outlet and every node above.
  Every figure of the two must be equal.
- match: the sandbox gateway writes its trade statement of the day from its own charges and
  refunds (``payments.sandbox.statement_build``), reconciliation imports it (read and checked
  row by row, COPY into its lines) and matches it in SQL (``reconciliation.matching``). The day
  carries injected differences (lost notifications, our amounts changed, our refunds changed,
  payments of ours the gateway never saw): each class must be found exactly as injected, and at
  least 99.9 % of the lines matched automatically.

Each operation reports wall time, this process's CPU and the PostgreSQL backend's CPU (read from
/proc when the server runs on this machine).
"""

import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count

TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Size:
    tag: str
    outlets: int
    payments: int  # of the close's day (one order each)
    refunds: int  # of the close's day, on the first payments
    lines: int  # of the statement: payments and refunds
    refund_lines: int
    close_day: date = date(2021, 3, 15)  # each size its own days: a close reads the whole day
    match_day: date = date(2021, 3, 16)


FULL = Size("BK", outlets=10_000, payments=900_000, refunds=100_000, lines=1_000_000, refund_lines=50_000)
QUICK = Size(
    "BKQ", outlets=40, payments=1_800, refunds=200, lines=2_000, refund_lines=100,
    close_day=date(2021, 2, 15), match_day=date(2021, 2, 16),
)  # fmt: skip
HEADER = ["Operation", "Rows", "Wall s", "CPU here s", "CPU PostgreSQL s", "Check"]


@dataclass
class Timed:
    name: str
    rows: int
    wall: float = 0.0
    cpu: float = 0.0
    server_cpu: float | None = None
    check: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _backend_cpu() -> float | None:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


@contextmanager
def measured(result: Timed) -> Iterator[Timed]:
    server0, cpu0, t0 = _backend_cpu(), time.process_time(), time.perf_counter()
    yield result
    result.wall = time.perf_counter() - t0
    result.cpu = time.process_time() - cpu0
    server1 = _backend_cpu()
    result.server_cpu = None if server0 is None or server1 is None else server1 - server0


def _run(sql: str, params: dict[str, Any] | None = None) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params or {})
        return cur.rowcount


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, dtime.min, tzinfo=TZ)
    return start, start + timedelta(days=1)


# --- the close's day ---------------------------------------------------------------------------


def outlets_ensure(size: Size) -> None:
    from bench.nearby import Size as NearbySize
    from bench.nearby import _copy_or_bulk, _outlet_rows
    from omnipoint.outlets.models import Outlet

    outlets = Outlet.objects.filter(code__startswith=f"{size.tag}-")
    if outlets.count() != size.outlets:
        outlets.delete()
        _copy_or_bulk(Outlet, _outlet_rows(NearbySize(size.tag, size.outlets, 1, 1), random.Random(7)))


def close_data_ensure(size: Size) -> bool:
    """Orders over the outlets (placed the day before), one payment each on the close's day, and
    refunds on the first of them. Returns whether it was built (False: reused)."""
    from omnipoint.payments.models import Payment, Refund

    tag = size.tag
    if (
        Payment.objects.filter(number__startswith=f"{tag}P").count() == size.payments
        and Refund.objects.filter(provider_ref__startswith=f"{tag}F").count() == size.refunds
    ):
        return False
    outlets_ensure(size)
    start, _ = _bounds(size.close_day)
    p = {"tag": tag, "n": size.payments, "start": start, "before": start - timedelta(hours=3),
         "outlets": size.outlets, "refunds": size.refunds, "like": f"{tag}-%"}  # fmt: skip
    _run("DELETE FROM payments_refund WHERE provider_ref LIKE %(tag)s || 'F%%'", p)
    _run("DELETE FROM payments_payment WHERE number LIKE %(tag)s || 'P%%'", p)
    _run("DELETE FROM orders_order WHERE number LIKE %(tag)s || 'O%%'", p)
    _run(
        """INSERT INTO orders_order (number, channel, method, state, payment_state, payment_mode,
             customer_name, customer_mobile, address, total, routing, pickup_code, pickup_failures,
             created_at, origin_outlet_id, pickup_outlet_id)
           SELECT %(tag)s || 'O' || g, (ARRAY['web', 'pos', 'hotline'])[1 + g %% 3], 'pickup', 'completed',
             'paid', 'online', '', '', '', 500 + (g::bigint * 7919) %% 99500, '{}'::jsonb, '', 0, %(before)s, o.id, o.id
           FROM generate_series(1, %(n)s) g
           JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM outlets_outlet
                 WHERE code LIKE %(like)s) o ON o.k = g %% %(outlets)s""",
        p,
    )
    _run(
        """INSERT INTO payments_payment (number, method, provider, provider_ref, amount, refunded_amount,
             state, counted, pay_url, note, created_at, succeeded_at, order_id)
           SELECT %(tag)s || 'P' || o.id, m.method, m.provider, %(tag)s || 'R' || o.id, o.total, 0,
             'succeeded', true, '', '', at, at, o.id
           FROM orders_order o
           CROSS JOIN LATERAL (SELECT %(start)s::timestamptz + (o.id %% 86400) * interval '1 second' AS at) t
           CROSS JOIN LATERAL (SELECT CASE WHEN o.id %% 3 = 0 THEN 'cash' ELSE 'online' END AS method,
                                      CASE WHEN o.id %% 3 = 0 THEN 'cash' ELSE 'sandbox' END AS provider) m
           WHERE o.number LIKE %(tag)s || 'O%%'""",
        p,
    )
    _run(
        """INSERT INTO payments_refund (amount, state, provider_ref, reason, created_at, payment_id)
           SELECT 1 + p.amount / 3, 'succeeded', %(tag)s || 'F' || p.id, '', p.succeeded_at, p.id
           FROM (SELECT * FROM payments_payment WHERE number LIKE %(tag)s || 'P%%' ORDER BY id LIMIT %(refunds)s) p""",
        p,
    )
    _run(
        """UPDATE payments_payment p SET refunded_amount = r.amount FROM payments_refund r
           WHERE r.payment_id = p.id AND r.provider_ref LIKE %(tag)s || 'F%%'""",
        p,
    )
    _run("ANALYZE orders_order; ANALYZE payments_payment; ANALYZE payments_refund; ANALYZE outlets_outlet")
    return True


def _clear_books() -> None:
    _run("TRUNCATE clearing_clearingfigure, clearing_clearingrun")


def close_real(size: Size) -> Timed:
    from omnipoint.clearing.models import ClearingFigure
    from omnipoint.clearing.services import day_close
    from omnipoint.outlets.domain import SystemActor

    _clear_books()
    result = Timed("close: clearing.day_close (SQL aggregates, rolled up)", size.payments + size.refunds)
    with measured(result):
        day_close(actor=SystemActor(task="bench"), day=size.close_day)
    print(f"  books: closed in {result.wall:.1f} s", file=sys.stderr)
    figures = ClearingFigure.objects.filter(day=size.close_day, corrects=size.close_day)
    result.extra["figures"] = {
        (n, c, m, k): v
        for n, c, m, k, v in figures.values_list("node", "channel", "method", "measure", "value")
    }
    return result


def _nodes(outlet_id: int, path: str) -> list[str]:
    codes = [c for c in path.split("/") if c]
    return [f"outlet:{outlet_id}", *("/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))), "hq"]


def close_naive(size: Size) -> Timed:
    """Every payment and refund of the day, one Python step each."""
    from omnipoint.orders.models import Order
    from omnipoint.outlets.models import Outlet
    from omnipoint.payments.models import Payment, Refund

    result = Timed("close: naive, per row in Python", size.payments + size.refunds)
    start, end = _bounds(size.close_day)
    with measured(result):
        path_of = dict(Outlet.objects.values_list("pk", "region_path"))
        order_of: dict[int, tuple[int, str]] = {}
        for pk, outlet, channel in (
            Order.objects.filter(number__startswith=f"{size.tag}O")
            .values_list("pk", "origin_outlet_id", "channel")
            .iterator(20_000)
        ):
            order_of[pk] = (outlet, channel)
        cells: dict[tuple[str, str, str, str], int] = defaultdict(int)

        def add(order_id: int, method: str, amount: int, measure: str, count: str, sign: int) -> None:
            outlet, channel = order_of[order_id]
            for node in _nodes(outlet, path_of[outlet]):
                cells[(node, channel, method, measure)] += amount
                cells[(node, channel, method, count)] += 1
                cells[(node, channel, method, "net")] += sign * amount

        paid = Payment.objects.filter(state="succeeded", succeeded_at__gte=start, succeeded_at__lt=end)
        for order_id, method, amount in paid.values_list("order_id", "method", "amount").iterator(20_000):
            add(order_id, method, amount, "paid", "paid_count", 1)
        refunds = Refund.objects.filter(state="succeeded", created_at__gte=start, created_at__lt=end)
        for order_id, method, amount in refunds.values_list(
            "payment__order_id", "payment__method", "amount"
        ).iterator(20_000):
            add(order_id, method, amount, "refunded", "refund_count", -1)
        result.extra["figures"] = {k: v for k, v in cells.items() if v}
    return result


def close_compare(real: Timed, naive: Timed) -> None:
    a, b = real.extra["figures"], naive.extra["figures"]
    differ = [k for k in set(a) | set(b) if a.get(k) != b.get(k)]
    check = (
        f"{len(a)} figures equal" if not differ else f"{len(differ)} of {len(a)} figures differ: {differ[:2]}"
    )
    real.check = naive.check = check
    real.extra["ok"] = not differ


# --- the statement's day -----------------------------------------------------------------------


def match_data_ensure(size: Size) -> bool:
    """The gateway's charges and refunds of the day and our payments and refunds of them, with the
    differences injected: every 3000th payment pending here (its notification lost), every 5000th
    of another amount here, every 4000th refund of another amount here, and 100 payments of ours
    the gateway never charged."""
    from omnipoint.payments.models import SandboxCharge, SandboxRefund

    tag = size.tag
    n_pay = size.lines - size.refund_lines
    refunds = SandboxRefund.objects.filter(ref__startswith=f"{tag}XR")
    if (
        SandboxCharge.objects.filter(ref__startswith=f"{tag}X").count() == n_pay
        and refunds.count() == size.refund_lines
    ):
        return False
    start, _ = _bounds(size.match_day)
    p = {"tag": tag, "n": n_pay, "r": size.refund_lines, "start": start}
    _run("DELETE FROM payments_refund WHERE provider_ref LIKE %(tag)s || 'XR%%'", p)
    _run("DELETE FROM payments_sandboxrefund WHERE ref LIKE %(tag)s || 'XR%%'", p)
    _run("DELETE FROM payments_payment WHERE number LIKE %(tag)s || 'M%%' OR number LIKE %(tag)s || 'Z%%'", p)
    _run("DELETE FROM payments_sandboxcharge WHERE ref LIKE %(tag)s || 'X%%'", p)
    _run(
        """INSERT INTO payments_sandboxcharge (ref, merchant_ref, amount, refunded, state, description,
             return_url, created_at, paid_at, notify_attempts)
           SELECT %(tag)s || 'X' || g, %(tag)s || 'M' || g, 100 + (g::bigint * 7919) %% 99900, 0, 'paid', '', '', at, at, 1
           FROM generate_series(1, %(n)s) g
           CROSS JOIN LATERAL (SELECT %(start)s::timestamptz + (g %% 86000) * interval '1 second' AS at) t""",
        p,
    )
    _run(
        """INSERT INTO payments_payment (number, method, provider, provider_ref, amount, refunded_amount,
             state, counted, pay_url, note, created_at, succeeded_at, order_id)
           SELECT c.merchant_ref, 'online', 'sandbox', c.ref,
             c.amount + CASE WHEN g %% 5000 = 2 THEN 1 ELSE 0 END, 0,
             CASE WHEN g %% 3000 = 1 THEN 'pending' ELSE 'succeeded' END, g %% 3000 <> 1, '', '', c.created_at,
             CASE WHEN g %% 3000 = 1 THEN NULL ELSE c.paid_at + interval '2 seconds' END, g
           FROM payments_sandboxcharge c
           CROSS JOIN LATERAL (SELECT substr(c.ref, length(%(tag)s) + 2)::bigint AS g) k
           WHERE c.ref LIKE %(tag)s || 'X%%'""",
        p,
    )
    _run(
        """INSERT INTO payments_payment (number, method, provider, provider_ref, amount, refunded_amount,
             state, counted, pay_url, note, created_at, succeeded_at, order_id)
           SELECT %(tag)s || 'Z' || g, 'online', 'sandbox', %(tag)s || 'ZX' || g, 1000, 0, 'succeeded', true,
             '', '', %(start)s::timestamptz + interval '5 hours', %(start)s::timestamptz + interval '5 hours', g
           FROM generate_series(1, 100) g""",
        p,
    )
    _run(
        """INSERT INTO payments_sandboxrefund (ref, amount, created_at, charge_id)
           SELECT %(tag)s || 'XR' || g, 1 + c.amount / 2,
             %(start)s::timestamptz + (g %% 80000) * interval '1 second' + interval '1 hour', c.id
           FROM generate_series(1, %(r)s) g JOIN payments_sandboxcharge c ON c.ref = %(tag)s || 'X' || g""",
        p,
    )
    _run(
        """INSERT INTO payments_refund (amount, state, provider_ref, reason, created_at, payment_id)
           SELECT r.amount - CASE WHEN g %% 4000 = 3 THEN 1 ELSE 0 END, 'succeeded', r.ref, '', r.created_at, p.id
           FROM payments_sandboxrefund r
           CROSS JOIN LATERAL (SELECT substr(r.ref, length(%(tag)s) + 3)::bigint AS g) k
           JOIN payments_payment p ON p.number = %(tag)s || 'M' || g
           WHERE r.ref LIKE %(tag)s || 'XR%%'""",
        p,
    )
    _run(
        "ANALYZE payments_payment; ANALYZE payments_refund; ANALYZE payments_sandboxcharge; ANALYZE payments_sandboxrefund"
    )
    return True


def expected_differences(size: Size) -> dict[str, int]:
    n_pay = size.lines - size.refund_lines
    amount = {g for g in range(1, n_pay + 1) if g % 5000 == 2}
    lost = {g for g in range(1, n_pay + 1) if g % 3000 == 1} - amount
    return {
        "amount_mismatch": len(amount),
        "lost_notification": len(lost),
        "missing_at_provider": 100,
        "refund_mismatch": sum(1 for g in range(1, size.refund_lines + 1) if g % 4000 == 3),
    }


def _clear_reconciliation() -> None:
    _run(
        "TRUNCATE reconciliation_resolution, reconciliation_difference, reconciliation_statementline, "
        "reconciliation_reconrun"
    )


def match(size: Size) -> list[Timed]:
    from omnipoint.outlets.domain import SystemActor
    from omnipoint.payments.sandbox import statement_build
    from omnipoint.reconciliation.models import Difference
    from omnipoint.reconciliation.services import statement_import

    _clear_reconciliation()
    written = Timed("statement: the gateway writes its CSV (sandbox)", size.lines)
    with measured(written):
        content = statement_build(day=size.match_day)
    written.check = f"{len(content) / 1e6:.1f} MB"
    imported = Timed("statement: import (read, check, COPY) and match", size.lines)
    with measured(imported):
        run = statement_import(actor=SystemActor(task="bench"), day=size.match_day, content=content).run
    found = dict(
        Difference.objects.filter(run=run)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    expected = expected_differences(size)
    share = 100 * run.matched / run.lines
    imported.check = (
        f"{run.matched} of {run.lines} matched ({share:.3f} %); differences "
        + ", ".join(f"{k} {v}" for k, v in sorted(found.items()))
        + ("" if found == expected else f" (expected {expected})")
    )
    matched = Timed("statement: of which the matching (SQL)", size.lines, wall=run.match_seconds, cpu=0.0)
    matched.check = "as injected" if found == expected else "NOT as injected"
    # 99.9 % is the target of the full size; a tiny one holds one of each difference in a few lines
    enough = share >= 99.9 or size.lines < 100_000
    imported.extra = {"ok": found == expected and enough, "share": share, "found": found}
    return [written, imported, matched]


def rows(results: list[Timed]) -> list[list[str]]:
    def s(v: float | None) -> str:
        return "" if v is None else f"{v:.1f}"

    return [
        [r.name, f"{r.rows:,}", s(r.wall), s(r.cpu) if r.cpu or r.wall else "", s(r.server_cpu), r.check]
        for r in results
    ]
