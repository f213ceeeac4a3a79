"""The figures of a manager's dashboard at their node of the tree, read in grouped SQL.

Sales, orders and takings by day, channel and payment method come from the books: a closed
day's figures as its close and later adjustments booked them (``clearing.models.ClearingFigure``
at the node), a day not closed yet (today, live) from the same immutable facts the close reads
(``clearing.facts.day_facts``), limited to the node's outlets. The rest (top products, repeat
purchases, stock-outs, the funnel) is one grouped query each. The open reconciliation
differences and the overdue tickets are their apps' own counts (``reconciliation.selectors
.open_differences``, ``aftersales.selectors.overdue_counts``), asked as the manager looking at
the node only, and shown only to a role that may read them. Every read runs inside
``core.replica.report_reads``: on the replica when one is configured.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from omnipoint.aftersales.domain import OverdueCounts
from omnipoint.aftersales.selectors import overdue_counts
from omnipoint.clearing import selectors as books
from omnipoint.clearing.domain import Cell, Level, Measure, Node, business_today, day_bounds, with_net
from omnipoint.clearing.facts import day_facts, order_outlet
from omnipoint.clearing.models import ClearingFigure, ClearingRun
from omnipoint.core.replica import report_reads
from omnipoint.dashboards.domain import TOP, Period, average, period_parse, share
from omnipoint.funnel.domain import Funnel
from omnipoint.funnel.selectors import funnel_by_day
from omnipoint.inventory.models import StockLevel
from omnipoint.orders.models import Order, OrderLine
from omnipoint.outlets.domain import Actor, Perm, Scope
from omnipoint.outlets.models import Outlet
from omnipoint.reconciliation.selectors import open_differences

Key = tuple[date, str, str, str]  # day, channel, method, measure
SALES_MEASURES = [Measure.ORDERS, Measure.SALES, Measure.PAID, Measure.REFUNDED, Measure.NET]


@dataclass(frozen=True)
class DaySales:
    day: date
    closed: bool  # from the day's close; False: live from the facts (today, or a day not closed)
    orders: int
    sales: int  # fen, after discounts
    net: int  # fen: taken less refunded
    by_channel: dict[str, int]  # sales by channel


@dataclass(frozen=True)
class Tiles:
    orders: int
    sales: int
    average_order: int | None
    paid: int
    refunded: int
    net: int
    customers: int  # members who ordered in the period
    repeat_customers: int  # of them, those who ordered more than once
    repeat_rate: float | None
    stock_outs: int  # SKU x outlet rows with nothing free to sell
    pending_differences: int | None = None  # open reconciliation differences (None: not the role's)
    overdue_tickets: int | None = None  # open after-sales tickets past their SLA (None: not the role's)


@dataclass(frozen=True)
class RankedOutlet:
    outlet_id: int
    code: str
    name: str
    orders: int
    sales: int


@dataclass(frozen=True)
class TopProduct:
    sku_id: int
    sku_code: str
    name: str
    name_en: str
    units: int
    sales: int


@dataclass(frozen=True)
class StockOut:
    outlet_code: str
    outlet_name: str
    sku_code: str
    name: str
    name_en: str
    on_hand: int
    reserved: int


@dataclass(frozen=True)
class Dashboard:
    node: Node
    node_name: str
    period: Period
    today: date
    tiles: Tiles
    days: list[DaySales]
    by_channel: dict[str, int]  # sales in the period
    by_method: dict[str, int]  # taken in the period, by payment method
    funnel: Funnel
    funnel_days: dict[date, Funnel]
    ranking: list[RankedOutlet]  # the node's outlets by sales (empty at an outlet)
    top_products: list[TopProduct]
    stock_outs: list[StockOut]
    differences: dict[str, int] | None = None  # open reconciliation differences by class
    overdue: OverdueCounts | None = None  # the node's open tickets and the late ones
    extras: dict[str, int] = field(default_factory=dict)


# --- the node's outlets ------------------------------------------------------------------------


def _outlets_q(node: Node, via: str = "") -> Q:
    """The node's outlets, as a filter on a query reaching the outlet through ``via``."""
    prefix = f"{via}__" if via else ""
    if node.level == Level.HQ:
        return Q()
    if node.level == Level.OUTLET:
        return Q(**{f"{prefix}pk" if not via else f"{via}_id": int(node.key[7:])})
    if node.level == Level.UNASSIGNED:
        return Q(pk__in=[])
    return Q(**{f"{prefix}region_path__startswith": node.region_path})


def _covers_cell(node: Node, outlet_id: int | None, paths: dict[int, str]) -> bool:
    if node.level == Level.HQ:
        return True
    if outlet_id is None:
        return node.level == Level.UNASSIGNED
    if node.level == Level.OUTLET:
        return node.key == f"outlet:{outlet_id}"
    return node.level != Level.UNASSIGNED and paths.get(outlet_id, "").startswith(node.region_path)


# --- the books: closed days, and the open days live ------------------------------------------


