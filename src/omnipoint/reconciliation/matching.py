"""Storing a statement's lines and matching them against our payments, refunds and top-ups in
set-based SQL: a handful of INSERT ... SELECT statements over the whole day, whatever its size,
never a loop over lines in Python (PostgreSQL matches a million lines in seconds).

A payment line matches our payment of the same number (商户订单号) and gateway transaction id
(微信订单号), else the online top-up of that number, else the bill paid online of that number
and charge (billpay's ``BillPayment``: its money is in once it is held, paid, or reversed and
refunded); a refund line matches our refund, or a bill's refund, of the same gateway refund id
(微信退款单号). Our side of the day is what succeeded at the provider in it: its payments and
top-ups by when they succeeded, a bill by when it was paid (else refunded, else opened), refunds
by when they were made. A payment of ours is absent at the provider when no imported statement,
of any day, lists it.

Matching again (``after``: the run's last difference before it) counts the lines against what it
finds now, and drops what it found that a resolved difference already says, so a resolution
stays with its difference and is never asked twice.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Model

from omnipoint.billpay.domain import PayMode, PayState
from omnipoint.billpay.models import BillPayment
from omnipoint.loyalty.models import OnlineTopup, TopupState
from omnipoint.payments.domain import PaymentState, RefundState
from omnipoint.payments.models import Payment, Refund
from omnipoint.payments.services import ONLINE_PROVIDER
from omnipoint.reconciliation.domain import LINE_FIELDS, DiffKind, Line, LineKind
from omnipoint.reconciliation.models import Difference, ReconRun, Resolution, StatementLine

BATCH = 5000


def lines_store(run: ReconRun, lines: Iterable[Line]) -> int:
    """Insert the lines (COPY on PostgreSQL, batches elsewhere); returns how many."""
    n = 0
    if connection.vendor == "postgresql":
        from psycopg import sql

        cols = ["run_id", *LINE_FIELDS]
        stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(StatementLine._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, cols))
        )
        with connection.cursor() as cur, cur.cursor.copy(stmt) as copy:
            for line in lines:
                copy.write_row((run.pk, *line))
                n += 1
        return n
    chunk: list[StatementLine] = []
    for line in lines:
        chunk.append(StatementLine(run=run, **dict(zip(LINE_FIELDS, line, strict=True))))
        n += 1
        if len(chunk) >= BATCH:
            StatementLine.objects.bulk_create(chunk)
            chunk = []
    StatementLine.objects.bulk_create(chunk)
    return n


def _t(model: type[Model]) -> str:
    return str(model._meta.db_table)


_COLS = "run_id, kind, line_id, payment_id, refund_id, bill_id, merchant_ref, provider_ref, ours, theirs, created_at"
_NULL = "CAST(NULL AS BIGINT)"
# A bill paid online whose money reached us: held for or paid to the biller, or sent back.
_BILL_IN = "(b.state IN (%(bill_held)s, %(bill_paid)s) OR b.refunded_at IS NOT NULL)"

# Payment lines: unknown here, amounts differ, or not paid here (a lost notification).
_PAID_LINES = f"""
INSERT INTO {_t(Difference)} ({_COLS})
SELECT %(run)s, k.kind, k.line_id, k.payment_id, {_NULL}, k.bill_id, k.merchant_ref, k.provider_ref, k.ours,
  k.theirs, %(now)s
