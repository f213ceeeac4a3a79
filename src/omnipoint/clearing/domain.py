"""The rules of the business-day close (日结 / 轧帐) and the counter shift close (交班), with no ORM.

A business day is a calendar day in Asia/Shanghai; facts are stored in UTC. The close reads the
day's immutable facts (order lines as placed, payments that succeeded, refunds, ledger
postings), aggregated in SQL per outlet x channel x payment method (``selectors``), into
``Cell`` figures; the rules here roll them up the organisation tree (outlet -> district -> city
-> province -> HQ), decide whether a day may be closed, and turn what changed in a closed day
into adjustments booked in the day being closed, each naming the day it corrects.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import pgettext_lazy

from omnipoint.core.errors import ConflictError, ValidationError

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")
# A late fact is looked for in the closed days this far back; older ones are not corrected.
CORRECTION_DAYS = 31
NO_METHOD = ""  # figures that are not by tender (goods sold, points, commissions)
NO_CHANNEL = ""  # facts that name no channel (an award of points outside any order)


class Level(models.TextChoices):
    HQ = "hq", pgettext_lazy("books", "Whole network")
    PROVINCE = "province", pgettext_lazy("books", "Province")
    CITY = "city", pgettext_lazy("books", "City")
    DISTRICT = "district", pgettext_lazy("books", "District")
    OUTLET = "outlet", pgettext_lazy("books", "Outlet")
    # Facts that belong to no outlet (an online top-up): counted at HQ, under no region.
    UNASSIGNED = "unassigned", pgettext_lazy("books", "No outlet")


class Measure(models.TextChoices):
    ORDERS = "orders", pgettext_lazy("books", "Orders")
    LINES = "lines", pgettext_lazy("books", "Lines")
    UNITS = "units", pgettext_lazy("books", "Units")
    GROSS = "gross", pgettext_lazy("books", "Gross sales")
    DISCOUNT = "discount", pgettext_lazy("books", "Discounts")
    DISCOUNT_PROMOTIONS = "discount_promotions", pgettext_lazy("books", "Promotions")
    DISCOUNT_COUPONS = "discount_coupons", pgettext_lazy("books", "Coupons")
    SALES = "sales", pgettext_lazy("books", "Sales after discounts")
    PAID_COUNT = "paid_count", pgettext_lazy("books", "Payments")
    PAID = "paid", pgettext_lazy("books", "Taken")
    REFUND_COUNT = "refund_count", pgettext_lazy("books", "Refunds")
    REFUNDED = "refunded", pgettext_lazy("books", "Refunded")
    NET = "net", pgettext_lazy("books", "Net takings")
    TOPUP_COUNT = "topup_count", pgettext_lazy("books", "Top-ups")
    TOPUP_PRINCIPAL = "topup_principal", pgettext_lazy("books", "Top-up principal")
    TOPUP_BONUS = "topup_bonus", pgettext_lazy("books", "Top-up bonus")
    WALLET_SPENT = "wallet_spent", pgettext_lazy("books", "Wallet spent")
    WALLET_RETURNED = "wallet_returned", pgettext_lazy("books", "Wallet refunded")
    POINTS_ISSUED = "points_issued", pgettext_lazy("books", "Points issued")
    POINTS_CLAWED_BACK = "points_clawed_back", pgettext_lazy("books", "Points taken back")
    POINTS_SPENT = "points_spent", pgettext_lazy("books", "Points spent")
    POINTS_RETURNED = "points_returned", pgettext_lazy("books", "Points refunded")
    POINTS_EXPIRED = "points_expired", pgettext_lazy("books", "Points expired")
    COMMISSION_ACCRUED = "commission_accrued", pgettext_lazy("books", "Commission accrued")
    COMMISSION_REVERSED = "commission_reversed", pgettext_lazy("books", "Commission reversed")
    # Parcels sent at the counter (parcels.selectors.takings): not in net takings, which are
    # the orders' money.
    PARCEL_COUNT = "parcel_count", pgettext_lazy("books", "Parcels paid")
    PARCEL_TAKEN = "parcel_taken", pgettext_lazy("books", "Parcel takings")
    PARCEL_VOID_COUNT = "parcel_void_count", pgettext_lazy("books", "Parcels voided")
    PARCEL_REFUNDED = "parcel_refunded", pgettext_lazy("books", "Parcel money given back")


# Measures in fen (shown as yuan); the rest are counts or points.
MONEY = frozenset(
    {
        Measure.GROSS,
        Measure.DISCOUNT,
        Measure.DISCOUNT_PROMOTIONS,
        Measure.DISCOUNT_COUPONS,
        Measure.SALES,
        Measure.PAID,
        Measure.REFUNDED,
        Measure.NET,
        Measure.TOPUP_PRINCIPAL,
        Measure.TOPUP_BONUS,
        Measure.WALLET_SPENT,
        Measure.WALLET_RETURNED,
        Measure.COMMISSION_ACCRUED,
        Measure.COMMISSION_REVERSED,
        Measure.PARCEL_TAKEN,
        Measure.PARCEL_REFUNDED,
    }
)


class ClearingWhy(models.TextChoices):
    """Explanation kinds (``core.explain``) the close gives."""

    ADJUSTMENT = "clearing.adjustment"  # params: corrects (ISO day)


@dataclass(frozen=True, order=True)
class Cell:
    """One figure's place at outlet level: ``outlet_id`` None for facts of no outlet."""

    outlet_id: int | None
    channel: str
    method: str
    measure: str


