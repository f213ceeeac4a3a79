"""Order writes: place, confirm, fulfil through the outlets, hand over, cancel, return.

One transaction per service. Order state changes are compare-and-set on the current state
(``filter(pk=..., state=old).update(state=new)``, then check one row changed), so a payment
and a timeout racing on the same order cannot both win. Stock moves only through the
inventory services; money only through the payments services.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from omnipoint.catalog.models import Sku
from omnipoint.catalog.selectors import prices_get
from omnipoint.core.channels import Channel
from omnipoint.core.errors import (
    ConflictError,
    DomainError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
    require_quantity,
)
from omnipoint.core.explain import Explanation, in_english
from omnipoint.core.geo import bounding_box
from omnipoint.inventory import services as inventory
from omnipoint.inventory.checks import OWNER_CHECKS
from omnipoint.inventory.models import (
    MovementKind,
    OwnerKind,
    Reservation,
    ReservationLine,
    ReservationState,
    StockLevel,
    Transfer,
)
from omnipoint.loyalty import services as loyalty
from omnipoint.marketing import selectors as marketing_selectors
from omnipoint.marketing import services as marketing
from omnipoint.marketing.domain import PricedLine
from omnipoint.members.domain import normalise_mobile
from omnipoint.members.models import Member
from omnipoint.members.selectors import member_for_user_or_none
from omnipoint.members.services import member_get_or_create
from omnipoint.orders import domain, selectors
from omnipoint.orders.models import (
    Method,
    Order,
    OrderEvent,
    OrderLine,
    OrderReturn,
    OrderState,
    PaymentState,
    PickTask,
    PickupAttempt,
    PickupGuessCount,
    TaskState,
)
from omnipoint.outlets.domain import SYSTEM, Actor, Perm, Role
from omnipoint.outlets.models import Outlet, OutletKind, Region, Staff
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.services import payment_capture, payments_sync, refund_to_tenders
from omnipoint.showrooms import services as showrooms

STAFF_CHANNELS = {Channel.HOTLINE, Channel.POS, Channel.PDA}
PAYMENT_MODES: dict[str, set[str]] = {
    Method.COUNTER: {"counter"},
    Method.PICKUP: {"online", "at_outlet"},
    Method.DELIVERY: {"online", "on_delivery"},
    Method.TRY_IN_STORE: {"at_outlet"},
}
MAX_ORDER_LINES = 50


class PickupCodeError(DomainError):
    code = "pickup_code_invalid"
    status = 422


class TooManyAttemptsError(DomainError):
    code = "pickup_locked"
    status = 429


@dataclass(frozen=True)
class LineRequest:
    sku_id: int
    quantity: int
    installation: bool = False


def _event(order: Order, kind: str, *, user_id: int | None = None, channel: str = "", **data: object) -> None:
    OrderEvent.objects.create(order=order, kind=kind, actor_id=user_id, channel=channel, data=data)


def _set_state(order: Order, frm: str | set[str], to: str, **fields: object) -> None:
    """Compare-and-set the order's state; a loser learns the state that beat it."""
    allowed = {frm} if isinstance(frm, str) else frm
    for state in allowed:
        domain.check_transition(state, to)
    if Order.objects.filter(pk=order.pk, state__in=allowed).update(state=to, **fields) != 1:
        current = Order.objects.values_list("state", flat=True).get(pk=order.pk)
        raise InvalidStateError(f"order {order.number} is {current}", code="order_wrong_state", state=current)
    order.state = to
    for name, value in fields.items():
        setattr(order, name, value)


def _hold_refs(order: Order) -> list[Reservation]:
    return list(
        Reservation.objects.filter(
            owner_kind=OwnerKind.ORDER,
            owner_ref__startswith=f"order:{order.pk}:",
            state=ReservationState.HELD,
        ).order_by("pk")
    )


def _transfers(order: Order, *states: str):  # type: ignore[no-untyped-def]
    """The transfers carrying this order's goods (its own holds only, never a look-alike)."""
    return Transfer.objects.filter(
        reservation__owner_kind=OwnerKind.ORDER,
        reservation__owner_ref__startswith=f"order:{order.pk}:",
        state__in=states,
    )


OPEN_STATES = (OrderState.PENDING, OrderState.CONFIRMED, OrderState.READY)


def _hold_window(method: str, payment_mode: str, *, paid: bool) -> timedelta:
    """How long an order's goods stay held: the stated rule. Awaiting online payment, a little
    past the payment timeout (which cancels first); then the time to fulfil: a paid pickup
    longer than an unpaid one (pay at the outlet), a delivery until it ships. When a hold
    lapses the order is cancelled and refunded (``_hold_lapsed``)."""
    timeout = timedelta(seconds=settings.ORDER_PAYMENT_TIMEOUT_SECONDS)
    if method == Method.COUNTER:
        return timeout
    if method == Method.TRY_IN_STORE:
        return timedelta(hours=settings.ORDER_TRY_IN_STORE_HOURS)
    if payment_mode == "online" and not paid:
        return timeout + timedelta(minutes=15)
    if method == Method.DELIVERY:
        return timedelta(hours=settings.ORDER_DELIVERY_HOLD_HOURS)
    hours = settings.ORDER_PICKUP_HOLD_HOURS if paid else settings.ORDER_PICKUP_UNPAID_HOLD_HOURS
    return timedelta(hours=hours)


