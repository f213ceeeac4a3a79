from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q, QuerySet, Sum

from omnipoint.catalog.domain import ProductKind
from omnipoint.core.errors import NotFoundError, PermissionDeniedError
from omnipoint.inventory.models import (
    OwnerKind,
    ReservationLine,
    ReservationState,
    TransferLine,
    TransferState,
)
from omnipoint.ledger.models import Posting
from omnipoint.loyalty.domain import EarnLine, OrderForPoints
from omnipoint.loyalty.selectors import member_tier, points_balance, wallet_balance
from omnipoint.members.domain import mask_mobile, sees_member_activity
from omnipoint.members.models import Member
from omnipoint.members.selectors import member_postings
from omnipoint.orders.models import (
    Method,
    Order,
    OrderLine,
    OrderReturn,
    OrderState,
    PaymentState,
    PickTask,
    TaskState,
    line_ref,
)
from omnipoint.outlets.domain import Actor, Perm, StaffActor
from omnipoint.outlets.models import Staff
from omnipoint.outlets.selectors import scope_q
from omnipoint.payments import selectors as payment_selectors
from omnipoint.payments.domain import Method as Tender
from omnipoint.payments.domain import OrderForPayment
from omnipoint.showrooms import selectors as showroom_selectors
from omnipoint.showrooms.domain import OrderForCommission, ReturnForCommission, SaleLine
from omnipoint.virtuals.domain import mask_target
from omnipoint.virtuals.selectors import fulfilments_for


def order_list(*, actor: StaffActor, state: str = "", channel: str = "", search: str = "") -> QuerySet[Order]:
    """Orders that touch the actor's scope (keyed there, to be picked up there, or fulfilled
    there), and the orders the actor keyed, wherever they go (a hotline order names no outlet
    of its own)."""
    actor.require(Perm.STOCK_VIEW)
    scope = actor.scope
    qs = Order.objects.all()
    if not scope.is_hq:  # (scope_q is the empty Q there, which an OR would turn into "keyed only")
        qs = qs.filter(
            scope_q(scope, "origin_outlet")
            | scope_q(scope, "pickup_outlet")
            | scope_q(scope, "lines__location")
            | Q(keyed_by_id=actor.user_id)
        ).distinct()
    if state:
        qs = qs.filter(state=state)
    if channel:
        qs = qs.filter(channel=channel)
    if search:
        qs = qs.filter(Q(number=search) | Q(customer_mobile=search))
    return qs.select_related("pickup_outlet", "origin_outlet", "member").order_by("-id")


def order_get(*, actor: Actor, order_id: int) -> Order:
    order = (
        order_list(actor=actor)
        .filter(pk=order_id)
        .prefetch_related("lines__sku__product", "events", "tasks")
        .first()
    )
    if order is None:
        raise NotFoundError(f"order {order_id} not found", code="order_not_found")
    return order


@dataclass(frozen=True)
class VirtualLine:
    """A virtual line as the counter's receipt and the order pages show it."""

    line_id: int
    target: str  # masked
    state: str  # virtuals' VirtualState; blank until the order is paid
    state_label: str


def order_virtual_lines(*, order: Order) -> dict[int, VirtualLine]:
    """The order's virtual lines with what became of them, by line id. One query (and one for the
    lines unless prefetched)."""
    lines = [ln for ln in order.lines.all() if ln.kind == ProductKind.VIRTUAL]
    found = fulfilments_for(owner_refs=[line_ref(ln.pk) for ln in lines])
    out = {}
    for ln in lines:
        v = found.get(line_ref(ln.pk))
        out[ln.pk] = VirtualLine(
            ln.pk, mask_target(ln.target), v.state if v else "", str(v.get_state_display()) if v else ""
        )
    return out


def order_get_by_number(*, number: str) -> Order:
    """For a return at any outlet: the clerk has the receipt, not the scope of the selling outlet."""
    order = Order.objects.filter(number=number).prefetch_related("lines__sku__product").first()
    if order is None:
        raise NotFoundError(f"order {number} not found", code="order_not_found")
    return order


