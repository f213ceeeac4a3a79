"""Checking out: the request resolved into a ``Checkout``, then priced, routed, recorded and
held, in one transaction: seven SQL statements on PostgreSQL for a signed-in member's order from
one location (``tests/test_orders.py::test_order_placement_query_budget`` counts the request)."""

import secrets
from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from omnipoint.catalog.domain import PriceDecision, ProductKind, takes_stock
from omnipoint.catalog.models import Sku
from omnipoint.catalog.selectors import prices_get
from omnipoint.core.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
)
from omnipoint.core.explain import Explanation
from omnipoint.core.geo import bounding_box
from omnipoint.inventory import services as inventory
from omnipoint.inventory.models import (
    OwnerKind,
    StockLevel,
)
from omnipoint.marketing import selectors as marketing_selectors
from omnipoint.marketing import services as marketing
from omnipoint.marketing.domain import PricedLine
from omnipoint.marketing.selectors import CheckoutPricing
from omnipoint.members.models import Member
from omnipoint.orders import domain
from omnipoint.orders.domain import PaymentMode
from omnipoint.orders.models import (
    Method,
    Order,
    OrderLine,
)
from omnipoint.orders.services._common import (
    OPEN_STATES,
    _event,
    _hold_window,
)
from omnipoint.orders.services.checkout import Checkout, LineRequest, _resolve
from omnipoint.orders.services.confirming import _confirm, order_payment_applied
from omnipoint.outlets.domain import SYSTEM, Customer
from omnipoint.outlets.models import Outlet, OutletKind
from omnipoint.virtuals.domain import topup_target


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


def _check_kinds(checkout: Checkout, kinds: Mapping[int, ProductKind]) -> dict[int, str]:
    """A virtual line goes to the mobile number it names, else to the customer's own; no other
    line names one; a delivery carries goods. Returns each virtual line's recipient."""
    targets: dict[int, str] = {}
    own = checkout.member.mobile if checkout.member else ""
    for sku_id, line in sorted(checkout.wanted.items()):
        if kinds[sku_id] == ProductKind.VIRTUAL:
            targets[sku_id] = topup_target(line.target or own)
        elif line.target:
            raise ValidationError(
                f"SKU {sku_id} is not a virtual item: it has no recipient", code="target_not_allowed"
            )
    if checkout.method == Method.DELIVERY and not any(takes_stock(k) for k in kinds.values()):
        raise ValidationError(
            "nothing to deliver: services and virtual items are sold for pickup or at the counter",
            code="nothing_to_deliver",
        )
    return targets


def _route(
    checkout: Checkout, *, goods: dict[int, int], source_location_id: int | None = None
) -> domain.RoutePlan:
    """Where the goods come from (``domain.route_*``): the counter's own stock, the pickup outlet
    and what can be sent there, or the locations that ship to the address; or the one location a
    higher app named (a flash sale's pool). Services and virtual items come from nowhere: they
    are not routed (an order of them alone has no shipment)."""
    wanted, method = goods, checkout.method
    pickup, origin = checkout.pickup, checkout.origin
    if not wanted and method != Method.DELIVERY:
        return domain.RoutePlan(shipments=[], reasons=[])
    if source_location_id is not None:
        code = Outlet.objects.values_list("code", flat=True).get(pk=source_location_id)
        return domain.RoutePlan(
            shipments=[domain.Shipment(source_location_id, code, 0.0, tuple(sorted(wanted.items())))],
            reasons=[Explanation(domain.RouteWhy.FLASH_POOL, {"location": code})],
        )
    if method == Method.COUNTER:
        assert origin is not None
        lines = tuple(sorted(wanted.items()))
        return domain.RoutePlan(
            shipments=[domain.Shipment(origin.pk, origin.code, 0.0, lines)],
            reasons=[Explanation(domain.RouteWhy.COUNTER_SALE, {"location": origin.code})],
        )
    if method in domain.PICKUP_METHODS:
        assert pickup is not None
        candidates = _candidates(list(wanted), pickup.lat, pickup.lng, ships_only=False)
        here = next((c for c in candidates if c.location_id == pickup.pk), None)
        if method == Method.TRY_IN_STORE:  # the customer comes to try it: it must be there now
            candidates = [here] if here else []
        pickup_candidate = here or domain.Candidate(
            pickup.pk, pickup.code, pickup.lat, pickup.lng, False, 0, {}
        )
        return domain.route_pickup(lines=wanted, pickup=pickup_candidate, candidates=candidates)
    lat, lng = checkout.lat, checkout.lng
    assert lat is not None and lng is not None
    return domain.route_delivery(
        lines=wanted, lat=lat, lng=lng, candidates=_candidates(list(wanted), lat, lng, ships_only=True)
    )