def _commit_holds(order: Order) -> None:
    """The goods leave as a sale: every unit of the order must still be held for it, or
    nothing is handed over (a lapsed or lost hold means those units may be sold already)."""
    holds = _hold_refs(order)
    held: dict[int, int] = {}
    for sku_id, qty in ReservationLine.objects.filter(reservation__in=holds).values_list(
        "sku_id", "quantity"
    ):
        held[sku_id] = held.get(sku_id, 0) + qty
    wanted = dict(order.lines.values_list("sku_id", "quantity"))
    if held != wanted:
        raise InvalidStateError(
            f"order {order.number} no longer has all its goods held; it cannot be completed",
            code="order_holds_lapsed",
        )
    for hold in holds:
        inventory.reservation_commit(
            actor=SYSTEM, reservation_id=hold.pk, kind=MovementKind.SALE, reference=f"order:{order.number}"
        )


# --- placing --------------------------------------------------------------------------------


def _normalise(lines: list[LineRequest]) -> dict[int, LineRequest]:
    if not lines:
        raise ValidationError("an order needs at least one line", code="no_lines")
    if len(lines) > MAX_ORDER_LINES:
        raise ValidationError(f"at most {MAX_ORDER_LINES} lines", code="too_many_lines")
    merged: dict[int, LineRequest] = {}
    for line in lines:
        require_quantity(line.quantity)
        prev = merged.get(line.sku_id)
        qty = line.quantity + (prev.quantity if prev else 0)
        merged[line.sku_id] = LineRequest(
            line.sku_id, require_quantity(qty), line.installation or bool(prev and prev.installation)
        )
    return merged


def _outlet(outlet_id: int | None, *, field: str) -> Outlet | None:
    if outlet_id is None:
        return None
    outlet = Outlet.objects.select_related("region").filter(pk=outlet_id, is_active=True).first()
    if outlet is None:
        raise NotFoundError(f"{field} {outlet_id} not found", code="outlet_not_found", field=field)
    return outlet


def _candidates(sku_ids: list[int], lat: float, lng: float, *, ships_only: bool) -> list[domain.Candidate]:
    """Locations near a point with some of these SKUs free for online orders. One query."""
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, settings.ROUTING_RADIUS_KM)
    rows = (
        StockLevel.objects.sellable()
        .filter(
            sku_id__in=sku_ids,
            location__is_active=True,
            location__lat__range=(min_lat, max_lat),
            location__lng__range=(min_lng, max_lng),
        )
        .values_list(
            "location_id",
            "location__code",
            "location__lat",
            "location__lng",
            "location__kind",
            "location__ships_from_store",
            "location__delivery_radius_km",
            "sku_id",
            "on_hand",
            "reserved",
            "safety_stock",
        )
    )
    found: dict[int, tuple[str, float, float, bool, float, dict[int, int]]] = {}
    for loc, code, olat, olng, kind, sfs, radius, sku_id, on_hand, reserved, safety in rows:
        ships = kind == OutletKind.WAREHOUSE or sfs
        if ships_only and not ships:
            continue
        entry = found.setdefault(loc, (code, olat, olng, ships, float(radius), {}))
        entry[5][sku_id] = on_hand - reserved - safety
    return [domain.Candidate(loc, c, la, ln, s, r, av) for loc, (c, la, ln, s, r, av) in found.items()]


def _route(
    method: str,
    wanted: dict[int, int],
    *,
    pickup: Outlet | None,
    origin: Outlet | None,
    lat: float | None,
    lng: float | None,
) -> domain.RoutePlan:
    if method == Method.COUNTER:
        assert origin is not None
        lines = tuple(sorted(wanted.items()))
        return domain.RoutePlan(
            shipments=[domain.Shipment(origin.pk, origin.code, 0.0, lines)],
            reasons=[Explanation(domain.RouteWhy.COUNTER_SALE, {"location": origin.code})],
        )
    if method in (Method.PICKUP, Method.TRY_IN_STORE):
        assert pickup is not None
        candidates = _candidates(list(wanted), pickup.lat, pickup.lng, ships_only=False)
        here = next((c for c in candidates if c.location_id == pickup.pk), None)
        if method == Method.TRY_IN_STORE:  # the customer comes to try it: it must be there now
            candidates = [here] if here else []
        pickup_candidate = here or domain.Candidate(
            pickup.pk, pickup.code, pickup.lat, pickup.lng, False, 0, {}
        )
        return domain.route_pickup(lines=wanted, pickup=pickup_candidate, candidates=candidates)
    assert lat is not None and lng is not None
    return domain.route_delivery(
        lines=wanted, lat=lat, lng=lng, candidates=_candidates(list(wanted), lat, lng, ships_only=True)
    )


def _authorize_channel(user, channel: str, origin: Outlet | None) -> tuple[Actor | None, Staff | None]:  # type: ignore[no-untyped-def]
    """Staff channels need a staff member who may sell, at an outlet in their scope."""
    if channel not in STAFF_CHANNELS:
        return None, None
    if user is None or not user.is_authenticated:
        raise PermissionDeniedError(f"the {channel} channel is for staff", code="staff_channel")
    actor = actor_get(user=user)
    actor.require(Perm.STOCK_SELL)
    if channel in (Channel.POS, Channel.PDA) and origin is None:
        raise ValidationError(f"a {channel} order needs origin_outlet_id", code="origin_required")
    if origin is not None and not actor.scope.covers_outlet(
        outlet_id=origin.pk, region_path=origin.region_path
    ):
        raise NotFoundError(f"origin_outlet {origin.pk} not found", code="outlet_not_found")
    staff = Staff.objects.filter(pk=actor.staff_id).first() if actor.staff_id else None
    return actor, staff