def order_get_for_customer(*, number: str, mobile: str) -> Order:
    """Order tracking: the number plus the mobile it was placed with."""
    order = (
        Order.objects.filter(number=number, customer_mobile=mobile)
        .select_related("pickup_outlet")
        .prefetch_related("lines__sku__product", "events")
        .first()
    )
    if order is None:
        raise NotFoundError(f"order {number} not found", code="order_not_found")
    return order


def task_queue(*, actor: Actor, location_id: int | None = None, open_only: bool = True) -> QuerySet[PickTask]:
    """The handheld's queue: pick tasks at outlets in scope, oldest first."""
    actor.require(Perm.STOCK_VIEW)
    qs = PickTask.objects.filter(scope_q(actor.scope, "location"))
    if location_id is not None:
        qs = qs.filter(location_id=location_id)
    if open_only:
        qs = qs.exclude(state__in=[TaskState.DONE, TaskState.CANCELLED, TaskState.HANDED_OVER])
    return (
        qs.select_related("order", "location", "transfer")
        .prefetch_related("order__lines__sku__product")
        .order_by("id")
    )


def orders_without_holds(limit: int = 50) -> list[str]:
    """``check_inventory``'s look at orders: every open order has each of its units held for it
    (or on the road to its pickup outlet in a transfer that carries its hold). Three queries."""
    open_states = [OrderState.PENDING, OrderState.CONFIRMED, OrderState.READY]
    wanted: dict[int, dict[int, int]] = {}
    numbers: dict[int, tuple[str, str]] = {}
    for order_id, number, state, sku_id, qty in OrderLine.objects.filter(
        order__state__in=open_states, kind=ProductKind.GOODS
    ).values_list("order_id", "order__number", "order__state", "sku_id", "quantity"):
        wanted.setdefault(order_id, {})[sku_id] = qty
        numbers[order_id] = (number, state)
    have: dict[int, dict[int, int]] = {}
    held = ReservationLine.objects.filter(
        reservation__owner_kind=OwnerKind.ORDER, reservation__state=ReservationState.HELD
    ).values_list("reservation__owner_ref", "sku_id", "quantity")
    travelling = TransferLine.objects.filter(
        transfer__state=TransferState.IN_TRANSIT, transfer__reservation__owner_kind=OwnerKind.ORDER
    ).values_list("transfer__reservation__owner_ref", "sku_id", "quantity")
    for rows in (held, travelling):
        for owner_ref, sku_id, qty in rows:
            skus = have.setdefault(int(owner_ref.split(":")[1]), {})
            skus[sku_id] = skus.get(sku_id, 0) + qty
    breaches = []
    for order_id in sorted(wanted):
        if have.get(order_id, {}) != wanted[order_id]:
            number, state = numbers[order_id]
            breaches.append(
                f"order {number} is {state} but holds {have.get(order_id, {})} of {wanted[order_id]} (SKU: units)"
            )
            if len(breaches) >= limit:
                break
    return breaches


def order_for_points(order: Order) -> OrderForPoints:
    """What loyalty needs of an order to credit or take back its points."""
    by_points = payment_selectors.order_tendered(order_id=order.pk, method=Tender.POINTS)
    return OrderForPoints(
        number=order.number,
        member_id=order.member_id,
        total=order.total,
        paid_by_points=by_points,
        channel=order.channel,
        outlet_id=order.origin_outlet_id or order.pickup_outlet_id,
        lines=tuple(
            # a line given back before the order completed (a refused top-up) earns nothing
            EarnLine(
                line.sku.product.category_id,
                line.amount * (line.quantity - line.returned_quantity) // line.quantity,
            )
            for line in order.lines.select_related("sku__product")
        ),
    )


TAKES_PAYMENT = (OrderState.PENDING, OrderState.CONFIRMED, OrderState.READY, OrderState.SHIPPED)