@transaction.atomic
def order_place(
    *,
    actor: Customer,
    channel: str,
    method: str,
    lines: list[LineRequest],
    payment_mode: str = PaymentMode.ONLINE,
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
    source_location_id: int | None = None,
) -> Order:
    """Check out: price the lines (promotions apply by themselves; coupons are named in
    ``coupon_codes``), route them, hold the coupons and the stock, record who and where.

    ``source_location_id`` takes every goods line from that one location instead of routing
    (a flash sale's pool, which ``flashsales`` names once it has authorised the buyer's claim;
    the API never passes it). The hold there is guarded as any other.

    ``actor`` is whoever sends the order: a member on the storefront (``MemberActor``), a guest
    giving a mobile number (``GUEST``, or a partner system's login as a ``GuestActor``), or a
    staff member on a staff channel (hotline, counter, handheld) keying it in for a customer;
    ``members.selectors.actor_for_user`` tells which a login is.
    """
    checkout = _resolve(
        actor,
        channel=channel,
        method=method,
        lines=lines,
        payment_mode=payment_mode,
        mobile=mobile,
        customer_name=customer_name,
        member_id=member_id,
        pickup_outlet_id=pickup_outlet_id,
        origin_outlet_id=origin_outlet_id,
        region_code=region_code,
        address=address,
        lat=lat,
        lng=lng,
        salesperson_id=salesperson_id,
        coupon_codes=coupon_codes,
    )
    prices, pricing, skus = _price(checkout)
    kinds = {s: ProductKind(sku.product.kind) for s, sku in skus.items()}
    targets = _check_kinds(checkout, kinds)
    goods = {s: q for s, q in checkout.quantities.items() if takes_stock(kinds[s])}
    plan = _route(checkout, goods=goods, source_location_id=source_location_id)
    order = _persist(checkout, prices, pricing, plan, skus, targets)
    _hold(checkout, order, pricing, plan)
    return _settle(checkout, order)


def _price(checkout: Checkout) -> tuple[dict[int, PriceDecision], CheckoutPricing, dict[int, Sku]]:
    """Each line's price where the order is priced, within the anti-hoarding limits, then what
    promotions and coupons take off (``marketing.checkout_price``, a pure policy); and each
    SKU with its product (whose kind decides how its line is fulfilled)."""
    wanted = checkout.wanted
    skus: dict[int, Sku] = {
        s.pk: s
        for s in Sku.objects.select_related("product")
        .filter(pk__in=wanted, is_active=True, product__is_active=True)
        .annotate(
            open_units=_open_units(checkout.member if checkout.limited else None, locked=checkout.as_member)
        )
    }
    missing = sorted(set(wanted) - set(skus))
    if missing:
        raise NotFoundError(f"SKU {missing[0]} not found", code="sku_not_found", sku_id=missing[0])
    if checkout.limited:
        _check_quantity_limits(wanted, skus)
    region = checkout.region
    prices = prices_get(sku_ids=list(wanted), region=region, channel=checkout.channel)
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
    at_outlet = checkout.at_outlet
    pricing = marketing_selectors.checkout_price(
        lines=priced,
        channel=checkout.channel,
        region_path=region.path,
        outlet_id=at_outlet.pk if at_outlet else None,
        member=checkout.member if checkout.as_member else None,
        coupon_codes=list(checkout.coupon_codes),
    )
    return prices, pricing, skus


def _persist(
    checkout: Checkout,
    prices: dict[int, PriceDecision],
    pricing: CheckoutPricing,
    plan: domain.RoutePlan,
    skus: dict[int, Sku],
    targets: dict[int, str],
) -> Order:
    """The order and its lines, as priced and routed. The lines are kept on the order with their
    SKUs and products (``order.lines.all()`` reads them without a query), so the answer is built
    from what was written, not read back."""
    now = timezone.now()
    c, member = checkout, checkout.member
    hold = _hold_window(c.method, c.payment_mode, paid=False)
    order = Order.objects.create(
        number=f"{timezone.localdate():%y%m%d}{secrets.randbelow(10**10):010d}",
        channel=c.channel,
        method=c.method,
        payment_mode=c.payment_mode,
        member=member,
        customer_name=(c.customer_name or (member.name if member else ""))[:60],
        customer_mobile=member.mobile if member else "",
        origin_outlet=c.origin,
        keyed_by_id=c.keyed_by_id,
        salesperson=c.salesperson,
        pickup_outlet=c.pickup,
        address=c.address[:200],
        lat=c.lat,
        lng=c.lng,
        total=pricing.quote.total,
        routing=plan.as_json(),
        payment_deadline=(
            now + timedelta(seconds=settings.ORDER_PAYMENT_TIMEOUT_SECONDS)
            if domain.has_payment_deadline(c.payment_mode)
            else None
        ),
        hold_until=now + hold if c.method == Method.TRY_IN_STORE else None,
        pickup_code=domain.pickup_code_new() if c.method in domain.PICKUP_METHODS else "",
    )
    _keep_lines(
        order, OrderLine.objects.bulk_create(_lines(order, checkout, prices, pricing, plan, skus, targets))
    )
    return order