def _salesperson(channel: str, salesperson_id: int | None, staff: Staff | None) -> Staff | None:
    if salesperson_id is not None:
        sp = Staff.objects.filter(pk=salesperson_id, role=Role.SALESPERSON).first()
        if sp is None:
            raise NotFoundError(f"salesperson {salesperson_id} not found", code="salesperson_not_found")
        return sp
    if channel == Channel.SHOWROOM:
        raise ValidationError("a showroom order names its salesperson", code="salesperson_required")
    if staff is not None and staff.role == Role.SALESPERSON:
        return staff
    return None


def _pricing_region(method: str, *, pickup: Outlet | None, origin: Outlet | None, region_code: str) -> Region:
    outlet = (
        pickup
        if method in (Method.PICKUP, Method.TRY_IN_STORE)
        else origin
        if method == Method.COUNTER
        else None
    )
    if outlet is not None:
        return outlet.region
    region = Region.objects.filter(code=region_code).first() if region_code else None
    if region is None:
        raise ValidationError(
            "a delivery order needs the district (region_code) it goes to", code="region_required"
        )
    return region


@transaction.atomic
def order_place(
    *,
    user,
    channel: str,
    method: str,
    lines: list[LineRequest],
    payment_mode: str = "online",  # type: ignore[no-untyped-def]
    mobile: str = "",
    customer_name: str = "",
    member_id: int | None = None,
    pickup_outlet_id: int | None = None,
    origin_outlet_id: int | None = None,
    region_code: str = "",
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    salesperson_id: int | None = None,
    coupon_codes: list[str] | None = None,
) -> Order:
    """Check out: price the lines (promotions apply by themselves; coupons are named in
    ``coupon_codes``), route them, hold the coupons and the stock, record who and where.

    ``user`` is whoever sends the order: a member on the storefront (or an anonymous guest
    giving a mobile number), a partner system, or a staff member on a staff channel (hotline,
    counter, handheld) keying it in for a customer.
    """
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
    wanted = _normalise(lines)
    origin = _outlet(origin_outlet_id, field="origin_outlet")
    pickup = _outlet(pickup_outlet_id, field="pickup_outlet")
    actor, staff = _authorize_channel(user, channel, origin)
    if method in (Method.PICKUP, Method.TRY_IN_STORE) and (pickup is None or not pickup.pickup_point):
        raise ValidationError("choose an outlet that is a pickup point", code="pickup_outlet_required")
    if method == Method.DELIVERY and (lat is None or lng is None or not address.strip()):
        raise ValidationError("a delivery order needs an address with coordinates", code="address_required")
    if method == Method.COUNTER and origin is not None and not origin.sells_at_counter:
        raise ValidationError(f"{origin.code} has no counter", code="no_counter")

    member, as_member = _member(user, mobile=mobile, name=customer_name, member_id=member_id, channel=channel)
    salesperson = _salesperson(channel, salesperson_id, staff)
    region = _pricing_region(method, pickup=pickup, origin=origin, region_code=region_code)

    limited = channel not in STAFF_CHANNELS  # staff at the counter or phone judge for themselves
    skus = {
        s.pk: s
        for s in Sku.objects.select_related("product")
        .filter(pk__in=wanted, is_active=True, product__is_active=True)
        .annotate(open_units=_open_units(member if limited else None))
    }
    missing = sorted(set(wanted) - set(skus))
    if missing:
        raise NotFoundError(f"SKU {missing[0]} not found", code="sku_not_found", sku_id=missing[0])
    if limited:
        _check_quantity_limits(wanted, skus)
    prices = prices_get(sku_ids=list(wanted), region=region, channel=channel)
    unpriced = sorted(set(wanted) - set(prices))
    if unpriced:
        raise ValidationError(
            f"SKU {unpriced[0]} has no price in {region.name}", code="no_price", sku_id=unpriced[0]
        )
    priced = [
        PricedLine(
            s,
            skus[s].product_id,
            skus[s].product.category_id,
            ln.quantity,
            prices[s].amount,
            tuple(prices[s].reasons),
        )
        for s, ln in sorted(wanted.items())
    ]
    at_outlet = (
        pickup
        if method in (Method.PICKUP, Method.TRY_IN_STORE)
        else origin
        if method == Method.COUNTER
        else None
    )
    pricing = marketing_selectors.checkout_price(
        lines=priced,
        channel=channel,
        region_path=region.path,
        outlet_id=at_outlet.pk if at_outlet else None,
        member=member if as_member else None,
        coupon_codes=coupon_codes or [],
    )
    quote = {ln.sku_id: ln for ln in pricing.quote.lines}

    plan = _route(
        method, {s: ln.quantity for s, ln in wanted.items()}, pickup=pickup, origin=origin, lat=lat, lng=lng
    )
    now = timezone.now()
    timeout = timedelta(seconds=settings.ORDER_PAYMENT_TIMEOUT_SECONDS)
    hold = _hold_window(method, payment_mode, paid=False)
    order = Order.objects.create(
        number=f"{timezone.localdate():%y%m%d}{secrets.randbelow(10**10):010d}",
        channel=channel,
        method=method,
        payment_mode=payment_mode,
        member=member,
        customer_name=(customer_name or (member.name if member else ""))[:60],
        customer_mobile=member.mobile if member else "",
        origin_outlet=origin,
        keyed_by_id=user.pk if actor else None,
        salesperson=salesperson,
        pickup_outlet=pickup,
        address=address[:200],
        lat=lat,
        lng=lng,
        total=pricing.quote.total,
        routing=plan.as_json(),
        payment_deadline=now + timeout if payment_mode in ("online", "counter") else None,
        hold_until=now + hold if method == Method.TRY_IN_STORE else None,
        pickup_code=domain.pickup_code_new() if method in (Method.PICKUP, Method.TRY_IN_STORE) else "",
    )
    location_of = {sku_id: s.location_id for s in plan.shipments for sku_id, _ in s.lines}
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                sku_id=s,
                quantity=ln.quantity,
                unit_price=prices[s].amount,
                discount=quote[s].discount,
                amount=quote[s].amount,
                price_explanation=[e.as_json() for e in quote[s].explanation],
                location_id=location_of[s],
                installation=ln.installation,
            )
            for s, ln in sorted(wanted.items())
        ]
    )
    marketing.coupons_hold(actor=SYSTEM, pricing=pricing, order_id=order.pk)  # before stock: one lock order
    for shipment in sorted(plan.shipments, key=lambda s: s.location_id):
        inventory.stock_reserve(
            actor=SYSTEM,
            owner_ref=f"order:{order.pk}:{shipment.location_id}",
            lines=[(shipment.location_id, s, q) for s, q in shipment.lines],
            ttl_seconds=int(hold.total_seconds()),
            channel=channel,
            respect_safety_stock=method != Method.COUNTER,
            owner_kind=OwnerKind.ORDER,
        )
    _event(
        order,
        "placed",
        user_id=user.pk if user is not None and user.is_authenticated else None,
        channel=channel,
        method=method,
        total=order.total,
        discount=pricing.quote.discount,
        coupons=pricing.quote.coupons,
        routing=[r.as_json() for r in plan.reasons],
    )
    if payment_mode in ("at_outlet", "on_delivery"):
        why = (
            domain.OrderWhy.PAY_AT_OUTLET if payment_mode == "at_outlet" else domain.OrderWhy.PAY_ON_DELIVERY
        )
        order_confirm(order=order, reason=Explanation(why))
    elif order.total == 0:  # discounted to nothing: nothing to wait for
        order_payment_applied(order_id=order.pk, paid_total=0)
        order.refresh_from_db()
    return order


