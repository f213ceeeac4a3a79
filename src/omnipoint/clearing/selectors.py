"""Reads of the books: closed days, a day's figures at a node, counter shifts, and what a
closed day booked (for the next close's corrections). Every read is scoped: an outlet manager
sees their outlet, a region manager the nodes under their region, HQ everything."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import F, Q, QuerySet, Sum

from omnipoint.clearing.domain import (
    HQ_NODE,
    UNASSIGNED_NODE,
    Cell,
    Level,
    Measure,
    Node,
    node_parent,
    outlet_node,
    region_node,
)
from omnipoint.clearing.facts import order_outlet_by_id, refund_outlet
from omnipoint.clearing.models import ClearingFigure, ClearingRun, CounterShift
from omnipoint.core.errors import NotFoundError
from omnipoint.outlets.domain import Perm, Scope, StaffActor
from omnipoint.outlets.models import Outlet, Region
from omnipoint.outlets.selectors import scope_q
from omnipoint.payments.domain import Method, PaymentState, RefundState
from omnipoint.payments.models import Payment, Refund

MAX_SHIFTS = 100


@dataclass(frozen=True)
class Figure:
    channel: str
    method: str
    measure: str
    value: int
    corrects: date | None = None  # set on an adjustment: the closed day it corrects


@dataclass(frozen=True)
class DayFigures:
    run: ClearingRun
    node: Node
    name: str
    figures: list[Figure]  # the day's own, by channel x method x measure
    adjustments: list[Figure]  # booked in this day for earlier closed days
    totals: dict[str, int] = field(default_factory=dict)  # the day's own, by measure


def _covers(scope: Scope, node: Node) -> bool:
    if scope.is_hq:
        return True
    if scope.outlet_id is not None:
        return node.key == f"outlet:{scope.outlet_id}"
    return node.level != Level.UNASSIGNED and node.region_path.startswith(scope.region_path or "\0")


def node_home(actor: StaffActor) -> Node:
    """The node a staff member holds their role at."""
    scope = actor.scope
    if scope.outlet_id is not None:
        outlet = Outlet.objects.filter(pk=scope.outlet_id).values_list("region_path", flat=True).first()
        return outlet_node(scope.outlet_id, outlet or "/")
    return HQ_NODE if scope.is_hq else region_node(scope.region_path or "/")


def node_get(*, actor: StaffActor, key: str = "") -> Node:
    """A node by its key (``hq``, ``unassigned``, ``outlet:<id>``, a region's path such as
    ``/31/3101/`` or its code such as ``310115``), blank for the actor's own; a node outside
    their scope is not found."""
    actor.require(Perm.FINANCE_CLOSE)
    return node_in_scope(actor=actor, key=key)


def node_in_scope(*, actor: StaffActor, key: str = "") -> Node:
    """``node_get`` for any staff member (the dashboards: a clerk sees their outlet's), without
    asking for finance.close."""
    node: Node | None
    if not key:
        node = node_home(actor)
    elif key in (HQ_NODE.key, UNASSIGNED_NODE.key):
        node = HQ_NODE if key == HQ_NODE.key else UNASSIGNED_NODE
    elif key.startswith("outlet:") and key[7:].isdigit() and len(key) < 27:
        path = Outlet.objects.filter(pk=int(key[7:])).values_list("region_path", flat=True).first()
        node = outlet_node(int(key[7:]), path) if path else None
    else:
        regions = (
            Region.objects.filter(path=key) if key.startswith("/") else Region.objects.filter(code=key[:6])
        )
        path = (
            regions.values_list("path", flat=True).first() if key.startswith("/") or key.isdigit() else None
        )
        node = region_node(path) if path else None
    if node is None or not _covers(actor.scope, node):
        raise NotFoundError(f"node {key[:40]} not found", code="node_not_found")
    return node


def node_name(node: Node) -> str:
    if node.level == Level.OUTLET:
        outlet = Outlet.objects.filter(pk=int(node.key[7:])).first()
        return f"{outlet.name} ({outlet.code})" if outlet else node.key
    if node.level in (Level.HQ, Level.UNASSIGNED):
        return str(Level(node.level).label)
    region = Region.objects.filter(path=node.region_path).first()
    return region.name if region else node.key


def node_visible(*, actor: StaffActor, node: Node) -> bool:
    return _covers(actor.scope, node)


@dataclass(frozen=True)
class Child:
    node: Node
    name: str
    sales: int
    net: int


def node_children(*, actor: StaffActor, day: date, node: Node) -> list[Child]:
    """The nodes right under a node that have figures on a closed day, with their sales and net
    takings: where the manager drills down."""
    rows = ClearingFigure.objects.filter(
        day=day,
        corrects=day,
        measure__in=[Measure.SALES, Measure.NET],
        region_path__startswith=node.region_path,
    ).values_list("level", "node", "region_path", "measure", "value")
    found: dict[Node, dict[str, int]] = {}
    for level, key, path, measure, value in rows:
        child = Node(level, key, path)
        if node_parent(child) == node and _covers(actor.scope, child):
            totals = found.setdefault(child, {})
            totals[measure] = totals.get(measure, 0) + value
    return [
        Child(n, node_name(n), t.get(Measure.SALES, 0), t.get(Measure.NET, 0))
        for n, t in sorted(found.items())
    ]


def runs_list(*, actor: StaffActor) -> QuerySet[ClearingRun]:
    actor.require(Perm.FINANCE_CLOSE)
    return ClearingRun.objects.order_by("-day")


def run_get(*, actor: StaffActor, day: date) -> ClearingRun:
    actor.require(Perm.FINANCE_CLOSE)
    run = ClearingRun.objects.filter(day=day).first()
    if run is None:
        raise NotFoundError(f"{day} is not closed", code="day_not_closed", day=day.isoformat())
    return run


def last_closed_day() -> date | None:
    return ClearingRun.objects.order_by("-day").values_list("day", flat=True).first()


def day_figures(*, actor: StaffActor, day: date, node_key: str = "") -> DayFigures:
    """A closed day's figures at one node: its own by channel x method x measure, the
    adjustments it booked for earlier days, and its totals by measure."""
    node = node_get(actor=actor, key=node_key)
    run = run_get(actor=actor, day=day)
    rows = ClearingFigure.objects.filter(day=day, node=node.key).order_by(
        "corrects", "channel", "method", "measure"
    )
    own: list[Figure] = []
    adjustments: list[Figure] = []
    totals: dict[str, int] = {}
    for r in rows:
        if r.corrects == day:
            own.append(Figure(r.channel, r.method, r.measure, r.value))
            totals[r.measure] = totals.get(r.measure, 0) + r.value
        else:
            adjustments.append(Figure(r.channel, r.method, r.measure, r.value, r.corrects))
    return DayFigures(run, node, node_name(node), own, adjustments, totals)


def booked_cells(day: date) -> dict[Cell, int]:
    """What a closed day's books hold at outlet level: its close and every adjustment of it."""
    rows = (
        ClearingFigure.objects.filter(corrects=day, level__in=[Level.OUTLET, Level.UNASSIGNED])
        .values("outlet_id", "channel", "method", "measure")
        .annotate(total=Sum("value"))
        .order_by()
    )
    return {
        Cell(r["outlet_id"], r["channel"], r["method"], r["measure"]): r["total"] for r in rows if r["total"]
    }


# --- shifts ---------------------------------------------------------------------------------


def shift_list(*, actor: StaffActor, open_only: bool = False) -> QuerySet[CounterShift]:
    """Shifts at the outlets in scope; a clerk sees their own."""
    actor.require(Perm.STOCK_SELL)
    qs = CounterShift.objects.filter(scope_q(actor.scope, via="outlet")).select_related("outlet", "clerk")
    if not actor.can(Perm.FINANCE_CLOSE):
        qs = qs.filter(clerk_id=actor.staff_id)
    if open_only:
        qs = qs.filter(closed_at__isnull=True)
    return qs.order_by("-opened_at", "-pk")


def shift_get(*, actor: StaffActor, shift_id: int) -> CounterShift:
    shift = shift_list(actor=actor).filter(pk=shift_id).first()
    if shift is None:
        raise NotFoundError(f"shift {shift_id} not found", code="shift_not_found")
    return shift


def shift_cash(*, outlet_id: int, user_id: int, start: datetime, end: datetime) -> tuple[int, int]:
    """The cash a clerk took and gave back at one outlet between two instants: their cash
    tenders less their cash refunds, each counted where it happened."""
    taken = (
        Payment.objects.filter(
            method=Method.CASH,
            state=PaymentState.SUCCEEDED,
            actor_id=user_id,
            succeeded_at__gte=start,
            succeeded_at__lt=end,
        )
        .annotate(at=order_outlet_by_id("order_id"))
        .filter(at=outlet_id)
        .aggregate(s=Sum("amount"))["s"]
    )
    refunded = (
        Refund.objects.filter(
            payment__method=Method.CASH,
            state=RefundState.SUCCEEDED,
            actor_id=user_id,
            created_at__gte=start,
            created_at__lt=end,
        )
        .annotate(at=refund_outlet())
        .filter(at=outlet_id)
        .aggregate(s=Sum("amount"))["s"]
    )
    return int(taken or 0), int(refunded or 0)


# --- exports ----------------------------------------------------------------------------------

EXPORT_CHUNK = 2000


@dataclass(frozen=True)
class ExportRow:
    """One line of a day's export: a node x channel x method, its figures by measure. An
    adjustment names the closed day it corrects; a day's own figures have ``corrects`` None."""

    level: str
    node: str  # the node's key
    name: str
    channel: str
    method: str
    corrects: date | None
    values: dict[str, int]


def _subtree(node: Node) -> Q:
    if node.level == Level.HQ:
        return Q()
    if node.level in (Level.OUTLET, Level.UNASSIGNED):
        return Q(node=node.key)
    return Q(region_path__startswith=node.region_path)


def export_measures(*, day: date, node: Node) -> list[str]:
    """The measures that have a figure in the export of a node on a day (its columns)."""
    present = set(
        ClearingFigure.objects.filter(_subtree(node), day=day).values_list("measure", flat=True).distinct()
    )
    return [m for m in Measure.values if m in present]


def _names(node: Node) -> dict[str, str]:
    """The names of the nodes under a node: outlets by key, regions by path."""
    outlets = Outlet.objects.all() if node.level == Level.HQ else Outlet.objects.none()
    if node.level == Level.OUTLET:
        outlets = Outlet.objects.filter(pk=int(node.key[7:]))
    elif node.level not in (Level.HQ, Level.UNASSIGNED):
        outlets = Outlet.objects.filter(region_path__startswith=node.region_path)
    names = {
        f"outlet:{pk}": f"{name} ({code})"
        for pk, name, code in outlets.values_list("pk", "name", "code").iterator()
    }
    regions = (
        Region.objects.all()
        if node.level == Level.HQ
        else Region.objects.filter(path__startswith=node.region_path)
    )
    names.update(dict(regions.values_list("path", "name").iterator()))
    for extra in (HQ_NODE, UNASSIGNED_NODE):
        names[extra.key] = str(Level(extra.level).label)
    return names


def export_rows(*, day: date, node: Node) -> Iterator[ExportRow]:
    """A closed day's figures at a node and every node under it, by node x channel x method,
    the day's own first at each node, then the adjustments it booked: read in chunks, one row at
    a time, so a network-wide export never sits in memory. The caller checks the scope
    (``day_figures`` for the node first)."""
    names = _names(node)
    rows = (
        ClearingFigure.objects.filter(_subtree(node), day=day)
        .order_by("region_path", "node", F("corrects").desc(), "channel", "method", "measure")
        .values_list("level", "node", "corrects", "channel", "method", "measure", "value")
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    current: ExportRow | None = None
    for level, key, corrects, channel, method, measure, value in rows:
        about = None if corrects == day else corrects
        if current is None or (current.node, current.corrects, current.channel, current.method) != (
            key,
            about,
            channel,
            method,
        ):
            if current is not None:
                yield current
            current = ExportRow(level, key, names.get(key, key), channel, method, about, {})
        current.values[measure] = value
    if current is not None:
        yield current