FROM (
  SELECT l.id AS line_id, p.id AS payment_id, b.id AS bill_id, l.merchant_ref, l.provider_ref,
    l.amount AS theirs, COALESCE(p.amount, t.amount, b.amount) AS ours,
    CASE
      WHEN p.id IS NULL AND t.id IS NULL AND b.id IS NULL THEN '{DiffKind.UNKNOWN_HERE.value}'
      WHEN COALESCE(p.amount, t.amount, b.amount) <> l.amount THEN '{DiffKind.AMOUNT.value}'
      WHEN p.id IS NOT NULL AND p.state <> %(succeeded)s THEN '{DiffKind.LOST_NOTIFICATION.value}'
      WHEN t.id IS NOT NULL AND t.state <> %(topup_paid)s THEN '{DiffKind.LOST_NOTIFICATION.value}'
      WHEN b.id IS NOT NULL AND NOT {_BILL_IN} THEN '{DiffKind.LOST_NOTIFICATION.value}'
    END AS kind
  FROM {_t(StatementLine)} l
  LEFT JOIN {_t(Payment)} p
    ON p.number = l.merchant_ref AND p.provider = %(provider)s AND p.provider_ref = l.provider_ref
  LEFT JOIN {_t(OnlineTopup)} t ON p.id IS NULL AND t.number = l.merchant_ref AND t.charge_ref = l.provider_ref
  LEFT JOIN {_t(BillPayment)} b ON p.id IS NULL AND t.id IS NULL AND b.number = l.merchant_ref
    AND b.mode = %(bill_online)s AND b.gateway_ref = l.provider_ref
  WHERE l.run_id = %(run)s AND l.kind = '{LineKind.PAYMENT.value}'
) k
WHERE k.kind IS NOT NULL
"""  # noqa: S608 (table names and enum values, never input)

# Refund lines: a refund id unknown here (ours, or a bill's), or another amount.
_REFUND_LINES = f"""
INSERT INTO {_t(Difference)} ({_COLS})
SELECT %(run)s, '{DiffKind.REFUND.value}', l.id, r.payment_id, r.id, b.id, l.merchant_ref, l.refund_ref,
  COALESCE(r.amount, b.amount), l.refund_amount, %(now)s
FROM {_t(StatementLine)} l
LEFT JOIN {_t(Refund)} r ON r.provider_ref = l.refund_ref AND r.state = %(refund_ok)s
LEFT JOIN {_t(BillPayment)} b ON r.id IS NULL AND b.refund_ref = l.refund_ref AND b.mode = %(bill_online)s
WHERE l.run_id = %(run)s AND l.kind = '{LineKind.REFUND.value}'
  AND (COALESCE(r.amount, b.amount) IS NULL OR COALESCE(r.amount, b.amount) <> l.refund_amount)
"""  # noqa: S608 (table names and enum values, never input)

# Fees that are not the contracted rate of the line's amount (a refund gives its share back).
_FEES = f"""
INSERT INTO {_t(Difference)} ({_COLS})
SELECT %(run)s, '{DiffKind.FEE.value}', l.id, {_NULL}, {_NULL}, {_NULL}, l.merchant_ref, l.provider_ref,
  CASE WHEN l.kind = '{LineKind.PAYMENT.value}' THEN (l.amount * %(bp)s + 5000) / 10000
       ELSE -((l.refund_amount * %(bp)s + 5000) / 10000) END,
  l.fee, %(now)s
FROM {_t(StatementLine)} l
WHERE l.run_id = %(run)s AND l.fee <> CASE WHEN l.kind = '{LineKind.PAYMENT.value}'
  THEN (l.amount * %(bp)s + 5000) / 10000 ELSE -((l.refund_amount * %(bp)s + 5000) / 10000) END
"""  # noqa: S608 (table names and enum values, never input)

_NO_PAYMENT_LINE = f"""NOT EXISTS (SELECT 1 FROM {_t(StatementLine)} l
                  WHERE l.merchant_ref = {{}} AND l.kind = '{LineKind.PAYMENT.value}')"""  # noqa: S608
_NO_REFUND_LINE = f"""NOT EXISTS (SELECT 1 FROM {_t(StatementLine)} l
                  WHERE l.refund_ref = {{}} AND l.kind = '{LineKind.REFUND.value}')"""  # noqa: S608

# Ours, absent at the provider: payments, top-ups and bills whose money came in the day, refunds
# made in it.
_OURS_ABSENT = f"""
INSERT INTO {_t(Difference)} ({_COLS})
SELECT %(run)s, '{DiffKind.MISSING_AT_PROVIDER.value}', {_NULL}, p.id, {_NULL}, {_NULL}, p.number, p.provider_ref,
  p.amount, {_NULL}, %(now)s
FROM {_t(Payment)} p
WHERE p.provider = %(provider)s AND p.state = %(succeeded)s AND p.succeeded_at >= %(start)s
  AND p.succeeded_at < %(end)s AND {_NO_PAYMENT_LINE.format("p.number")}
UNION ALL
SELECT %(run)s, '{DiffKind.MISSING_AT_PROVIDER.value}', {_NULL}, {_NULL}, {_NULL}, {_NULL}, t.number, t.charge_ref,
  t.amount, {_NULL}, %(now)s