def _open_units(member: Member | None) -> Coalesce | Value:
    """Units of each SKU in the member's open orders, as an annotation of the SKU query (no
    extra round trip). The member's row is locked first (PostgreSQL; SQLite runs one writer at a
    time), so two checkouts of one member are counted one after the other."""
    if member is None:
        return Value(0)
    if connection.vendor == "postgresql":
        list(Member.objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True))
    lines = OrderLine.objects.filter(sku=OuterRef("pk"), order__member=member, order__state__in=OPEN_STATES)
    return Coalesce(Subquery(lines.values("sku").annotate(t=Sum("quantity")).values("t")), 0)


def _check_quantity_limits(wanted: dict[int, LineRequest], skus: Mapping[int, Sku]) -> None:
    """No one holds a shelf: per SKU, so many units an order, so many in a member's open orders."""
    for sku_id, line in sorted(wanted.items()):
        sku = skus[sku_id]
        per_order = sku.max_per_order or settings.ORDER_MAX_UNITS_PER_SKU
        if line.quantity > per_order:
            raise ValidationError(
                f"at most {per_order} of SKU {sku.code} in one order",
                code="quantity_limit",
                sku_id=sku_id,
                limit=per_order,
            )
        per_member = sku.max_per_member or settings.MEMBER_MAX_OPEN_UNITS_PER_SKU
        held = sku.open_units  # type: ignore[attr-defined]
        if held + line.quantity > per_member:
            raise ConflictError(
                f"at most {per_member} of SKU {sku.code} in a member's open orders; {held} already are",
                code="member_quantity_limit",
                sku_id=sku_id,
                limit=per_member,
                open=held,
            )


def _member(
    user, *, mobile: str, name: str, member_id: int | None, channel: str
) -> tuple[Member | None, bool]:  # type: ignore[no-untyped-def]
    """Whom the order is for, and whether that member's own prices and coupons apply.

    Staff channels name the customer (``member_id`` or ``mobile``). Elsewhere a signed-in member
    acts only as themselves; anyone else is a guest whose mobile number the order is recorded
    under, priced as a guest: a tier or a coupon is used only by the member who signed in."""
    if channel in STAFF_CHANNELS:
        if member_id is not None:
            member = Member.objects.filter(pk=member_id).first()
            if member is None:
                raise NotFoundError(f"member {member_id} not found", code="member_not_found")
            return member, True
        if mobile:
            return member_get_or_create(actor=SYSTEM, mobile=mobile, name=name), True
        return None, False
    own = member_for_user_or_none(user=user)
    if own is not None:
        if (member_id is not None and member_id != own.pk) or (
            mobile and normalise_mobile(mobile) != own.mobile
        ):
            raise PermissionDeniedError("a member places orders only as themselves", code="not_yourself")
        return own, True
    if member_id is not None:
        raise PermissionDeniedError("only staff channels name a member", code="not_yourself")
    if not mobile:
        raise ValidationError("give the customer's mobile number", code="mobile_required")
    return member_get_or_create(actor=SYSTEM, mobile=mobile, name=name), False


# --- confirmation and payment ---------------------------------------------------------------


def _expected_ready(distance_km: float) -> timedelta:
    """A transfer leg: two hours to pick and dispatch, then the road at 30 km/h."""
    return timedelta(hours=2) + timedelta(hours=distance_km / 30)


