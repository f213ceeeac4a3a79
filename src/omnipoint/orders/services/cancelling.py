"""Cancelling an order (holds back, coupons back, money back to its tenders), and the two clocks
that cancel one: the payment timeout and a lapsed hold."""

from django.db import transaction
from django.utils import timezone

from omnipoint.core.errors import (
    InvalidStateError,
    NotFoundError,
    ValidationError,
)
from omnipoint.core.explain import Explanation, in_english
from omnipoint.inventory import services as inventory
from omnipoint.inventory.models import (
    Reservation,
    ReservationState,
)
from omnipoint.marketing import services as marketing
from omnipoint.orders import domain, selectors
from omnipoint.orders.models import (
    Order,
    OrderState,
    PaymentState,
    PickTask,
    TaskState,
)
from omnipoint.orders.services._common import (
    OPEN_STATES,
    _event,
    _hold_refs,
    _hold_window,
    _set_state,
    _transfers,
)
from omnipoint.orders.services.virtual_lines import _virtual_kept
from omnipoint.outlets.domain import SYSTEM, Perm, StaffActor, SystemActor
from omnipoint.payments.selectors import order_paid_amount, order_refunded_amount
from omnipoint.payments.services import payments_sync, refund_to_tenders


@transaction.atomic
def order_cancel(*, actor: StaffActor, order_id: int, reason: str) -> Order:
    """Staff cancel an order before completion, by the API and the console alike: the order is in
    their scope (else it does not exist: 404), they may sell (403), and they say why (422
    ``reason_required``). Holds go back, money taken goes back to its tenders."""
    if not selectors.order_list(actor=actor).filter(pk=order_id).exists():
        raise NotFoundError(f"order {order_id} not found", code="order_not_found")
    actor.require(Perm.STOCK_SELL)
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ValidationError("give a reason", code="reason_required")
    return _cancel(order_id=order_id, reason=reason, user_id=actor.user_id)


@transaction.atomic
def _cancel(
    *, order_id: int, reason: str | Explanation, user_id: int | None = None, pending_only: bool = False
) -> Order:
    """Cancel before completion (authorised by the caller: staff, or the platform's clocks).
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
    # landed since ``order`` was read. Nothing to refund is a no-op. A virtual line already
    # credited (or still with its provider) is not refunded with the rest: it is kept.
    kept, kept_lines = _virtual_kept(order)
    text = f"cancelled: {in_english(reason)}"
    if not kept:
        refund_to_tenders(actor=SYSTEM, order_id=order.pk, amount=None, reason=text)
    else:
        _event(order, "virtual_kept", user_id=user_id, lines=kept_lines, amount=kept)
        remaining = order_paid_amount(order_id=order.pk) - order_refunded_amount(order_id=order.pk) - kept
        if remaining > 0:
            refund_to_tenders(actor=SYSTEM, order_id=order.pk, amount=remaining, reason=text)
    order.refresh_from_db(fields=["payment_state"])  # what payments gave back
    return order


def orders_expire_unpaid(*, actor: SystemActor, now=None, batch: int = 200) -> int:  # type: ignore[no-untyped-def]
    """The payment timeout, run by the platform. Asks the payment provider first, so a payment
    made at the last moment is applied rather than cancelled; then cancels what is still unpaid."""
    now = now or timezone.now()
    due = list(
        Order.objects.filter(state=OrderState.PENDING, payment_deadline__lte=now)
        .order_by("payment_deadline")
        .values_list("pk", flat=True)[:batch]
    )
    cancelled = 0
    for order_id in due:
        payments_sync(actor=actor, order_id=order_id)
        try:
            why = Explanation(domain.OrderWhy.PAYMENT_TIMED_OUT)
            _cancel(order_id=order_id, reason=why, pending_only=True)
            cancelled += 1
        except InvalidStateError:
            pass  # paid meanwhile: the payment won, as it should
    return cancelled


def _hold_lapsed(reservation: Reservation, now) -> None:  # type: ignore[no-untyped-def]
    """One of an open order's holds lapsed (the sweep's transaction): the order's time is up.
    It is cancelled and refunded, which gives every hold back. Goods already on the road cannot
    be called back, so then the hold is renewed for another window and the order goes on."""
    order = Order.objects.filter(pk=int(reservation.owner_ref.split(":")[1])).first()
    if order is None or order.state not in OPEN_STATES:
        return  # a hold outliving its order lapses as any other
    if order.state == OrderState.PENDING:
        payments_sync(
            actor=SYSTEM, order_id=order.pk
        )  # money paid at the last moment wins, as at the timeout
        if not Reservation.objects.filter(
            pk=reservation.pk, state=ReservationState.HELD, expires_at__lte=now
        ).exists():
            return  # paid: the hold was renewed
    try:
        with transaction.atomic():
            _cancel(order_id=order.pk, reason=Explanation(domain.OrderWhy.HOLD_LAPSED))
    except InvalidStateError as exc:
        if exc.code != "order_in_transit":
            return  # another transition won; whatever it left held lapses in the sweep
        window = _hold_window(order.method, order.payment_mode, paid=order.payment_state == PaymentState.PAID)
        inventory.reservation_renew(
            actor=SYSTEM, reservation_id=reservation.pk, ttl_seconds=int(window.total_seconds()), now=now
        )
        why = Explanation(domain.OrderWhy.GOODS_ON_THE_ROAD).as_json()
        _event(order, "hold_renewed", reservation=reservation.pk, reason=why)
