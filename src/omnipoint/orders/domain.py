"""Order rules with no ORM: what a checkout may be (channel x method x payment mode), how long
its goods are held, routing, the state table, pickup codes.

Routing chooses where an order's goods come from. The rule, in order:
  1. capability: the location must be able to do the job (ship to a home within its delivery
     radius; or, for pickup, hold the goods at the pickup outlet or send them there);
  2. fewest shipments: one location that has everything beats two that share it;
  3. distance: among equally few shipments, the smallest total distance to the customer (for
     delivery) or to the pickup outlet (for transfers).
Every decision carries its reasons so staff can see why.
"""

import itertools
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _

from omnipoint.core.channels import Channel
from omnipoint.core.errors import InvalidStateError, ValidationError
from omnipoint.core.explain import Explanation
from omnipoint.core.geo import haversine_km

EXACT_SEARCH_MAX_SHIPMENTS = 3
EXACT_SEARCH_CANDIDATES = 25


# --- what a checkout may be -----------------------------------------------------------------


class Method(models.TextChoices):
    """How the goods reach the customer."""

    DELIVERY = "delivery", _("Home delivery")  # from a warehouse or ship-from-store, as routed
    PICKUP = "pickup", _("Pick up at an outlet")  # 线上支付线下提货
    COUNTER = "counter", _("Counter sale")
    TRY_IN_STORE = "try_in_store", _("Reserve online, try in store")


class PaymentMode(models.TextChoices):
    """When and where an order is paid."""

    ONLINE = "online", _("Paid online before fulfilment")
    AT_OUTLET = "at_outlet", _("Paid at the outlet")
    ON_DELIVERY = "on_delivery", _("Paid on delivery")
    COUNTER = "counter", _("Paid at the counter")  # tenders taken at once


STAFF_CHANNELS = frozenset({Channel.HOTLINE, Channel.POS, Channel.PDA})
PICKUP_METHODS = frozenset({Method.PICKUP, Method.TRY_IN_STORE})
PAYMENT_MODES: dict[str, frozenset[str]] = {
    Method.COUNTER: frozenset({PaymentMode.COUNTER}),
    Method.PICKUP: frozenset({PaymentMode.ONLINE, PaymentMode.AT_OUTLET}),
    Method.DELIVERY: frozenset({PaymentMode.ONLINE, PaymentMode.ON_DELIVERY}),
    Method.TRY_IN_STORE: frozenset({PaymentMode.AT_OUTLET}),
}


def check_checkout(channel: str, method: str, payment_mode: str) -> None:
    """The channel x method x payment mode an order may have: each method is paid its own ways,
    and counter sales are made at the POS, which makes only counter sales."""
    if channel not in Channel.values:
        raise ValidationError(f"unknown channel {channel}", code="invalid_channel")
    if method not in Method.values:
        raise ValidationError(f"unknown method {method}", code="invalid_method")
    if payment_mode not in PAYMENT_MODES[method]:
        raise ValidationError(
            f"a {method} order is paid {' or '.join(sorted(PAYMENT_MODES[method]))}",
            code="invalid_payment_mode",
        )
    if (method == Method.COUNTER) != (channel == Channel.POS):
        raise ValidationError(
            "counter sales are made at the POS, and the POS makes counter sales", code="invalid_method"
        )


def confirmed_at_once(payment_mode: str) -> bool:
    """Paid at the outlet or on delivery: the outlets get to work as soon as it is placed."""
    return payment_mode in (PaymentMode.AT_OUTLET, PaymentMode.ON_DELIVERY)


def has_payment_deadline(payment_mode: str) -> bool:
    """Paid online or at the counter: unpaid by the deadline, the order is cancelled."""
    return payment_mode in (PaymentMode.ONLINE, PaymentMode.COUNTER)


@dataclass(frozen=True)
class HoldRules:
    """The hold windows as configured (settings), for ``hold_window``."""

    payment_timeout: timedelta
    try_in_store: timedelta
    delivery: timedelta
    pickup_paid: timedelta
    pickup_unpaid: timedelta


def hold_window(method: str, payment_mode: str, *, paid: bool, rules: HoldRules) -> timedelta:
    """How long an order's goods stay held: awaiting online payment, a little past the payment
    timeout (which cancels first); then the time to fulfil: a paid pickup longer than an unpaid
    one (pay at the outlet), a delivery until it ships. When a hold lapses the order is
    cancelled and refunded."""
    if method == Method.COUNTER:
        return rules.payment_timeout
    if method == Method.TRY_IN_STORE:
        return rules.try_in_store
    if payment_mode == PaymentMode.ONLINE and not paid:
        return rules.payment_timeout + timedelta(minutes=15)
    if method == Method.DELIVERY:
        return rules.delivery
    return rules.pickup_paid if paid else rules.pickup_unpaid