def order_confirm(*, order: Order, reason: Explanation) -> Order:
    """Payment is secured (paid, or due at the outlet / on delivery): the outlets get to work.

    Creates a pick task per fulfilling outlet, and for goods that must travel to the pickup
    outlet a transfer carrying their hold, with the time they are expected to be ready.
    """
    _set_state(order, OrderState.PENDING, OrderState.CONFIRMED)
    routing = order.routing
    tasks: list[PickTask] = []
    legs = {leg["location_id"]: leg for leg in routing.get("transfers", [])}
    holds = {int(r.owner_ref.rsplit(":", 1)[1]): r for r in _hold_refs(order)}
    latest_ready = timezone.now()
    for location_id, leg in sorted(legs.items()):
        expected = timezone.now() + _expected_ready(float(leg["distance_km"]))
        latest_ready = max(latest_ready, expected)
        transfer = inventory.transfer_create(
            actor=SYSTEM,
            source_id=location_id,
            destination_id=order.pickup_outlet_id,  # type: ignore[arg-type]
            lines=[(ln["sku_id"], ln["quantity"]) for ln in leg["lines"]],
            note=order.number,  # a number, in no language (the console says it is an order)
            reservation_id=holds[location_id].pk,
            expected_at=expected,
        )
        tasks.append(PickTask(order=order, location_id=location_id, purpose="transfer", transfer=transfer))
    if order.method in (Method.PICKUP, Method.TRY_IN_STORE):
        tasks.append(
            PickTask(
                order=order,
                location_id=order.pickup_outlet_id,  # type: ignore[misc]
                purpose="pickup",
                state=TaskState.WAITING if legs else TaskState.QUEUED,
            )
        )
    elif order.method == Method.DELIVERY:
        tasks += [
            PickTask(order=order, location_id=s["location_id"], purpose="ship") for s in routing["shipments"]
        ]
    PickTask.objects.bulk_create(tasks)
    if legs:
        routing["expected_ready_at"] = latest_ready.isoformat()
        Order.objects.filter(pk=order.pk).update(routing=routing)
    _event(order, "confirmed", reason=reason.as_json(), tasks=len(tasks), transfers=len(legs))
    return order


@transaction.atomic
def order_payment_applied(*, order_id: int, paid_total: int) -> bool:
    """Payments call this (``payments.hooks.PAYMENT_APPLIED``) when the money taken for an order
    changes. Returns False when the order can no longer take money (it was cancelled first): the
    caller refunds."""
    order = Order.objects.get(pk=order_id)
    if order.state == OrderState.CANCELLED:
        return False
    if paid_total < order.total or order.payment_state != PaymentState.UNPAID:
        return True
    Order.objects.filter(pk=order.pk, payment_state=PaymentState.UNPAID).update(
        payment_state=PaymentState.PAID
    )
    order.payment_state = PaymentState.PAID
    marketing.coupons_redeem(actor=SYSTEM, order_id=order.pk)
    paid_window = _hold_window(order.method, order.payment_mode, paid=True)
    for hold in _hold_refs(order):  # paid: the goods are held for the time to fulfil
        inventory.reservation_renew(
            actor=SYSTEM, reservation_id=hold.pk, ttl_seconds=int(paid_window.total_seconds())
        )
    _event(order, "paid", amount=paid_total)
    if order.state == OrderState.PENDING:
        if order.method == Method.COUNTER:
            _complete(order, frm={OrderState.PENDING}, kind="counter sale")
        else:
            order_confirm(order=order, reason=Explanation(domain.OrderWhy.PAID_ONLINE))
    return True


def order_refunded(*, order_id: int, paid: int, refunded: int, user_id: int | None = None) -> None:
    """Payments call this (``payments.hooks.ORDER_REFUNDED``) when money went back for an order:
    its payment state follows what it was paid and what went back, and never goes back from
    refunded. An open order refunded in full is cancelled (its holds go back); nothing is left to
    give back."""
    new = PaymentState.REFUNDED if refunded >= paid else PaymentState.PARTLY_REFUNDED
    allowed = {PaymentState.PAID, PaymentState.PARTLY_REFUNDED}
    if new == PaymentState.REFUNDED:
        allowed.add(PaymentState.UNPAID)  # a partly paid order that was cancelled
    Order.objects.filter(pk=order_id, payment_state__in=allowed).update(payment_state=new)
    if Order.objects.filter(pk=order_id, state__in=OPEN_STATES, payment_state=PaymentState.REFUNDED).exists():
        order_cancel(order_id=order_id, reason=Explanation(domain.OrderWhy.REFUNDED_IN_FULL), user_id=user_id)


def _check_paid(order: Order) -> None:
    """Goods leave only when the order is paid as its mode requires (cash on delivery is taken
    by order_deliver first): never unpaid, never after a refund."""
    if order.payment_state == PaymentState.PAID:
        return
    if order.payment_state == PaymentState.UNPAID:
        raise InvalidStateError(
            f"order {order.number} is to be paid at the counter first", code="payment_due", amount=order.total
        )
    raise InvalidStateError(
        f"order {order.number} was {order.payment_state.replace('_', ' ')}: it is not handed over",
        code="order_refunded",
        payment_state=order.payment_state,
    )


def _complete(order: Order, *, frm: set[str], kind: str, user_id: int | None = None) -> None:
    _set_state(order, frm, OrderState.COMPLETED, completed_at=timezone.now())
    marketing.coupons_redeem(actor=SYSTEM, order_id=order.pk)
    if order.method != Method.DELIVERY:  # a delivery's goods left when it shipped
        _commit_holds(order)
    PickTask.objects.filter(order=order).exclude(state=TaskState.CANCELLED).update(state=TaskState.DONE)
    _event(order, "completed", user_id=user_id, how=kind)
    # Points are earned when an order completes, online or at the counter alike (线下消费线上积分).
    loyalty.points_earn_for_order(actor=SYSTEM, order=selectors.order_for_points(order))
    showrooms.commission_accrue(order=selectors.order_for_commission(order))


