"""The checkout request, checked and resolved into one frozen value (``Checkout``): what is
asked for, who sends it and for whom, where it is sold, picked up or delivered, and who is
credited. Only reads and checks: nothing is written until the order is placed."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import connection

from omnipoint.core.cached import remember
from omnipoint.core.channels import Channel
from omnipoint.core.errors import NotFoundError, PermissionDeniedError, ValidationError, require_quantity
from omnipoint.members.domain import normalise_mobile
from omnipoint.members.models import Member
from omnipoint.members.services import member_get_or_create
from omnipoint.orders import domain
from omnipoint.orders.domain import Method
from omnipoint.outlets.domain import SYSTEM, Actor, Customer, MemberActor, Perm, Role
from omnipoint.outlets.models import Outlet, Region, Staff

MAX_ORDER_LINES = 50


@dataclass(frozen=True)
class LineRequest:
    sku_id: int
    quantity: int
    installation: bool = False
    target: str = ""  # a virtual item's recipient: the mobile number a top-up goes to


@dataclass(frozen=True)
class Checkout:
    """An order request, resolved: ``order_place`` prices, routes, records and holds it."""

    channel: str
    method: str
    payment_mode: str
    wanted: Mapping[int, LineRequest]  # by SKU, merged
    origin: Outlet | None
    pickup: Outlet | None
    keyed_by_id: int | None  # the staff member keying it in on a staff channel
    placed_by_id: int | None  # whoever sent it, when signed in
    member: Member | None  # whom it is for
    as_member: bool  # the member's own tier and coupons price it (on a shop channel: the member
    # signed in, whose row is locked)
    salesperson: Staff | None
    region: Region  # where it is priced
    customer_name: str
    address: str
    lat: float | None
    lng: float | None
    coupon_codes: tuple[str, ...]

    @property
    def limited(self) -> bool:
        """The anti-hoarding limits apply: staff at the counter or phone judge for themselves."""
        return self.channel not in domain.STAFF_CHANNELS

    @property
    def at_outlet(self) -> Outlet | None:
        """The outlet it is sold at (promotions of that outlet apply)."""
        if self.method in domain.PICKUP_METHODS:
            return self.pickup
        return self.origin if self.method == Method.COUNTER else None

    @property
    def quantities(self) -> dict[int, int]:
        return {s: ln.quantity for s, ln in self.wanted.items()}


def _resolve(
    actor: Customer,
    *,
    channel: str,
    method: str,
    lines: list[LineRequest],
    payment_mode: str,
    mobile: str,
    customer_name: str,
    member_id: int | None,
    pickup_outlet_id: int | None,
    origin_outlet_id: int | None,
    region_code: str,
    address: str,
    lat: float | None,
    lng: float | None,
    salesperson_id: int | None,
    coupon_codes: list[str] | None,
) -> Checkout:
    """Check the request and resolve it, refusing before anything is written."""
    domain.check_checkout(channel, method, payment_mode)
    wanted = _normalise(lines)
    origin = _outlet(origin_outlet_id, field="origin_outlet")
    pickup = _outlet(pickup_outlet_id, field="pickup_outlet")
    staff = _authorize_channel(actor, channel, origin)
    _check_places(method, origin=origin, pickup=pickup, address=address, lat=lat, lng=lng)
    member, as_member = _member(
        actor, mobile=mobile, name=customer_name, member_id=member_id, channel=channel
    )
    return Checkout(
        channel=channel,
        method=method,
        payment_mode=payment_mode,
        wanted=wanted,
        origin=origin,
        pickup=pickup,
        keyed_by_id=actor.user_id if channel in domain.STAFF_CHANNELS else None,
        placed_by_id=actor.user_id,
        member=member,
        as_member=as_member,
        salesperson=_salesperson(channel, salesperson_id, staff),
        region=_pricing_region(method, pickup=pickup, origin=origin, region_code=region_code),
        customer_name=customer_name,
        address=address,
        lat=lat,
        lng=lng,
        coupon_codes=tuple(coupon_codes or ()),
    )


def _check_places(
    method: str,
    *,
    origin: Outlet | None,
    pickup: Outlet | None,
    address: str,
    lat: float | None,
    lng: float | None,
) -> None:
    """A pickup names a pickup point, a delivery an address with coordinates, a counter sale an
    outlet with a counter."""
    if method in domain.PICKUP_METHODS and (pickup is None or not pickup.pickup_point):
        raise ValidationError("choose an outlet that is a pickup point", code="pickup_outlet_required")
    if method == Method.DELIVERY and (lat is None or lng is None or not address.strip()):
        raise ValidationError("a delivery order needs an address with coordinates", code="address_required")
    if method == Method.COUNTER and origin is not None and not origin.sells_at_counter:
        raise ValidationError(f"{origin.code} has no counter", code="no_counter")


def _normalise(lines: list[LineRequest]) -> dict[int, LineRequest]:
    if not lines:
        raise ValidationError("an order needs at least one line", code="no_lines")
    if len(lines) > MAX_ORDER_LINES:
        raise ValidationError(f"at most {MAX_ORDER_LINES} lines", code="too_many_lines")
    merged: dict[int, LineRequest] = {}
    for line in lines:
        require_quantity(line.quantity)
        prev = merged.get(line.sku_id)
        if prev is not None and prev.target != line.target:
            raise ValidationError(
                "one line per SKU: top-ups to two numbers are two orders",
                code="target_conflict",
                sku_id=line.sku_id,
            )
        qty = line.quantity + (prev.quantity if prev else 0)
        merged[line.sku_id] = LineRequest(
            line.sku_id,
            require_quantity(qty),
            line.installation or bool(prev and prev.installation),
            line.target,
        )
    return merged


def _outlet(outlet_id: int | None, *, field: str) -> Outlet | None:
    if outlet_id is None:
        return None
    outlet = remember(
        "outlets",
        f"active:{outlet_id}",
        lambda: Outlet.objects.select_related("region").filter(pk=outlet_id, is_active=True).first(),
    )
    if outlet is None:
        raise NotFoundError(f"{field} {outlet_id} not found", code="outlet_not_found", field=field)
    return outlet


def _authorize_channel(actor: Customer, channel: str, origin: Outlet | None) -> Staff | None:
    """Staff channels need a staff member who may sell, at an outlet in their scope."""
    if channel not in domain.STAFF_CHANNELS:
        return None
    if not isinstance(actor, Actor):
        if actor.user_id is None:
            raise PermissionDeniedError(f"the {channel} channel is for staff", code="staff_channel")
        raise PermissionDeniedError("this account has no staff role", code="not_staff")
    actor.require(Perm.STOCK_SELL)
    if channel in (Channel.POS, Channel.PDA) and origin is None:
        raise ValidationError(f"a {channel} order needs origin_outlet_id", code="origin_required")
    if origin is not None and not actor.scope.covers_outlet(
        outlet_id=origin.pk, region_path=origin.region_path
    ):
        raise NotFoundError(f"origin_outlet {origin.pk} not found", code="outlet_not_found")
    return Staff.objects.filter(pk=actor.staff_id).first() if actor.staff_id else None


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


def _own_member(actor: Customer) -> Member | None:
    """The signed-in member's row, locked on PostgreSQL (SQLite runs one writer at a time): the
    anti-hoarding limits count their open orders under this lock, so two checkouts of one member
    are counted one after the other."""
    if not isinstance(actor, MemberActor):
        return None
    members = Member.objects.filter(pk=actor.member_id)
    if connection.vendor == "postgresql":
        members = members.select_for_update()
    return members.first()


def _member(
    actor: Customer, *, mobile: str, name: str, member_id: int | None, channel: str
) -> tuple[Member | None, bool]:
    """Whom the order is for, and whether that member's own prices and coupons apply.

    Staff channels name the customer (``member_id`` or ``mobile``). Elsewhere a signed-in member
    acts only as themselves; anyone else is a guest whose mobile number the order is recorded
    under, priced as a guest: a tier or a coupon is used only by the member who signed in."""
    if channel in domain.STAFF_CHANNELS:
        if member_id is not None:
            member = Member.objects.filter(pk=member_id).first()
            if member is None:
                raise NotFoundError(f"member {member_id} not found", code="member_not_found")
            return member, True
        if mobile:
            return member_get_or_create(actor=SYSTEM, mobile=mobile, name=name), True
        return None, False
    own = _own_member(actor)
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