class RouteWhy(StrEnum):
    """The reasons of a routing decision (worded in ``orders/explain.py``)."""

    ONE_LOCATION = "route_one_location"
    FEWEST_SHIPMENTS = "route_fewest_shipments"  # count
    GREEDY_COVER = "route_greedy_cover"  # count, most (the exact search's limit)
    DO_NOT_SHIP = "route_do_not_ship"  # count
    BEYOND_RADIUS = "route_beyond_radius"  # count
    SHIPS = "route_ships"  # location, count (lines), km
    HOLDS_FOR_PICKUP = "route_holds_for_pickup"  # location, held, count (lines)
    LACKS_FOR_PICKUP = "route_lacks_for_pickup"  # location, count (lines)
    TRANSFER_FROM = "route_transfer_from"  # location, km, pickup
    COUNTER_SALE = "route_counter_sale"  # location
    FLASH_POOL = "route_flash_pool"  # location: a flash sale's pool


@dataclass(frozen=True)
class Candidate:
    location_id: int
    code: str
    lat: float
    lng: float
    ships: bool  # may send parcels: a warehouse or a ship-from-store outlet
    delivery_radius_km: float
    available: dict[int, int]  # sku_id -> quantity free for online orders (safety stock left out)


@dataclass(frozen=True)
class Shipment:
    location_id: int
    code: str
    distance_km: float
    lines: tuple[tuple[int, int], ...]  # (sku_id, quantity)


@dataclass
class RoutePlan:
    shipments: list[Shipment]  # where stock is held for the order
    transfers: list[Shipment] = field(default_factory=list)  # for pickup: legs to the pickup outlet
    reasons: list[Explanation] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        def ship(s: Shipment) -> dict[str, object]:
            return {
                "location_id": s.location_id,
                "code": s.code,
                "distance_km": round(s.distance_km, 2),
                "lines": [{"sku_id": k, "quantity": q} for k, q in s.lines],
            }

        return {
            "shipments": [ship(s) for s in self.shipments],
            "transfers": [ship(s) for s in self.transfers],
            "reasons": [r.as_json() for r in self.reasons],
        }


class NoRouteError(InvalidStateError):
    code = "insufficient_stock"
    status = 409


def _covers(c: Candidate, sku_id: int, qty: int) -> bool:
    return c.available.get(sku_id, 0) >= qty


def _assign(
    group: tuple[Candidate, ...], lines: dict[int, int], dist: dict[int, float]
) -> dict[int, int] | None:
    """Each line to the nearest member of ``group`` that has all of it, or None if one cannot."""
    out = {}
    for sku_id, qty in lines.items():
        able = [c for c in group if _covers(c, sku_id, qty)]
        if not able:
            return None
        out[sku_id] = min(able, key=lambda c: (dist[c.location_id], c.location_id)).location_id
    if len(set(out.values())) != len(group):
        return None  # a member with nothing to send: a smaller group does the same job
    return out


def plan_fewest_shipments(
    lines: dict[int, int], candidates: list[Candidate], dist: dict[int, float], reasons: list[Explanation]
) -> list[Shipment]:
    """Fewest locations that together hold every line whole, then the least total distance.

    Exact for up to three shipments over the nearest candidates; beyond that a greedy cover
    (most lines first), which is what a planner would do by hand.
    """
    useful = sorted(
        (c for c in candidates if any(_covers(c, s, q) for s, q in lines.items())),
        key=lambda c: (dist[c.location_id], c.location_id),
    )
    by_id = {c.location_id: c for c in useful}
    pool = useful[:EXACT_SEARCH_CANDIDATES]
    for size in range(1, min(EXACT_SEARCH_MAX_SHIPMENTS, len(lines)) + 1):
        best: tuple[float, dict[int, int]] | None = None
        for group in itertools.combinations(pool, size):
            assignment = _assign(group, lines, dist)
            if assignment is None:
                continue
            total = sum(dist[c.location_id] for c in group)
            if best is None or total < best[0]:
                best = (total, assignment)
        if best is not None:
            if size == 1:
                reasons.append(Explanation(RouteWhy.ONE_LOCATION))
            else:
                reasons.append(Explanation(RouteWhy.FEWEST_SHIPMENTS, {"count": size}))
            return _shipments(best[1], lines, by_id, dist)
    # Greedy fallback: take the location holding the most remaining lines, nearest on ties.
    remaining, assignment = dict(lines), {}
    while remaining:
        pick = max(
            useful,
            key=lambda c: (sum(_covers(c, s, q) for s, q in remaining.items()), -dist[c.location_id]),
            default=None,
        )
        covered = [s for s, q in remaining.items() if pick is not None and _covers(pick, s, q)]
        if pick is None or not covered:
            missing = min(remaining)
            raise NoRouteError(
                f"no location can supply SKU {missing} x{remaining[missing]}",
                sku_id=missing,
                requested=remaining[missing],
            )
        for s in covered:
            assignment[s] = pick.location_id
            del remaining[s]
    reasons.append(
        Explanation(
            RouteWhy.GREEDY_COVER,
            {"count": len(set(assignment.values())), "most": EXACT_SEARCH_MAX_SHIPMENTS},
        )
    )
    return _shipments(assignment, lines, by_id, dist)