FROM {_t(OnlineTopup)} t
WHERE t.state = %(topup_paid)s AND t.credited_at >= %(start)s AND t.credited_at < %(end)s
  AND {_NO_PAYMENT_LINE.format("t.number")}
UNION ALL
SELECT %(run)s, '{DiffKind.MISSING_AT_PROVIDER.value}', {_NULL}, {_NULL}, {_NULL}, b.id, b.number, b.gateway_ref,
  b.amount, {_NULL}, %(now)s
FROM {_t(BillPayment)} b
WHERE b.mode = %(bill_online)s AND b.gateway_ref <> '' AND {_BILL_IN}
  AND COALESCE(b.paid_at, b.refunded_at, b.created_at) >= %(start)s
  AND COALESCE(b.paid_at, b.refunded_at, b.created_at) < %(end)s AND {_NO_PAYMENT_LINE.format("b.number")}
UNION ALL
SELECT %(run)s, '{DiffKind.REFUND.value}', {_NULL}, p.id, r.id, {_NULL}, p.number, r.provider_ref, r.amount,
  {_NULL}, %(now)s
FROM {_t(Refund)} r JOIN {_t(Payment)} p ON p.id = r.payment_id
WHERE p.provider = %(provider)s AND r.state = %(refund_ok)s AND r.created_at >= %(start)s
  AND r.created_at < %(end)s AND {_NO_REFUND_LINE.format("r.provider_ref")}
UNION ALL
SELECT %(run)s, '{DiffKind.REFUND.value}', {_NULL}, {_NULL}, {_NULL}, b.id, b.number, b.refund_ref, b.amount,
  {_NULL}, %(now)s
FROM {_t(BillPayment)} b
WHERE b.mode = %(bill_online)s AND b.refund_ref <> '' AND b.refunded_at >= %(start)s
  AND b.refunded_at < %(end)s AND {_NO_REFUND_LINE.format("b.refund_ref")}
"""  # noqa: S608 (table names and enum values, never input)

_MATCHED = f"""
SELECT COUNT(*) FROM {_t(StatementLine)} l WHERE l.run_id = %(run)s
  AND NOT EXISTS (SELECT 1 FROM {_t(Difference)} d WHERE d.run_id = %(run)s AND d.id > %(after)s
                  AND d.line_id = l.id)
"""  # noqa: S608 (table names and enum values, never input)

# Found again: what a resolved difference of the run already says (same class, line and refs).
_FOUND_AGAIN = f"""
DELETE FROM {_t(Difference)} WHERE run_id = %(run)s AND id > %(after)s AND EXISTS (
  SELECT 1 FROM {_t(Difference)} r JOIN {_t(Resolution)} s ON s.difference_id = r.id
  WHERE r.run_id = %(run)s AND r.id <= %(after)s AND r.kind = {_t(Difference)}.kind
    AND r.merchant_ref = {_t(Difference)}.merchant_ref AND r.provider_ref = {_t(Difference)}.provider_ref
    AND COALESCE(r.line_id, 0) = COALESCE({_t(Difference)}.line_id, 0))
"""  # noqa: S608 (table names and enum values, never input)


def run_match(run: ReconRun, *, start: datetime, end: datetime, now: datetime, after: int = 0) -> int:
    """Find every difference of the run's day; returns how many lines matched without one.
    ``after``: matching again, the run's differences up to this id were there before (the open
    ones deleted by the caller, the resolved ones kept)."""
    params: dict[str, Any] = {
        "run": run.pk,
        "now": now,
        "start": start,
        "end": end,
        "after": after,
        "provider": ONLINE_PROVIDER,
        "succeeded": PaymentState.SUCCEEDED.value,
        "refund_ok": RefundState.SUCCEEDED.value,
        "topup_paid": TopupState.PAID.value,
        "bill_online": PayMode.MEMBER_ONLINE.value,
        "bill_held": PayState.HELD.value,
        "bill_paid": PayState.PAID.value,
        "bp": int(settings.RECON_FEE_RATE_BP),
    }
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"ANALYZE {_t(StatementLine)}")
        for statement in (_PAID_LINES, _REFUND_LINES, _FEES, _OURS_ABSENT):
            cur.execute(statement, params)
        cur.execute(_MATCHED, params)
        matched = int(cur.fetchone()[0])
        if after:
            cur.execute(_FOUND_AGAIN, params)
        return matched