@transaction.atomic
def order_cancel(
    *, order_id: int, reason: str | Explanation, user_id: int | None = None, pending_only: bool = False
) -> Order:
    """Cancel before completion: holds go back, money taken goes back to its tenders.
    ``pending_only``: the payment timeout cancels only what is still awaiting payment."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise NotFoundError(f"order {order_id} not found", code="order_not_found")
    if _transfers(order, "in_transit").exists():  # arrived goods are simply released where they are
        raise InvalidStateError("goods for this order are already on the road", code="order_in_transit")
    cancellable: set[str] = {OrderState.PENDING, OrderState.CONFIRMED, OrderState.READY}
    _set_state(order, {OrderState.PENDING} if pending_only else cancellable, OrderState.CANCELLED)
    marketing.coupons_release(actor=SYSTEM, order_id=order.pk)  # before the stock, as order_place takes them
    for transfer in _transfers(order, "draft"):
        inventory.transfer_cancel(actor=SYSTEM, transfer_id=transfer.pk)
    for hold in _hold_refs(order):
        inventory.reservation_release(actor=SYSTEM, reservation_id=hold.pk)
    PickTask.objects.filter(order=order).update(state=TaskState.CANCELLED)
    _event(
        order,
        "cancelled",
        user_id=user_id,
        reason=reason.as_json() if isinstance(reason, Explanation) else reason,
    )
    # Always: a split-tender order can hold tenders while still unpaid, and a payment may have
    # landed since ``order`` was read. Nothing to refund is a no-op.
    refund_to_tenders(order_id=order.pk, amount=None, reason=f"cancelled: {in_english(reason)}")
    order.refresh_from_db(fields=["payment_state"])  # what payments gave back
    return order


def orders_expire_unpaid(*, now=None, batch: int = 200) -> int:  # type: ignore[no-untyped-def]
    """The payment timeout. Asks the payment provider first, so a payment made at the last
    moment is applied rather than cancelled; then cancels what is still unpaid."""
    now = now or timezone.now()
    due = list(
        Order.objects.filter(state=OrderState.PENDING, payment_deadline__lte=now)
        .order_by("payment_deadline")
        .values_list("pk", flat=True)[:batch]
    )
    cancelled = 0
    for order_id in due:
        payments_sync(order_id=order_id)
        try:
            why = Explanation(domain.OrderWhy.PAYMENT_TIMED_OUT)
            order_cancel(order_id=order_id, reason=why, pending_only=True)
            cancelled += 1
        except InvalidStateError:
            pass  # paid meanwhile: the payment won, as it should
    return cancelled


# --- fulfilment at the outlet ---------------------------------------------------------------

TASK_FLOW = {
    "claim": ({TaskState.QUEUED}, TaskState.CLAIMED),
    "picked": ({TaskState.QUEUED, TaskState.CLAIMED}, TaskState.PICKED),
    "packed": ({TaskState.PICKED}, TaskState.PACKED),
    "ready": ({TaskState.PICKED, TaskState.PACKED}, TaskState.READY),  # pickup: on the shelf for the customer
    "handed_over": ({TaskState.PICKED, TaskState.PACKED}, TaskState.HANDED_OVER),  # ship / transfer leg
}


def _task_for(actor: Actor, task_id: int) -> PickTask:
    task = PickTask.objects.select_related("order", "location").filter(pk=task_id).first()
    if task is None or not actor.scope.covers_outlet(
        outlet_id=task.location_id, region_path=task.location.region_path
    ):
        raise NotFoundError(f"task {task_id} not found", code="task_not_found")
    actor.require(Perm.STOCK_SELL)
    return task


@transaction.atomic
def task_advance(*, actor: Actor, task_id: int, step: str) -> PickTask:
    """Move a pick task one step on the handheld: claim, picked, packed, ready / handed over."""
    if step not in TASK_FLOW:
        raise ValidationError(f"unknown step {step}", code="invalid_step")
    task = _task_for(actor, task_id)
    frm, to = TASK_FLOW[step]
    if (step == "ready" and task.purpose != "pickup") or (step == "handed_over" and task.purpose == "pickup"):
        raise InvalidStateError(f"a {task.purpose} task cannot be marked {step}", code="task_wrong_step")
    fields: dict[str, object] = {"state": to}
    if step == "claim":
        fields["claimed_by_id"] = actor.user_id
    if PickTask.objects.filter(pk=task.pk, state__in=frm).update(**fields) != 1:
        task.refresh_from_db()
        raise InvalidStateError(f"task {task.pk} is {task.state}", code="task_wrong_state", state=task.state)
    order = task.order
    if step == "handed_over" and task.purpose == "transfer" and task.transfer_id:
        inventory.transfer_dispatch(actor=SYSTEM, transfer_id=task.transfer_id)
    elif step == "handed_over" and task.purpose == "ship":
        if (
            not PickTask.objects.filter(order=order, purpose="ship")
            .exclude(state=TaskState.HANDED_OVER)
            .exists()
        ):
            _set_state(order, OrderState.CONFIRMED, OrderState.SHIPPED)
            _commit_holds(order)
    elif step == "ready":
        _set_state(order, OrderState.CONFIRMED, OrderState.READY)
    _event(order, f"task_{step}", user_id=actor.user_id, location=task.location.code)
    task.refresh_from_db()
    return task


def _transfer_received(transfer: Transfer) -> None:
    """The goods for a pickup order reached its outlet: hold them there again for the order,
    inside the receiving transaction, and the order is ready."""
    owner = transfer.reservation.owner_ref  # type: ignore[union-attr]
    order = Order.objects.get(pk=int(owner.split(":")[1]))
    lines = [
        (transfer.destination_id, ln.sku_id, ln.received_quantity)
        for ln in transfer.lines.all()
        if ln.received_quantity
    ]
    short = any((ln.received_quantity or 0) < ln.quantity for ln in transfer.lines.all())
    if lines:
        window = _hold_window(order.method, order.payment_mode, paid=order.payment_state == PaymentState.PAID)
        inventory.stock_reserve(
            actor=SYSTEM,
            owner_ref=f"order:{order.pk}:{transfer.destination_id}:t{transfer.pk}",
            lines=lines,
            ttl_seconds=int(window.total_seconds()),
            channel=order.channel,
            respect_safety_stock=False,
            owner_kind=OwnerKind.ORDER,
        )
    _event(order, "transfer_received", transfer=transfer.pk, short=short)
    waiting = PickTask.objects.filter(order=order, purpose="pickup", state=TaskState.WAITING)
    still_travelling = _transfers(order, "draft", "in_transit").exists()
    if not short and not still_travelling and waiting.update(state=TaskState.READY):
        _set_state(order, OrderState.CONFIRMED, OrderState.READY)
        _event(order, "ready", reason=Explanation(domain.OrderWhy.TRANSFER_RECEIVED).as_json())


def _transfer_dispatched(transfer: Transfer) -> None:
    """The goods for an order left their source, by the handheld or by the transfer screens:
    the source's task for them is done."""
    order = Order.objects.get(pk=int(transfer.reservation.owner_ref.split(":")[1]))  # type: ignore[union-attr]
    PickTask.objects.filter(order=order, transfer=transfer).exclude(
        state__in=[TaskState.HANDED_OVER, TaskState.CANCELLED]
    ).update(state=TaskState.HANDED_OVER)