def _shipments(
    assignment: dict[int, int], lines: dict[int, int], by_id: dict[int, Candidate], dist: dict[int, float]
) -> list[Shipment]:
    grouped: dict[int, list[tuple[int, int]]] = {}
    for sku_id in sorted(assignment):
        grouped.setdefault(assignment[sku_id], []).append((sku_id, lines[sku_id]))
    return [Shipment(loc, by_id[loc].code, dist[loc], tuple(grouped[loc])) for loc in sorted(grouped)]


def route_delivery(
    *, lines: dict[int, int], lat: float, lng: float, candidates: list[Candidate]
) -> RoutePlan:
    dist = {c.location_id: haversine_km(lat, lng, c.lat, c.lng) for c in candidates}
    reasons: list[Explanation] = []
    shippers = [c for c in candidates if c.ships]
    in_radius = [c for c in shippers if dist[c.location_id] <= c.delivery_radius_km]
    if len(shippers) < len(candidates):
        reasons.append(Explanation(RouteWhy.DO_NOT_SHIP, {"count": len(candidates) - len(shippers)}))
    if len(in_radius) < len(shippers):
        reasons.append(Explanation(RouteWhy.BEYOND_RADIUS, {"count": len(shippers) - len(in_radius)}))
    shipments = plan_fewest_shipments(lines, in_radius, dist, reasons)
    for s in shipments:
        reasons.append(
            Explanation(
                RouteWhy.SHIPS, {"location": s.code, "count": len(s.lines), "km": round(s.distance_km, 1)}
            )
        )
    return RoutePlan(shipments=shipments, reasons=reasons)


def route_pickup(*, lines: dict[int, int], pickup: Candidate, candidates: list[Candidate]) -> RoutePlan:
    """Hold at the pickup outlet what it has; bring the rest from the nearest locations."""
    here = {s: q for s, q in lines.items() if _covers(pickup, s, q)}
    missing = {s: q for s, q in lines.items() if s not in here}
    reasons: list[Explanation] = []
    shipments = []
    if here:
        shipments.append(Shipment(pickup.location_id, pickup.code, 0.0, tuple(sorted(here.items()))))
        reasons.append(
            Explanation(
                RouteWhy.HOLDS_FOR_PICKUP, {"location": pickup.code, "held": len(here), "count": len(lines)}
            )
        )
    if not missing:
        return RoutePlan(shipments=shipments, reasons=reasons)
    others = [c for c in candidates if c.location_id != pickup.location_id]
    dist = {c.location_id: haversine_km(pickup.lat, pickup.lng, c.lat, c.lng) for c in others}
    reasons.append(Explanation(RouteWhy.LACKS_FOR_PICKUP, {"location": pickup.code, "count": len(missing)}))
    legs = plan_fewest_shipments(missing, others, dist, reasons)
    for leg in legs:
        reasons.append(
            Explanation(
                RouteWhy.TRANSFER_FROM,
                {"location": leg.code, "km": round(leg.distance_km, 1), "pickup": pickup.code},
            )
        )
    return RoutePlan(shipments=shipments + legs, transfers=legs, reasons=reasons)


# --- the state table ------------------------------------------------------------------------


class OrderWhy(StrEnum):
    """Why the system moved an order (an event's ``reason``; staff type theirs as text)."""

    PAY_AT_OUTLET = "order_pay_at_outlet"
    PAY_ON_DELIVERY = "order_pay_on_delivery"
    PAID_ONLINE = "order_paid_online"
    TRANSFER_RECEIVED = "order_transfer_received"
    REFUNDED_IN_FULL = "order_refunded_in_full"
    PAYMENT_TIMED_OUT = "order_payment_timed_out"
    HOLD_LAPSED = "order_hold_lapsed"
    GOODS_ON_THE_ROAD = "order_goods_on_the_road"


# An OrderReturn's reason when it is a virtual line its provider refused (no goods came back).
VIRTUAL_REFUSED = "virtual_refused"

TRANSITIONS: dict[str, set[str]] = {
    "pending": {"confirmed", "cancelled", "completed"},
    "confirmed": {"ready", "shipped", "completed", "cancelled"},
    "ready": {"completed", "cancelled"},
    "shipped": {"completed"},
    "completed": set(),
    "cancelled": set(),
}


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, set()):
        raise InvalidStateError(
            f"an order that is {current} cannot become {target}", code="order_wrong_state", state=current
        )


# --- pickup codes ---------------------------------------------------------------------------

PICKUP_CODE_DIGITS = 8
MAX_PICKUP_FAILURES_PER_ORDER = 5
MAX_PICKUP_FAILURES_PER_CLERK_HOUR = 20


def pickup_code_new() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PICKUP_CODE_DIGITS))