@dataclass(frozen=True, order=True)
class Node:
    """A node of the organisation tree. ``key`` is its identity: ``outlet:<id>``, a region's
    path (``/31/3101/``), ``hq`` or ``unassigned``; ``region_path`` is what scope filters on."""

    level: str
    key: str
    region_path: str


HQ_NODE = Node(Level.HQ, "hq", "/")
UNASSIGNED_NODE = Node(Level.UNASSIGNED, "unassigned", "/")


@dataclass(frozen=True, order=True)
class NodeCell:
    node: Node
    channel: str
    method: str
    measure: str


def outlet_node(outlet_id: int, region_path: str) -> Node:
    return Node(Level.OUTLET, f"outlet:{outlet_id}", region_path)


def _region_level(code: str) -> str:
    return {2: Level.PROVINCE, 4: Level.CITY}.get(len(code), Level.DISTRICT)


def region_nodes(region_path: str) -> list[Node]:
    """The region nodes above and at a path, province first: ``/31/3101/310115/`` gives the
    nodes of 31, 3101 and 310115."""
    codes = [c for c in region_path.split("/") if c]
    return [
        Node(_region_level(code), "/" + "/".join(codes[: i + 1]) + "/", "/" + "/".join(codes[: i + 1]) + "/")
        for i, code in enumerate(codes)
    ]


def region_node(region_path: str) -> Node:
    return region_nodes(region_path)[-1]


def node_parent(node: Node) -> Node | None:
    """The node a node's figures add up into: an outlet into its region, a region into the one
    above it, a province and the unassigned facts into HQ."""
    if node.level == Level.HQ:
        return None
    if node.level == Level.UNASSIGNED:
        return HQ_NODE
    path = (
        node.region_path
        if node.level == Level.OUTLET
        else node.region_path.rstrip("/").rsplit("/", 1)[0] + "/"
    )
    return region_node(path) if path.strip("/") else HQ_NODE


def ancestry(outlet_id: int | None, region_path: str) -> list[Node]:
    """Every node a fact of this outlet counts at, the outlet itself first."""
    if outlet_id is None:
        return [UNASSIGNED_NODE, HQ_NODE]
    return [outlet_node(outlet_id, region_path), *reversed(region_nodes(region_path)), HQ_NODE]


def rollup(cells: Mapping[Cell, int], region_path_of: Mapping[int, str]) -> dict[NodeCell, int]:
    """The figures of every node: each outlet's cell counted at the outlet and at every node
    above it, so every node's figure is the sum of its children's. Zero figures are dropped.
    (Keyed by plain strings while adding, each outlet's ancestry worked out once: a day of
    10,000 outlets has hundreds of thousands of cells.)"""
    out: dict[tuple[str, str, str, str], int] = defaultdict(int)
    nodes: dict[str, Node] = {}
    ancestors: dict[int | None, list[str]] = {}
    for cell, value in cells.items():
        if not value:
            continue
        keys = ancestors.get(cell.outlet_id)
        if keys is None:
            path = region_path_of.get(cell.outlet_id, "/") if cell.outlet_id is not None else "/"
            line = ancestry(cell.outlet_id, path)
            nodes.update((n.key, n) for n in line)
            keys = ancestors[cell.outlet_id] = [n.key for n in line]
        for key in keys:
            out[(key, cell.channel, cell.method, cell.measure)] += value
    return {NodeCell(nodes[k], c, m, measure): v for (k, c, m, measure), v in out.items() if v}