def order_for_payment(order_id: int) -> OrderForPayment | None:
    """The order as payments need it (``payments.hooks.ORDER_FOR_PAYMENT``), its row locked for
    the rest of the transaction (PostgreSQL; SQLite runs one writer at a time): every piece of
    work on an order's money starts here. Two queries."""
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("origin_outlet", "pickup_outlet")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        return None
    outlets = tuple(
        (o.pk, o.region_path) for o in (order.origin_outlet, order.pickup_outlet) if o is not None
    )
    locations = tuple(
        OrderLine.objects.filter(order_id=order.pk)
        .order_by("location_id")
        .values_list("location_id", "location__region_path")
        .distinct()
    )
    return OrderForPayment(
        order_id=order.pk,
        number=order.number,
        total=order.total,
        state=order.state,
        payment_state=order.payment_state,
        takes_payment=order.state in TAKES_PAYMENT,
        pending=order.state == OrderState.PENDING,
        cancelled=order.state == OrderState.CANCELLED,
        unpaid=order.payment_state == PaymentState.UNPAID,
        delivery=order.method == Method.DELIVERY,
        payment_deadline=order.payment_deadline,
        member_id=order.member_id,
        customer_mobile=order.customer_mobile,
        keyed_by_id=order.keyed_by_id,
        outlets=outlets,
        locations=locations,
    )


def member_spend_since(member_id: int, since: datetime) -> int:
    """A member's completed orders since ``since``, less what they returned since then (their
    tier's spend: registered as ``loyalty.hooks.MEMBER_SPEND``)."""
    spent = (
        Order.objects.filter(
            member_id=member_id, state=OrderState.COMPLETED, completed_at__gte=since
        ).aggregate(s=Sum("total"))["s"]
        or 0
    )
    returned = (
        OrderReturn.objects.filter(order__member_id=member_id, created_at__gte=since).aggregate(
            s=Sum("amount")
        )["s"]
        or 0
    )
    return spent - returned


def order_for_commission(order: Order) -> OrderForCommission:
    """What showrooms need of an order to accrue its salesperson's commission."""
    lines: tuple[SaleLine, ...] = ()
    if order.salesperson_id is not None:
        lines = tuple(
            SaleLine(
                ln.pk,
                ln.sku_id,
                ln.sku.product_id,
                ln.sku.product.category_id,
                ln.quantity,
                ln.amount,
                ln.returned_quantity,
            )
            for ln in OrderLine.objects.filter(order_id=order.pk).select_related("sku__product")
        )
    return OrderForCommission(order.pk, order.number, order.salesperson_id, lines)


def return_for_commission(order_return: OrderReturn) -> ReturnForCommission:
    """A return, for showrooms to take back the commission on what it brought back."""
    order = Order.objects.get(pk=order_return.order_id)
    return ReturnForCommission(
        order_return.pk,
        order_for_commission(order),
        tuple((item["sku_id"], item["quantity"]) for item in order_return.lines),
    )


# --- a salesperson's orders and commission -------------------------------------------------

SALES_ROWS = 100


@dataclass(frozen=True)
class Sale:
    order: Order
    accrued: int | None  # None: not completed yet, nothing accrued
    reversed: int


@dataclass
class Sales:
    staff: Staff
    sales: list[Sale] = field(default_factory=list)
    accrued: int = 0
    reversed: int = 0
    balance: int = 0  # the ledger account's balance: accrued less reversed

    @property
    def net(self) -> int:
        return self.accrued - self.reversed


def _sales(staff: Staff, *, limit: int = SALES_ROWS) -> Sales:
    """The orders credited to a salesperson, newest first, with what each earned (showrooms)."""
    orders = list(
        Order.objects.filter(salesperson=staff)
        .select_related("pickup_outlet")
        .order_by("-created_at", "-pk")[:limit]
    )
    earned = showroom_selectors.commission_by_order(order_ids=[o.pk for o in orders])
    figures = showroom_selectors.commission_of(staff=staff)
    out = Sales(staff, accrued=figures.accrued, reversed=figures.reversed, balance=figures.balance)
    for o in orders:
        accrued, reversed_ = earned.get(o.pk, (None, 0))
        out.sales.append(Sale(o, accrued, reversed_))
    return out