def _hold_lapsed(reservation: Reservation, now) -> None:  # type: ignore[no-untyped-def]
    """One of an open order's holds lapsed (the sweep's transaction): the order's time is up.
    It is cancelled and refunded, which gives every hold back. Goods already on the road cannot
    be called back, so then the hold is renewed for another window and the order goes on."""
    order = Order.objects.filter(pk=int(reservation.owner_ref.split(":")[1])).first()
    if order is None or order.state not in OPEN_STATES:
        return  # a hold outliving its order lapses as any other
    if order.state == OrderState.PENDING:
        payments_sync(order_id=order.pk)  # money paid at the last moment wins, as at the timeout
        if not Reservation.objects.filter(
            pk=reservation.pk, state=ReservationState.HELD, expires_at__lte=now
        ).exists():
            return  # paid: the hold was renewed
    try:
        with transaction.atomic():
            order_cancel(order_id=order.pk, reason=Explanation(domain.OrderWhy.HOLD_LAPSED))
    except InvalidStateError as exc:
        if exc.code != "order_in_transit":
            return  # another transition won; whatever it left held lapses in the sweep
        window = _hold_window(order.method, order.payment_mode, paid=order.payment_state == PaymentState.PAID)
        inventory.reservation_renew(
            actor=SYSTEM, reservation_id=reservation.pk, ttl_seconds=int(window.total_seconds()), now=now
        )
        why = Explanation(domain.OrderWhy.GOODS_ON_THE_ROAD).as_json()
        _event(order, "hold_renewed", reservation=reservation.pk, reason=why)


def register_inventory_handlers() -> None:
    """Called by OrdersConfig.ready(): orders' holds move with their orders, and
    check_inventory checks that every open order has its goods held."""
    OWNER_CHECKS[OwnerKind.ORDER] = selectors.orders_without_holds
    inventory.HOLD_LAPSED[OwnerKind.ORDER] = _hold_lapsed
    inventory.TRANSFER_DISPATCHED[OwnerKind.ORDER] = _transfer_dispatched
    inventory.TRANSFER_RECEIVED[OwnerKind.ORDER] = _transfer_received


def order_hand_over(*, actor: Actor, outlet_id: int, code: str, order_number: str = "") -> Order:
    """The customer collects: the code is checked at this outlet only, once, with a limit on
    wrong guesses per order and per clerk. Handing over commits the holds as a sale.

    Not one transaction on purpose: a wrong guess is recorded (and counts against the limits)
    even though the hand-over is refused.
    """
    actor.require(Perm.STOCK_SELL)
    outlet = Outlet.objects.filter(pk=outlet_id).first()
    if outlet is None or not actor.scope.covers_outlet(outlet_id=outlet.pk, region_path=outlet.region_path):
        raise NotFoundError(f"outlet {outlet_id} not found", code="outlet_not_found")
    # Each guess claims a slot of the clerk's hour and of the named order before its code is
    # looked at (guarded UPDATEs), and a right code gives them back: no race gets past a limit.
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    PickupGuessCount.objects.bulk_create(
        [PickupGuessCount(clerk_id=actor.user_id, hour=hour)], ignore_conflicts=True
    )
    clerk_slots = PickupGuessCount.objects.filter(clerk_id=actor.user_id, hour=hour)
    limit = domain.MAX_PICKUP_FAILURES_PER_CLERK_HOUR
    if clerk_slots.filter(failures__lt=limit).update(failures=F("failures") + 1) != 1:
        raise TooManyAttemptsError("too many wrong codes from this clerk; wait an hour")
    target = Order.objects.filter(number=order_number, pickup_outlet=outlet).first() if order_number else None
    order_slots = Order.objects.filter(pk=target.pk) if target is not None else Order.objects.none()
    if (
        target is not None
        and order_slots.filter(pickup_failures__lt=domain.MAX_PICKUP_FAILURES_PER_ORDER).update(
            pickup_failures=F("pickup_failures") + 1
        )
        != 1
    ):
        clerk_slots.update(failures=F("failures") - 1)  # this guess was not looked at
        raise TooManyAttemptsError(
            f"order {target.number} is locked after too many wrong codes; check the customer's ID"
        )
    code = (code or "").strip()
    matches = Order.objects.filter(pickup_outlet=outlet, pickup_code=code) if code else Order.objects.none()
    if order_number:
        matches = matches.filter(number=order_number)
    order = matches.first()
    if order is None:  # the wrong guess keeps its slots: it counts
        PickupAttempt.objects.create(order=target, outlet=outlet, clerk_id=actor.user_id, ok=False)
        raise PickupCodeError("no order waiting at this outlet has this pickup code")
    clerk_slots.update(failures=F("failures") - 1)
    order_slots.update(pickup_failures=F("pickup_failures") - 1)
    if order.state == OrderState.COMPLETED:
        raise InvalidStateError(f"order {order.number} was already collected", code="already_collected")
    if order.state != OrderState.READY:
        raise InvalidStateError(
            f"order {order.number} is {order.state}, not ready", code="order_not_ready", state=order.state
        )
    _check_paid(order)
    with transaction.atomic():
        _complete(order, frm={OrderState.READY}, kind="collected", user_id=actor.user_id)
        PickupAttempt.objects.create(order=order, outlet=outlet, clerk_id=actor.user_id, ok=True)
    return order