def _lines(
    order: Order,
    checkout: Checkout,
    prices: dict[int, PriceDecision],
    pricing: CheckoutPricing,
    plan: domain.RoutePlan,
    skus: dict[int, Sku],
    targets: dict[int, str],
) -> list[OrderLine]:
    """The order's lines, as priced (with each price's explanation) and routed."""
    quote = {ln.sku_id: ln for ln in pricing.quote.lines}
    location_of = {sku_id: s.location_id for s in plan.shipments for sku_id, _ in s.lines}
    here = _sold_at(checkout, plan)
    return [
        OrderLine(
            order=order,
            sku=skus[s],
            quantity=ln.quantity,
            unit_price=prices[s].amount,
            discount=quote[s].discount,
            amount=quote[s].amount,
            price_explanation=[e.as_json() for e in quote[s].explanation],
            location_id=location_of.get(s, here),
            installation=ln.installation,
            kind=skus[s].product.kind,
            target=targets.get(s, ""),
        )
        for s, ln in sorted(checkout.wanted.items())
    ]


def _keep_lines(order: Order, lines: list[OrderLine]) -> None:
    """``order.lines.all()`` answers with ``lines``, as a ``prefetch_related`` would have left it
    (Django keeps the prefetched rows of a relation in ``_prefetched_objects_cache``)."""
    kept = order.lines.all()
    kept._result_cache = lines
    kept._prefetch_done = True  # type: ignore[attr-defined]
    order._prefetched_objects_cache = {"lines": kept}  # type: ignore[attr-defined]


def _sold_at(checkout: Checkout, plan: domain.RoutePlan) -> int:
    """Where a service or virtual line is sold, so where it counts and who sees it: the counter,
    the pickup outlet, or the first outlet a delivery leaves from."""
    at = checkout.at_outlet
    return at.pk if at is not None else plan.shipments[0].location_id


def _hold(checkout: Checkout, order: Order, pricing: CheckoutPricing, plan: domain.RoutePlan) -> None:
    """Hold the coupons, record the placing, then hold the stock of each shipment (one lock
    order everywhere): last, so that a hot stock row stays locked only from its UPDATE to the
    COMMIT. A refusal rolls all of it back with the order."""
    marketing.coupons_hold(actor=SYSTEM, pricing=pricing, order_id=order.pk)
    _event(
        order,
        "placed",
        user_id=checkout.placed_by_id,
        channel=checkout.channel,
        method=checkout.method,
        total=order.total,
        discount=pricing.quote.discount,
        coupons=pricing.quote.coupons,
        routing=[r.as_json() for r in plan.reasons],
    )
    hold = _hold_window(checkout.method, checkout.payment_mode, paid=False)
    for shipment in sorted(plan.shipments, key=lambda s: s.location_id):
        inventory.stock_reserve(
            actor=SYSTEM,
            owner_ref=f"order:{order.pk}:{shipment.location_id}",
            lines=[(shipment.location_id, s, q) for s, q in shipment.lines],
            ttl_seconds=int(hold.total_seconds()),
            channel=checkout.channel,
            respect_safety_stock=checkout.method != Method.COUNTER,
            owner_kind=OwnerKind.ORDER,
        )


def _settle(checkout: Checkout, order: Order) -> Order:
    """Paid at the outlet or on delivery, the outlets get to work now; discounted to nothing,
    there is nothing to wait for."""
    if domain.confirmed_at_once(checkout.payment_mode):
        why = (
            domain.OrderWhy.PAY_AT_OUTLET
            if checkout.payment_mode == PaymentMode.AT_OUTLET
            else domain.OrderWhy.PAY_ON_DELIVERY
        )
        _confirm(order, reason=Explanation(why))
    elif order.total == 0:
        order_payment_applied(actor=SYSTEM, order_id=order.pk, paid_total=0)
        order.refresh_from_db()
    return order


def _open_units(member: Member | None, *, locked: bool) -> Coalesce | Value:
    """Units of each SKU in the member's open orders, as an annotation of the SKU query (no
    extra round trip). The member's row is locked first (PostgreSQL; SQLite runs one writer at a
    time; a signed-in member's was locked when the checkout was resolved), so two checkouts of
    one member are counted one after the other."""
    if member is None:
        return Value(0)
    if connection.vendor == "postgresql" and not locked:
        list(Member.objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True))
    lines = OrderLine.objects.filter(sku=OuterRef("pk"), order__member=member, order__state__in=OPEN_STATES)
    return Coalesce(Subquery(lines.values("sku").annotate(t=Sum("quantity")).values("t")), 0)


def _check_quantity_limits(wanted: Mapping[int, LineRequest], skus: Mapping[int, Sku]) -> None:
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