def _closed_cells(node: Node, closed: list[date]) -> dict[Key, int]:
    rows = (
        ClearingFigure.objects.filter(node=node.key, corrects__in=closed, measure__in=SALES_MEASURES)
        .values("corrects", "channel", "method", "measure")
        .annotate(total=Sum("value"))
        .order_by()
    )
    return {(r["corrects"], r["channel"], r["method"], r["measure"]): r["total"] for r in rows}


def _live_cells(node: Node, open_days: list[date]) -> dict[date, dict[Cell, int]]:
    """The open days' outlet-level figures under the node, from the facts."""
    if not open_days:
        return {}
    facts = day_facts(min(open_days), max(open_days))
    ids = {c.outlet_id for cells in facts.values() for c in cells if c.outlet_id is not None}
    paths = dict(Outlet.objects.filter(pk__in=ids).values_list("pk", "region_path"))
    return {
        day: {c: v for c, v in with_net(facts.get(day, {})).items() if _covers_cell(node, c.outlet_id, paths)}
        for day in open_days
    }


def _outlet_sales_closed(node: Node, closed: list[date]) -> dict[int, dict[str, int]]:
    q = Q() if node.level == Level.HQ else Q(region_path__startswith=node.region_path)
    rows = (
        ClearingFigure.objects.filter(
            q, level=Level.OUTLET, corrects__in=closed, measure__in=[Measure.ORDERS, Measure.SALES]
        )
        .values("outlet_id", "measure")
        .annotate(total=Sum("value"))
        .order_by()
    )
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        out[r["outlet_id"]][r["measure"]] += r["total"]
    return out


def _ranking(node: Node, closed: list[date], live: dict[date, dict[Cell, int]]) -> list[RankedOutlet]:
    if node.level in (Level.OUTLET, Level.UNASSIGNED):
        return []
    totals = _outlet_sales_closed(node, closed)
    for cells in live.values():
        for c, v in cells.items():
            if c.outlet_id is not None and c.measure in (Measure.ORDERS, Measure.SALES):
                totals[c.outlet_id][c.measure] += v
    best = sorted(totals.items(), key=lambda kv: (-kv[1].get(Measure.SALES, 0), kv[0]))[:TOP]
    names = {o.pk: o for o in Outlet.objects.filter(pk__in=[k for k, _ in best]).only("code", "name")}
    return [
        RankedOutlet(k, names[k].code, names[k].name, t.get(Measure.ORDERS, 0), t.get(Measure.SALES, 0))
        for k, t in best
        if k in names
    ]


def _cells(period: Period, node: Node) -> tuple[dict[Key, int], list[date], dict[date, dict[Cell, int]]]:
    """Every figure of the period at the node by day x channel x method x measure, the closed
    days, and the open days' outlet-level cells."""
    closed = list(
        ClearingRun.objects.filter(day__gte=period.first, day__lte=period.last).values_list("day", flat=True)
    )
    cells = _closed_cells(node, closed)
    live = _live_cells(node, [d for d in period.days if d not in set(closed)])
    for day, outlet_cells in live.items():
        for c, v in outlet_cells.items():
            if c.measure in SALES_MEASURES:
                key = (day, c.channel, c.method, c.measure)
                cells[key] = cells.get(key, 0) + v
    return cells, closed, live


def _days(period: Period, cells: dict[Key, int], closed: list[date]) -> list[DaySales]:
    per_day: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    channels: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (day, channel, _method, measure), v in cells.items():
        per_day[day][measure] += v
        if measure == Measure.SALES:
            channels[day][channel] += v
    return [
        DaySales(
            d,
            d in closed,
            per_day[d][Measure.ORDERS],
            per_day[d][Measure.SALES],
            per_day[d][Measure.NET],
            dict(sorted(channels[d].items())),
        )
        for d in period.days
    ]


def _by(cells: dict[Key, int], measure: str, dimension: str) -> dict[str, int]:
    """A measure's figures summed by channel or by payment method."""
    out: dict[str, int] = defaultdict(int)
    for (_day, channel, method, m), v in cells.items():
        if m == measure:
            out[channel if dimension == "channel" else method] += v
    return {k: v for k, v in sorted(out.items(), key=lambda kv: -kv[1]) if v}


# --- orders, products, customers, stock --------------------------------------------------------


def _orders_at(node: Node, period: Period) -> QuerySet[Order]:
    start, end = day_bounds(period.first)[0], day_bounds(period.last)[1]
    orders = Order.objects.filter(created_at__gte=start, created_at__lt=end)
    if node.level == Level.HQ:
        return orders
    return orders.annotate(at=order_outlet()).filter(
        at__in=Outlet.objects.filter(_outlets_q(node)).values("pk")
    )


def _top_products(node: Node, period: Period) -> list[TopProduct]:
    rows = (
        OrderLine.objects.filter(order__in=_orders_at(node, period).values("pk"))
        .values("sku_id", "sku__code", "sku__product__name", "sku__product__name_en")
        .annotate(units=Sum("quantity"), sales=Sum("amount"))
        .order_by("-sales", "sku__code")[:TOP]
    )
    return [
        TopProduct(
            r["sku_id"],
            r["sku__code"],
            r["sku__product__name"],
            r["sku__product__name_en"],
            r["units"],
            r["sales"],
        )
        for r in rows
    ]