def with_net(cells: Mapping[Cell, int]) -> dict[Cell, int]:
    """Add net takings (taken less refunded) to each outlet x channel x method."""
    out = dict(cells)
    for cell, value in cells.items():
        sign = {Measure.PAID: 1, Measure.REFUNDED: -1}.get(cell.measure)  # type: ignore[call-overload]
        if sign:
            net = Cell(cell.outlet_id, cell.channel, cell.method, Measure.NET)
            out[net] = out.get(net, 0) + sign * value
    return {k: v for k, v in out.items() if v}


def corrections(recomputed: Mapping[Cell, int], booked: Mapping[Cell, int]) -> dict[Cell, int]:
    """What a closed day's facts say now less what its close and earlier adjustments booked:
    the adjustment to book, nonzero cells only (a late refund gives a negative one)."""
    keys = set(recomputed) | set(booked)
    diff = {k: recomputed.get(k, 0) - booked.get(k, 0) for k in keys}
    return {k: v for k, v in diff.items() if v}


def sum_cells(rows: Iterable[tuple[Cell, int]]) -> dict[Cell, int]:
    out: dict[Cell, int] = defaultdict(int)
    for cell, value in rows:
        out[cell] += value
    return {k: v for k, v in out.items() if v}


# --- the day --------------------------------------------------------------------------------


def business_today(now: datetime) -> date:
    return now.astimezone(BUSINESS_TZ).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a business day starts and ends (the end excluded)."""
    start = datetime.combine(day, time.min, tzinfo=BUSINESS_TZ)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=BUSINESS_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


def parse_day(text: str) -> date:
    """A business day as the client wrote it: ``YYYY-MM-DD``, nothing else."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{text[:20]!r} is not a day (YYYY-MM-DD)", code="invalid_day") from None


def check_closable(day: date, *, today: date, last_closed: date | None) -> None:
    """A day closes once it is over, and days close in order, so that a late fact always lands
    in the next open day. The first close may be of any past day."""
    if day >= today:
        raise ValidationError(f"{day} is not over yet", code="day_not_over", day=day.isoformat())
    if last_closed is None:
        return
    if day < last_closed:
        raise ConflictError(
            f"{day} is before the first closed day", code="before_first_close", day=day.isoformat()
        )
    if day > last_closed + timedelta(days=1):
        first_open = (last_closed + timedelta(days=1)).isoformat()
        raise ConflictError(
            f"close {first_open} first: days close in order", code="previous_day_open", open_day=first_open
        )


def days_to_close(*, today: date, last_closed: date | None) -> list[date]:
    """What the scheduled close does: every open day up to yesterday, in order (yesterday only
    when nothing was ever closed)."""
    yesterday = today - timedelta(days=1)
    first = yesterday if last_closed is None else last_closed + timedelta(days=1)
    return [first + timedelta(days=i) for i in range((yesterday - first).days + 1)]


CLOSE_AFTER_HOUR = 2  # the scheduled close of yesterday runs from 02:00 Asia/Shanghai on


def close_is_due(now: datetime) -> bool:
    """Whether the scheduled close may run: late in the night, not at midnight, so that what
    the providers notify just after midnight still lands in the day it happened."""
    return now.astimezone(BUSINESS_TZ).hour >= CLOSE_AFTER_HOUR


# --- the counter shift ----------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftCount:
    """The cash a shift should end with and what the clerk counted."""

    cash_taken: int
    cash_refunded: int
    declared: int

    @property
    def expected(self) -> int:
        return self.cash_taken - self.cash_refunded

    @property
    def difference(self) -> int:
        """Over (positive) or short (negative)."""
        return self.declared - self.expected
