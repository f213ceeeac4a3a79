"""The immutable facts a statement is derived from, aggregated in SQL (one query per kind):

- goods sold: the lines of orders completed in the period (the goods handed over), at the
  outlet the order counts at (``clearing.facts.order_outlet``), by category;
- goods returned: the lines of returns made in the period, where the goods came back, by category
  (a return's lines are JSON: unnested by each database's own function); a return of goods sold
  in an earlier period (whose statement may be confirmed, and is never changed) is an adjustment
  of this one naming the period of the sale it corrects;
- a salesperson's commission: the ledger postings to their commission account in the period;
- an agent's rebates: what billpay accrued on the month's paid bills, and the month's true-up
  posting, read through billpay's and the ledger's selectors.
"""

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum

from omnipoint.billpay.selectors import month_amounts
from omnipoint.catalog.models import Category
from omnipoint.clearing.domain import business_today, day_bounds
from omnipoint.clearing.facts import order_outlet
from omnipoint.ledger.domain import AccountKind, account_code
from omnipoint.ledger.models import Posting, PostingState
from omnipoint.ledger.selectors import postings_of_reference
from omnipoint.orders.models import Order, OrderLine
from omnipoint.outlets.models import Outlet
from omnipoint.settlement.domain import Period, Sold, period_of


def bounds(period: Period) -> tuple[datetime, datetime]:
    """The period as aware times: from its first business day's start to its last one's end."""
    return day_bounds(period.start)[0], day_bounds(period.last_day)[1]


def _sold_lines(start: datetime, end: datetime) -> QuerySet[OrderLine]:
    return OrderLine.objects.filter(order__completed_at__gte=start, order__completed_at__lt=end)


def _by_category(qs: QuerySet[OrderLine]) -> dict[int, tuple[int, int]]:
    rows = (
        qs.values(cat=F("sku__product__category_id"))
        .annotate(n=Count("pk"), s=Sum("amount"))
        .order_by()
        .values_list("cat", "n", "s")
    )
    return {cat: (n, s or 0) for cat, n, s in rows}


# A return's lines, unnested: (category, order, fen) for each line of the returns made in a range.
_RETURN_LINES = {
    "postgresql": """
        SELECT p.category_id, r.order_id, SUM((e.value ->> 'amount')::bigint)
        FROM orders_orderreturn r
        CROSS JOIN LATERAL jsonb_array_elements(r.lines) AS e
        JOIN catalog_sku s ON s.id = (e.value ->> 'sku_id')::bigint
        JOIN catalog_product p ON p.id = s.product_id
        LEFT JOIN catalog_supplier sup ON sup.id = p.supplier_id
        JOIN outlets_outlet o ON o.id = r.outlet_id
        WHERE r.created_at >= %s AND r.created_at < %s AND """,
    "sqlite": """
        SELECT p.category_id, r.order_id, SUM(CAST(json_extract(e.value, '$.amount') AS INTEGER))
        FROM orders_orderreturn r, json_each(r.lines) AS e
        JOIN catalog_sku s ON s.id = CAST(json_extract(e.value, '$.sku_id') AS INTEGER)
        JOIN catalog_product p ON p.id = s.product_id
        LEFT JOIN catalog_supplier sup ON sup.id = p.supplier_id
        JOIN outlets_outlet o ON o.id = r.outlet_id
        WHERE r.created_at >= %s AND r.created_at < %s AND """,
}
_SUPPLIER_RETURNS = "p.supplier_id = %s AND o.region_path LIKE %s GROUP BY p.category_id, r.order_id"
_FRANCHISE_RETURNS = (
    "r.outlet_id = %s AND (sup.id IS NULL OR sup.is_concession = %s) GROUP BY p.category_id, r.order_id"
)

Returns = dict[tuple[int, str], int]  # (category, the earlier period it corrects or "") -> fen


def _returns(where: str, params: list[Any], period: Period) -> Returns:
    """The returns made in the period by category, those of goods sold before it apart, by the
    period of their sale (on the period's own cycle)."""
    # Constant SQL: the only values are the parameters.
    sql = _RETURN_LINES[connection.vendor] + where
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [(cat, order_id, int(total or 0)) for cat, order_id, total in cursor.fetchall()]
    sold_on = {
        pk: business_today(at)
        for pk, at in Order.objects.filter(pk__in={r[1] for r in rows}).values_list("pk", "completed_at")
        if at is not None
    }
    out: Returns = {}
    for cat, order_id, total in rows:
        day = sold_on.get(order_id)
        corrects = period_of(day, period.cycle).code if day is not None and day < period.start else ""
        out[(cat, corrects)] = out.get((cat, corrects), 0) + total
    return out