def _repeat(node: Node, period: Period) -> tuple[int, int]:
    """Members who ordered in the period, and those of them who ordered more than once."""
    members = _orders_at(node, period).filter(member_id__isnull=False).values("member_id")
    customers = members.distinct().count()
    repeat = members.annotate(n=Count("pk")).filter(n__gte=2).count()
    return customers, repeat


def _stock_outs(node: Node) -> tuple[int, list[StockOut]]:
    """SKUs on sale with nothing free to sell at the node's active outlets (held for orders or
    gone), the first ``TOP`` by outlet and SKU code."""
    if node.level == Level.UNASSIGNED:
        return 0, []
    rows = StockLevel.objects.filter(
        _outlets_q(node, "location"),
        location__is_active=True,
        sku__is_active=True,
        sku__product__is_active=True,
        on_hand__lte=F("reserved"),
    )
    first = rows.select_related("location", "sku__product").order_by("location__code", "sku__code")[:TOP]
    return rows.count(), [
        StockOut(
            s.location.code,
            s.location.name,
            s.sku.code,
            s.sku.product.name,
            s.sku.product.name_en,
            s.on_hand,
            s.reserved,
        )
        for s in first
    ]


# --- other apps' counts at the node ------------------------------------------------------------


def _looking_at(actor: Actor, node: Node, perm: str) -> Actor | None:
    """The actor as they look at the node (one their scope covers, so never wider than theirs),
    holding only ``perm``: None when their role lacks it, or at the unassigned node."""
    if not actor.can(perm) or node.level == Level.UNASSIGNED:
        return None
    scope = Scope(outlet_id=int(node.key[7:])) if node.level == Level.OUTLET else Scope(node.region_path)
    return Actor(
        user_id=actor.user_id,
        staff_id=actor.staff_id,
        role=actor.role,
        scope=scope,
        perms=frozenset({perm}),
        name=actor.name,
    )


def _differences(actor: Actor, node: Node) -> dict[str, int] | None:
    for perm in (Perm.FINANCE_RECONCILE, Perm.FINANCE_CLOSE):
        viewer = _looking_at(actor, node, perm)
        if viewer is not None:
            return open_differences(actor=viewer)
    return None


def _overdue(actor: Actor, node: Node) -> OverdueCounts | None:
    viewer = _looking_at(actor, node, Perm.TICKET_DESK)
    return None if viewer is None else overdue_counts(actor=viewer)


# --- the dashboard -----------------------------------------------------------------------------


def dashboard_period(*, first: str = "", last: str = "") -> Period:
    return period_parse(first, last, today=business_today(timezone.now()))


def dashboard_get(*, actor: Actor, period: Period, node_key: str = "") -> Dashboard:
    """The dashboard of a node in the actor's scope (their own by default) over a period: any
    staff member sees their node's (a clerk their outlet's), nobody a node outside their scope."""
    actor.require(Perm.NETWORK_VIEW)
    node = books.node_in_scope(actor=actor, key=node_key)
    with report_reads():
        cells, closed, live = _cells(period, node)
        customers, repeat = _repeat(node, period)
        outs, first_outs = _stock_outs(node)
        funnel_days = funnel_by_day(first=period.first, last=period.last, region_path=node.region_path)
        by_measure = {m: sum(v for k, v in cells.items() if k[3] == m) for m in SALES_MEASURES}
        differences, overdue = _differences(actor, node), _overdue(actor, node)
        tiles = Tiles(
            orders=by_measure[Measure.ORDERS],
            sales=by_measure[Measure.SALES],
            average_order=average(by_measure[Measure.SALES], by_measure[Measure.ORDERS]),
            paid=by_measure[Measure.PAID],
            refunded=by_measure[Measure.REFUNDED],
            net=by_measure[Measure.NET],
            customers=customers,
            repeat_customers=repeat,
            repeat_rate=share(repeat, customers),
            stock_outs=outs,
            pending_differences=None if differences is None else sum(differences.values()),
            overdue_tickets=None if overdue is None else overdue.overdue,
        )
        return Dashboard(
            node=node,
            node_name=books.node_name(node),
            period=period,
            today=business_today(timezone.now()),
            tiles=tiles,
            days=_days(period, cells, closed),
            by_channel=_by(cells, Measure.SALES, "channel"),
            by_method=_by(cells, Measure.PAID, "method"),
            funnel=Funnel(
                sum(f.visits for f in funnel_days.values()),
                sum(f.carts for f in funnel_days.values()),
                sum(f.orders for f in funnel_days.values()),
            ),
            funnel_days=funnel_days,
            ranking=_ranking(node, closed, live),
            top_products=_top_products(node, period),
            stock_outs=first_outs,
            differences=differences,
            overdue=overdue,
        )
