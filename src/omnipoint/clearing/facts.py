"""The immutable facts of business days, aggregated in SQL: one query per kind of fact, grouped
by business day x outlet x channel x payment method, never a loop over the facts themselves.

- goods sold: order lines as placed, on the day the order was placed (their discounts split into
  promotions and coupons by the line's price explanation);
- takings: payments on the day they succeeded; refunds on the day they were made;
- stored value, points and commissions: ledger postings that moved value (posted, or a pending
  hold made real), on the day they were written;
- parcels sent at a counter: their takings and what voids gave back, as the ledger has them
  (``parcels.selectors.takings``), at the outlet that accepted them.

Each fact counts at one outlet. An order's outlet is where it was keyed (the counter, the
handheld, the salesperson's outlet), else where it is picked up, else where its first line is
fulfilled from; a refund made by a return counts at the outlet that took the goods back; a
counter top-up at its outlet; a fact with no outlet (an online top-up) at no outlet (HQ only).
"""

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Substr, TruncDate

from omnipoint.clearing import takings
from omnipoint.clearing.domain import BUSINESS_TZ, NO_CHANNEL, NO_METHOD, Cell, Measure, day_bounds
from omnipoint.ledger.domain import AccountKind as K
from omnipoint.ledger.models import Posting, PostingState
from omnipoint.orders.models import Order, OrderLine, OrderReturn
from omnipoint.outlets.models import Outlet
from omnipoint.parcels.selectors import takings as parcel_takings
from omnipoint.payments.domain import PaymentState, RefundState
from omnipoint.payments.models import Payment, Refund

DayCells = dict[date, dict[Cell, int]]
MOVED = (PostingState.POSTED, PostingState.POST_PENDING)  # a pending hold moves nothing until posted
ORDER_REF, OUTLET_REF = "order:", "outlet:"


def order_outlet(order: str = "") -> Any:
    """The outlet an order counts at, as an SQL expression over a query that reaches the order
    through ``order`` ("" on the order itself)."""
    prefix = f"{order}__" if order else ""
    first_line = OrderLine.objects.filter(order_id=OuterRef(f"{order}_id" if order else "pk"))
    return Coalesce(
        F(f"{prefix}origin_outlet"),
        F(f"{prefix}pickup_outlet"),
        Subquery(first_line.order_by("pk").values("location_id")[:1]),
        output_field=BigIntegerField(),
    )


def order_outlet_by_id(order_id: str) -> Any:
    """``order_outlet`` for rows that keep the order's id (payments keep no link to orders)."""
    order = Order.objects.filter(pk=OuterRef(order_id)).annotate(at=order_outlet()).values("at")[:1]
    return Subquery(order, output_field=BigIntegerField())


def order_channel_by_id(order_id: str) -> Any:
    return Subquery(Order.objects.filter(pk=OuterRef(order_id)).values("channel")[:1])


def refund_outlet() -> Any:
    """A refund counts where the goods came back when a return made it, else at its order's."""
    returned_at = OrderReturn.refunds.through.objects.filter(refund_id=OuterRef("pk"))
    return Coalesce(
        Subquery(returned_at.values("orderreturn__outlet_id")[:1]),
        order_outlet_by_id("payment__order_id"),
        output_field=BigIntegerField(),
    )


def _local_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=BUSINESS_TZ)


def _add(out: DayCells, row: dict[str, Any], measures: Mapping[str, str]) -> None:
    cells = out.setdefault(row["day"], defaultdict(int))
    for column, measure in measures.items():
        if row[column]:
            cells[Cell(row["outlet"], row["channel"] or NO_CHANNEL, row["method"] or NO_METHOD, measure)] += (
                int(row[column])
            )