def _sold(sales: dict[int, tuple[int, int]], returns: Returns) -> list[Sold]:
    """The period's categories (sold, less what came back of them), then each adjustment: what
    came back of an earlier period's goods, by the period and category."""
    ids = set(sales) | {cat for cat, _ in returns}
    cats = {c.pk: c for c in Category.objects.filter(pk__in=ids).only("name", "name_en", "code")}

    def names(cat_id: int) -> tuple[str, str]:
        cat = cats.get(cat_id)
        return (cat.name, cat.name_en or cat.name) if cat else ("", "")

    def code(cat_id: int) -> str:
        return cats[cat_id].code if cat_id in cats else ""

    out = []
    for cat_id in sorted(set(sales) | {cat for cat, c in returns if not c}, key=code):
        n, s = sales.get(cat_id, (0, 0))
        out.append(Sold(cat_id, *names(cat_id), n, s, returns.get((cat_id, ""), 0)))
    for cat_id, corrects in sorted((k for k in returns if k[1]), key=lambda k: (k[1], code(k[0]))):
        out.append(Sold(cat_id, *names(cat_id), 0, 0, returns[(cat_id, corrects)], corrects=corrects))
    return out


def supplier_sold(*, period: Period, supplier_id: int, region_path: str) -> list[Sold]:
    """A concession supplier's goods sold and returned at the outlets under a node, by category."""
    start, end = bounds(period)
    under = Outlet.objects.filter(region_path__startswith=region_path).values("pk")
    sales = _sold_lines(start, end).filter(sku__product__supplier_id=supplier_id)
    if region_path != "/":
        sales = sales.annotate(at=order_outlet("order")).filter(at__in=under)
    returns = _returns(_SUPPLIER_RETURNS, [start, end, supplier_id, region_path + "%"], period)
    return _sold(_by_category(sales), returns)


def franchise_sold(*, period: Period, outlet_id: int) -> list[Sold]:
    """A franchise outlet's sales and returns of the network's goods (not a concession's)."""
    start, end = bounds(period)
    sales = (
        _sold_lines(start, end)
        .annotate(at=order_outlet("order"))
        .filter(at=outlet_id)
        .exclude(sku__product__supplier__is_concession=True)
    )
    returns = _returns(_FRANCHISE_RETURNS, [start, end, outlet_id, False], period)
    return _sold(_by_category(sales), returns)


def category_chains() -> dict[int, tuple[int, ...]]:
    """Each category with its parents, most specific first."""
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    chains: dict[int, tuple[int, ...]] = {}
    for pk in parents:
        chain: list[int] = []
        cur: int | None = pk
        while cur is not None and cur not in chain:
            chain.append(cur)
            cur = parents.get(cur)
        chains[pk] = tuple(chain)
    return chains


def commissions(*, period: Period, staff_id: int) -> list[tuple[str, int, int]]:
    """A salesperson's commission in the period by order: (reference, accrued, taken back)."""
    start, end = bounds(period)
    code = account_code(AccountKind.STAFF_COMMISSION, staff_id)
    rows = (
        Posting.objects.filter(
            Q(credit__code=code, code="commission") | Q(debit__code=code, code="commission_reversal"),
            kind=PostingState.POSTED,
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("reference")
        .annotate(
            accrued=Sum("amount", filter=Q(code="commission")),
            back=Sum("amount", filter=Q(code="commission_reversal")),
        )
        .order_by("reference")
    )
    return [(r["reference"].removeprefix("order:"), r["accrued"] or 0, r["back"] or 0) for r in rows]


def rebates(*, month: str, outlet_id: int) -> tuple[int, int, int, int]:
    """An agent's month as billpay booked it: (bills paid, their amount, rebate accrued on
    them, the month-end true-up: negative when the month ended in a lower tier)."""
    amounts, accrued = month_amounts(outlet_id=outlet_id, month=month)
    code = account_code(AccountKind.AGENT_REBATE, outlet_id)
    true_up = 0
    for p in postings_of_reference(
        reference=f"outlet:{outlet_id}:{month}", code="rebate_true_up"
    ).select_related("credit"):
        true_up += p.amount if p.credit.code == code else -p.amount
    return len(amounts), sum(amounts), accrued, true_up