@transaction.atomic
def order_deliver(*, actor: Actor, order_id: int) -> Order:
    """The carrier delivered. Cash on delivery still owed is taken now, with the delivery (a
    COD order never completes unpaid); otherwise the order must be paid and not refunded."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise NotFoundError(f"order {order_id} not found", code="order_not_found")
    if (
        order.state == OrderState.SHIPPED
        and order.payment_mode == "on_delivery"
        and order.payment_state == PaymentState.UNPAID
    ):
        payment_capture(actor=actor, order_id=order.pk, method="cod")
        order.refresh_from_db()
    if order.state == OrderState.SHIPPED:
        _check_paid(order)
    _complete(order, frm={OrderState.SHIPPED}, kind="delivered", user_id=actor.user_id)
    return order


# --- returns --------------------------------------------------------------------------------


@transaction.atomic
def order_return(
    *, actor: Actor, order_id: int, outlet_id: int, lines: list[tuple[int, int]], reason: str = ""
) -> OrderReturn:
    """Take goods back at any outlet: restock them there and refund their price to the
    original tenders. Each line's returned quantity is guarded so it never exceeds what was sold."""
    actor.require(Perm.STOCK_SELL)
    outlet = Outlet.objects.filter(pk=outlet_id).first()
    if outlet is None or not actor.scope.covers_outlet(outlet_id=outlet.pk, region_path=outlet.region_path):
        raise NotFoundError(f"outlet {outlet_id} not found", code="outlet_not_found")
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise NotFoundError(f"order {order_id} not found", code="order_not_found")
    if order.state != OrderState.COMPLETED:
        raise InvalidStateError(
            f"order {order.number} is {order.state}; only completed orders take returns",
            code="order_wrong_state",
            state=order.state,
        )
    if not lines:
        raise ValidationError("return at least one line", code="no_lines")
    by_sku = {ln.sku_id: ln for ln in order.lines.all()}
    merged: dict[int, int] = {}
    for sku_id, qty in lines:
        require_quantity(qty)
        if sku_id not in by_sku:
            raise ValidationError(f"SKU {sku_id} is not on order {order.number}", code="sku_not_on_order")
        merged[sku_id] = merged.get(sku_id, 0) + qty
    done, amount = [], 0
    for sku_id, qty in sorted(merged.items()):
        line = by_sku[sku_id]
        if (
            OrderLine.objects.filter(pk=line.pk, returned_quantity__lte=F("quantity") - qty).update(
                returned_quantity=F("returned_quantity") + qty
            )
            != 1
        ):
            raise ConflictError(
                f"more of SKU {sku_id} returned than bought",
                code="return_exceeds_sold",
                sku_id=sku_id,
                bought=line.quantity,
                returned=line.returned_quantity,
            )
        inventory.stock_receive(
            actor=SYSTEM,
            location_id=outlet.pk,
            sku_id=sku_id,
            quantity=qty,
            reference=f"return:{order.number}",
            kind=MovementKind.RETURN,
        )
        # What was charged for these units (discounts included): the line's amount spread over
        # its units, so that all the returns of a line add up to exactly its amount.
        after = OrderLine.objects.values_list("returned_quantity", flat=True).get(pk=line.pk)
        refund = line.amount * after // line.quantity - line.amount * (after - qty) // line.quantity
        amount += refund
        done.append({"sku_id": sku_id, "quantity": qty, "amount": refund})
    record = OrderReturn.objects.create(
        order=order, outlet=outlet, actor_id=actor.user_id, lines=done, amount=amount, reason=reason[:200]
    )
    _event(order, "returned", user_id=actor.user_id, outlet=outlet.code, amount=amount, lines=done)
    showrooms.commission_reverse(order_return=selectors.return_for_commission(record))
    if amount:
        loyalty.points_clawback_for_return(
            actor=SYSTEM,
            order=selectors.order_for_points(order),
            amount=amount,
            key=f"clawback:return:{record.pk}",
        )
    if order.payment_state != PaymentState.UNPAID and amount:
        record.refunds.set(refund_to_tenders(order_id=order.pk, amount=amount, reason=f"return {record.pk}"))
    return record