# What the coupons took off a line, from its price explanation as placed (the promotions took the
# rest of its discount). JSON arrays are unnested differently by the two databases.
_COUPON_SQL = {
    "postgresql": """(SELECT COALESCE(SUM((e.value -> 'params' ->> 'discount_fen')::bigint), 0)
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof("orders_orderline"."price_explanation") = 'array'
             THEN "orders_orderline"."price_explanation" ELSE '[]'::jsonb END) AS e
        WHERE e.value ->> 'kind' = 'coupon')""",
    "sqlite": """(SELECT COALESCE(SUM(json_extract(e.value, '$.params.discount_fen')), 0)
        FROM json_each(CASE WHEN json_type("orders_orderline"."price_explanation") = 'array'
             THEN "orders_orderline"."price_explanation" ELSE '[]' END) AS e
        WHERE e.type = 'object' AND json_extract(e.value, '$.kind') = 'coupon')""",
}


def _coupon_discount() -> RawSQL:
    return RawSQL(_COUPON_SQL[connection.vendor], (), output_field=BigIntegerField())


def _sales(start: datetime, end: datetime) -> QuerySet[Any]:
    return (
        OrderLine.objects.filter(order__created_at__gte=start, order__created_at__lt=end)
        .annotate(
            day=_local_day("order__created_at"),
            outlet=order_outlet("order"),
            channel=F("order__channel"),
            method=Value(NO_METHOD),
        )
        .values("day", "outlet", "channel", "method")
        .annotate(
            n_orders=Count("order_id", distinct=True),
            n_lines=Count("pk"),
            units=Sum("quantity"),
            gross=Sum(F("unit_price") * F("quantity")),
            discount=Sum("discount"),
            coupons=Sum(_coupon_discount()),
            sales=Sum("amount"),
        )
        .order_by()
    )


def _payments(start: datetime, end: datetime) -> QuerySet[Any]:
    return (
        Payment.objects.filter(state=PaymentState.SUCCEEDED, succeeded_at__gte=start, succeeded_at__lt=end)
        .annotate(
            day=_local_day("succeeded_at"),
            outlet=order_outlet_by_id("order_id"),
            channel=order_channel_by_id("order_id"),
        )
        .values("day", "outlet", "channel", "method")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by()
    )


def _refunds(start: datetime, end: datetime) -> QuerySet[Any]:
    return (
        Refund.objects.filter(state=RefundState.SUCCEEDED, created_at__gte=start, created_at__lt=end)
        .annotate(
            day=_local_day("created_at"),
            outlet=refund_outlet(),
            channel=order_channel_by_id("payment__order_id"),
            method=F("payment__method"),
        )
        .values("day", "outlet", "channel", "method")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by()
    )


_WALLET = (K.MEMBER_WALLET_PRINCIPAL, K.MEMBER_WALLET_BONUS)
_POSTING_MEASURES = [
    (Q(debit__kind=K.POINTS_ISSUED), Measure.POINTS_ISSUED),
    (Q(credit__kind=K.POINTS_CLAWED_BACK), Measure.POINTS_CLAWED_BACK),
    (Q(credit__kind=K.POINTS_REDEEMED), Measure.POINTS_SPENT),
    (Q(debit__kind=K.POINTS_REDEEMED), Measure.POINTS_RETURNED),
    (Q(credit__kind=K.POINTS_EXPIRED), Measure.POINTS_EXPIRED),
    (Q(debit__kind=K.WALLET_CASH_IN), Measure.TOPUP_PRINCIPAL),
    (Q(debit__kind=K.WALLET_BONUS_EXPENSE), Measure.TOPUP_BONUS),
    # A member's wallet spent and given back; what was spent moving on (to a biller, to postage,
    # and back from postage when a parcel is voided) is neither.
    (Q(credit__kind=K.WALLET_SPENT, debit__kind__in=_WALLET), Measure.WALLET_SPENT),
    (Q(debit__kind=K.WALLET_SPENT, credit__kind__in=_WALLET), Measure.WALLET_RETURNED),
    (Q(debit__kind=K.COMMISSION_EXPENSE), Measure.COMMISSION_ACCRUED),
    (Q(credit__kind=K.COMMISSION_EXPENSE), Measure.COMMISSION_REVERSED),
]
_TOPUPS = (Measure.TOPUP_PRINCIPAL, Measure.TOPUP_BONUS)
_PARCELS = {
    "n_paid": Measure.PARCEL_COUNT,
    "paid": Measure.PARCEL_TAKEN,
    "n_refunded": Measure.PARCEL_VOID_COUNT,
    "refunded": Measure.PARCEL_REFUNDED,
}


