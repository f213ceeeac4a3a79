"""What the order writes share: its history, the compare-and-set on its state, its holds and
how long they last, and completing it (goods out, coupons redeemed, points and commission)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from omnipoint.catalog.domain import ProductKind
from omnipoint.core.errors import (
    InvalidStateError,
)
from omnipoint.inventory import services as inventory
from omnipoint.inventory.models import (
    MovementKind,
    OwnerKind,
    Reservation,
    ReservationLine,
    ReservationState,
    Transfer,
)
from omnipoint.loyalty import services as loyalty
from omnipoint.marketing import services as marketing
from omnipoint.orders import domain, selectors
from omnipoint.orders.hooks import GOODS_HANDED_OVER, GoodsHandedOver, HandedOverLine, HandOver
from omnipoint.orders.models import (
    Method,
    Order,
    OrderEvent,
    OrderLine,
    OrderReturn,
    OrderState,
    PaymentState,
    PickTask,
    TaskState,
)
from omnipoint.outlets.domain import SYSTEM
from omnipoint.payments import selectors as payment_selectors
from omnipoint.showrooms import services as showrooms

OPEN_STATES = (OrderState.PENDING, OrderState.CONFIRMED, OrderState.READY)


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


def _hold_rules() -> domain.HoldRules:
    return domain.HoldRules(
        payment_timeout=timedelta(seconds=settings.ORDER_PAYMENT_TIMEOUT_SECONDS),
        try_in_store=timedelta(hours=settings.ORDER_TRY_IN_STORE_HOURS),
        delivery=timedelta(hours=settings.ORDER_DELIVERY_HOLD_HOURS),
        pickup_paid=timedelta(hours=settings.ORDER_PICKUP_HOLD_HOURS),
        pickup_unpaid=timedelta(hours=settings.ORDER_PICKUP_UNPAID_HOLD_HOURS),
    )


def _hold_window(method: str, payment_mode: str, *, paid: bool) -> timedelta:
    """How long an order's goods stay held at its stage (``domain.hold_window``, as configured)."""
    return domain.hold_window(method, payment_mode, paid=paid, rules=_hold_rules())


def _commit_holds(order: Order) -> None:
    """The goods leave as a sale: every unit of the order must still be held for it, or
    nothing is handed over (a lapsed or lost hold means those units may be sold already)."""
    holds = _hold_refs(order)
    held: dict[int, int] = {}
    for sku_id, qty in ReservationLine.objects.filter(reservation__in=holds).values_list(
        "sku_id", "quantity"
    ):
        held[sku_id] = held.get(sku_id, 0) + qty
    wanted = dict(order.lines.filter(kind=ProductKind.GOODS).values_list("sku_id", "quantity"))
    if held != wanted:
        raise InvalidStateError(
            f"order {order.number} no longer has all its goods held; it cannot be completed",
            code="order_holds_lapsed",
        )
    for hold in holds:
        inventory.reservation_commit(
            actor=SYSTEM, reservation_id=hold.pk, kind=MovementKind.SALE, reference=f"order:{order.number}"
        )


def _check_paid(order: Order) -> None:
    """Goods leave only when the order is paid as its mode requires (cash on delivery is taken
    by order_deliver first): never unpaid, never after a refund."""
    if order.payment_state == PaymentState.PAID or _refunded_only_virtual_lines(order):
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


def _refunded_only_virtual_lines(order: Order) -> bool:
    """Partly refunded, and only for virtual lines their provider refused: the goods are paid."""
    if order.payment_state != PaymentState.PARTLY_REFUNDED:
        return False
    given_back = OrderReturn.objects.filter(order_id=order.pk, reason=domain.VIRTUAL_REFUSED)
    return (given_back.aggregate(s=Sum("amount"))["s"] or 0) == payment_selectors.order_refunded_amount(
        order_id=order.pk
    )


def _complete(order: Order, *, frm: set[str], kind: HandOver, user_id: int | None = None) -> None:
    _set_state(order, frm, OrderState.COMPLETED, completed_at=timezone.now())
    marketing.coupons_redeem(actor=SYSTEM, order_id=order.pk)
    if order.method != Method.DELIVERY:  # a delivery's goods left when it shipped
        _commit_holds(order)
    PickTask.objects.filter(order=order).exclude(state=TaskState.CANCELLED).update(state=TaskState.DONE)
    _event(order, "completed", user_id=user_id, how=kind)
    # Points are earned when an order completes, online or at the counter alike (线下消费线上积分).
    loyalty.points_earn_for_order(actor=SYSTEM, order=selectors.order_for_points(order))
    showrooms.commission_accrue(actor=SYSTEM, order=selectors.order_for_commission(order))
    _announce_handed_over(order, kind)


def _announce_handed_over(order: Order, how: HandOver) -> None:
    """Tell the apps above (aftersales) that the order's goods reached the customer."""
    if not GOODS_HANDED_OVER.listeners:
        return
    lines = tuple(
        HandedOverLine(
            line_id=ln.pk,
            sku_id=ln.sku_id,
            sku_code=ln.sku.code,
            kind=ProductKind(ln.kind),
            quantity=ln.quantity,
            installation=ln.installation,
            location_id=ln.location_id,
        )
        for ln in OrderLine.objects.filter(order_id=order.pk).select_related("sku").order_by("pk")
    )
    GOODS_HANDED_OVER.publish(
        GoodsHandedOver(
            order_id=order.pk,
            order_number=order.number,
            how=how,
            member_id=order.member_id,
            customer_mobile=order.customer_mobile,
            outlet_id=order.pickup_outlet_id or order.origin_outlet_id,
            address=order.address,
            lines=lines,
            at=order.completed_at or timezone.now(),
        )
    )