def sales_mine(*, actor: Actor) -> Sales:
    """A salesperson's own orders and commission."""
    return _sales(showroom_selectors.salesperson_mine(actor=actor))


def salesperson_sales(*, actor: Actor, staff_id: int) -> Sales:
    """One salesperson's orders and commission, for a manager whose scope holds their outlet."""
    return _sales(showroom_selectors.salesperson_in_scope(actor=actor, staff_id=staff_id))


def salesperson_list(*, actor: Actor) -> list[dict[str, object]]:
    """The salespeople at outlets in a manager's scope, with their figures and order counts."""
    rows = showroom_selectors.salespeople_in_scope(actor=actor)
    counts: dict[int, int] = dict(
        Order.objects.filter(salesperson_id__in=[r["staff"].pk for r in rows])  # type: ignore[attr-defined]
        .values_list("salesperson_id")
        .annotate(n=Count("pk"))
    )
    return [{**r, "orders": counts.get(r["staff"].pk, 0)} for r in rows]  # type: ignore[attr-defined]


# --- a member's orders ---------------------------------------------------------------------


def member_orders(*, member: Member) -> QuerySet[Order]:
    """One order history across channels: placed as the member, or with their mobile (a
    counter sale before they signed up, a guest checkout)."""
    return (
        Order.objects.filter(Q(member=member) | Q(customer_mobile=member.mobile))
        .select_related("pickup_outlet", "origin_outlet")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class Activity:
    member: Member
    mobile_masked: str
    tier: str
    points: int
    wallet: dict[str, int]
    orders: list[Order]
    postings: list[Posting]


def _member_not_found() -> NotFoundError:
    return NotFoundError("member not found", code="member_not_found")


def _orders_in_scope(actor: Actor, member: Member) -> QuerySet[Order]:
    scope = actor.scope
    return (
        member_orders(member=member)
        .filter(
            scope_q(scope, "origin_outlet")
            | scope_q(scope, "pickup_outlet")
            | scope_q(scope, "lines__location")
        )
        .distinct()
    )


def member_activity(*, actor: Actor, member_id: int) -> Activity:
    """A region manager's view of a member whose orders touch their region: those orders, the
    member's balances and their points and wallet movements. HQ sees every member. A member
    with no order in the region is not found (no leak of who shops elsewhere)."""
    actor.require(Perm.STOCK_VIEW)
    if not sees_member_activity(outlet_scoped=actor.scope.outlet_id is not None):
        raise PermissionDeniedError("counter staff see only what serving a member needs", code="forbidden")
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        raise _member_not_found()
    orders = list(_orders_in_scope(actor, member)[:100])
    if not orders and not actor.scope.is_hq:
        raise _member_not_found()
    tier = member_tier(member=member)
    return Activity(
        member,
        mask_mobile(member.mobile),
        tier.name if tier else "",
        points_balance(member=member),
        wallet_balance(member=member),
        orders,
        member_postings(member=member),
    )


def members_in_scope(*, actor: Actor, search: str = "", limit: int = 50) -> list[Member]:
    """Members whose orders touch the actor's region (all members for HQ), newest first."""
    actor.require(Perm.STOCK_VIEW)
    if not sees_member_activity(outlet_scoped=actor.scope.outlet_id is not None):
        raise PermissionDeniedError("counter staff see only what serving a member needs", code="forbidden")
    scope = actor.scope
    qs = Member.objects.all()
    if not scope.is_hq:
        in_scope = Order.objects.filter(
            scope_q(scope, "origin_outlet")
            | scope_q(scope, "pickup_outlet")
            | scope_q(scope, "lines__location")
        ).exclude(member__isnull=True)
        qs = qs.filter(pk__in=in_scope.values("member_id"))
    if search:
        qs = qs.filter(Q(mobile=search) | Q(card_code=search) | Q(name__icontains=search))
    return list(qs.order_by("-pk")[:limit])