def _posting_order_number() -> Case:
    """The order a posting is about: its reference ``order:<number>`` (earning, spending, taking
    back, commission), or that of the posting a refund gives back."""
    start = len(ORDER_REF) + 1
    return Case(
        When(reference__startswith=ORDER_REF, then=Substr("reference", start)),
        When(refund_of__reference__startswith=ORDER_REF, then=Substr("refund_of__reference", start)),
        default=Value(None),
        output_field=CharField(),
    )


def _postings(start: datetime, end: datetime) -> QuerySet[Any]:
    order = Order.objects.filter(number=OuterRef("order_number"))
    counter = Outlet.objects.filter(code=Substr(OuterRef("reference"), len(OUTLET_REF) + 1))
    at_counter = Q(reference__startswith=OUTLET_REF)
    return (
        Posting.objects.filter(kind__in=MOVED, created_at__gte=start, created_at__lt=end)
        .annotate(
            measure=Case(
                *(When(q, then=Value(m)) for q, m in _POSTING_MEASURES),
                default=Value(None),
                output_field=CharField(),
            ),
            order_number=_posting_order_number(),
        )
        .exclude(measure=None)
        .annotate(
            day=_local_day("created_at"),
            outlet=Coalesce(
                Subquery(order.annotate(at=order_outlet()).values("at")[:1]),
                Case(When(at_counter, then=Subquery(counter.values("pk")[:1])), default=Value(None)),
                output_field=BigIntegerField(),
            ),
            channel=Coalesce(
                Subquery(order.values("channel")[:1]),
                Case(
                    When(at_counter, then=Value("pos")),
                    When(measure__in=_TOPUPS, then=Value("web")),
                    default=Value(NO_CHANNEL),
                ),
            ),
            method=Case(
                When(Q(measure__in=_TOPUPS) & at_counter, then=Value("cash")),
                When(measure__in=_TOPUPS, then=Value("online")),
                default=Value(NO_METHOD),
            ),
        )
        .values("day", "outlet", "channel", "method", "measure")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by()
    )


def day_facts(first: date, last: date) -> DayCells:
    """Every outlet-level figure of the business days ``first`` .. ``last``, by day."""
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    out: DayCells = {}
    sales = {
        "n_orders": Measure.ORDERS,
        "n_lines": Measure.LINES,
        "units": Measure.UNITS,
        "gross": Measure.GROSS,
        "discount": Measure.DISCOUNT,
        "promotions": Measure.DISCOUNT_PROMOTIONS,
        "coupons": Measure.DISCOUNT_COUPONS,
        "sales": Measure.SALES,
    }
    for row in _sales(start, end):
        row["promotions"] = (row["discount"] or 0) - (row["coupons"] or 0)
        _add(out, row, sales)
    joined = connection.vendor == "postgresql"  # see takings.py
    for row in takings.payments_joined(start, end) if joined else _payments(start, end):
        _add(out, row, {"n": Measure.PAID_COUNT, "total": Measure.PAID})
    for row in takings.refunds_joined(start, end) if joined else _refunds(start, end):
        _add(out, row, {"n": Measure.REFUND_COUNT, "total": Measure.REFUNDED})
    for row in _postings(start, end):
        measures = {"total": row["measure"]}
        if row["measure"] == Measure.TOPUP_PRINCIPAL:
            measures["n"] = Measure.TOPUP_COUNT
        _add(out, row, measures)
    for row in parcel_takings(start=start, end=end, tz=BUSINESS_TZ):
        _add(out, row, _PARCELS)
    return {day: dict(cells) for day, cells in out.items()}
