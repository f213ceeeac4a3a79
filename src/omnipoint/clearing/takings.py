"""Takings (payments on the day they succeeded, refunds on the day they were made) of business
days on PostgreSQL: each joined to its order once, grouped by business day x outlet x channel x
payment method. The same facts as ``facts._payments`` / ``facts._refunds``, which look an order
up per row (payments keep the order's id, not a relation to it): PostgreSQL runs those look-ups
one row at a time in the leader after its parallel scan, and a day of a million payments spent
most of its close there. SQLite, the embedded default of small networks, keeps the ORM's form;
both are checked against a naive computation from the raw rows on both databases
(``clearing/tests/test_property.py``) and in ``bench/books.py``.
"""

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from omnipoint.clearing.domain import BUSINESS_TZ
from omnipoint.orders.models import Order, OrderLine, OrderReturn
from omnipoint.payments.domain import PaymentState, RefundState
from omnipoint.payments.models import Payment, Refund


def _t(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _order_outlet(o: str) -> str:
    """``facts.order_outlet`` in SQL: keyed at, else picked up at, else its first line's."""
    first_line = (
        f"(SELECT l.location_id FROM {_t(OrderLine)} l WHERE l.order_id = {o}.id ORDER BY l.id LIMIT 1)"  # noqa: S608
    )
    return f"COALESCE({o}.origin_outlet_id, {o}.pickup_outlet_id, {first_line})"


def _payments_sql() -> str:
    return f"""
SELECT (p.succeeded_at AT TIME ZONE %(tz)s)::date AS day, {_order_outlet("o")} AS outlet,
  o.channel AS channel, p.method AS method, COUNT(*) AS n, SUM(p.amount) AS total
FROM {_t(Payment)} p LEFT JOIN {_t(Order)} o ON o.id = p.order_id
WHERE p.state = %(paid)s AND p.succeeded_at >= %(start)s AND p.succeeded_at < %(end)s
GROUP BY 1, 2, 3, 4"""  # noqa: S608 (table names from the models, never input)


def _refunds_sql() -> str:
    through = _t(OrderReturn.refunds.through)
    ret = _t(OrderReturn)
    returned_at = f"(SELECT r.outlet_id FROM {through} t JOIN {ret} r ON r.id = t.orderreturn_id WHERE t.refund_id = f.id LIMIT 1)"  # noqa: S608
    return f"""
SELECT (f.created_at AT TIME ZONE %(tz)s)::date AS day, COALESCE({returned_at}, {_order_outlet("o")}) AS outlet,
  o.channel AS channel, p.method AS method, COUNT(*) AS n, SUM(f.amount) AS total
FROM {_t(Refund)} f JOIN {_t(Payment)} p ON p.id = f.payment_id LEFT JOIN {_t(Order)} o ON o.id = p.order_id
WHERE f.state = %(refunded)s AND f.created_at >= %(start)s AND f.created_at < %(end)s
GROUP BY 1, 2, 3, 4"""  # noqa: S608 (table names from the models, never input)


def _rows(sql: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    params: dict[str, Any] = {
        "tz": str(BUSINESS_TZ),
        "paid": PaymentState.SUCCEEDED.value,
        "refunded": RefundState.SUCCEEDED.value,
        "start": start,
        "end": end,
    }
    with transaction.atomic(), connection.cursor() as cur:
        # A day's aggregate is one big query: compiling it (JIT) cost more than it saved, and
        # with the default work_mem its grouping sorted on disk instead of hashing in memory.
        cur.execute("SET LOCAL jit = off")
        cur.execute("SET LOCAL work_mem = '128MB'")
        cur.execute(sql, params)
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def payments_joined(start: datetime, end: datetime) -> list[dict[str, Any]]:
    return _rows(_payments_sql(), start, end)


def refunds_joined(start: datetime, end: datetime) -> list[dict[str, Any]]:
    return _rows(_refunds_sql(), start, end)
