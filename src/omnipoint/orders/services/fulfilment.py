"""Fulfilment at the outlets: pick tasks on the handheld, goods travelling to the pickup outlet
(inventory's transfer hooks), the hand-over against the pickup code, the delivery."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from omnipoint.core.errors import (
    DomainError,
    InvalidStateError,
    NotFoundError,
    ValidationError,
)
from omnipoint.core.explain import Explanation
from omnipoint.inventory import services as inventory
from omnipoint.inventory.models import (
    OwnerKind,
    Transfer,
)
from omnipoint.orders import domain, selectors
from omnipoint.orders.domain import PaymentMode
from omnipoint.orders.hooks import HandOver
from omnipoint.orders.models import (
    Order,
    OrderState,
    PaymentState,
    PickTask,
    PickupAttempt,
    PickupGuessCount,
    TaskState,
)
from omnipoint.orders.services._common import (
    _check_paid,
    _commit_holds,
    _complete,
    _event,
    _hold_window,
    _set_state,
    _transfers,
)
from omnipoint.outlets.domain import SYSTEM, Actor, Perm
from omnipoint.outlets.models import Outlet
from omnipoint.payments.services import payment_capture


class PickupCodeError(DomainError):
    code = "pickup_code_invalid"
    status = 422


class TooManyAttemptsError(DomainError):
    code = "pickup_locked"
    status = 429


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
        _complete(order, frm={OrderState.READY}, kind=HandOver.COLLECTED, user_id=actor.user_id)
        PickupAttempt.objects.create(order=order, outlet=outlet, clerk_id=actor.user_id, ok=True)
    return order


@transaction.atomic
def order_deliver(*, actor: Actor, order_id: int) -> Order:
    """The carrier delivered, as staff whose scope holds the order (else it does not exist) and
    who may sell record it. Cash on delivery still owed is taken now, with the delivery (a COD
    order never completes unpaid); otherwise the order must be paid and not refunded."""
    order = selectors.order_list(actor=actor).filter(pk=order_id).first()
    if order is None:
        raise NotFoundError(f"order {order_id} not found", code="order_not_found")
    actor.require(Perm.STOCK_SELL)
    if (
        order.state == OrderState.SHIPPED
        and order.payment_mode == PaymentMode.ON_DELIVERY
        and order.payment_state == PaymentState.UNPAID
    ):
        payment_capture(actor=actor, order_id=order.pk, method="cod")
        order.refresh_from_db()
    if order.state == OrderState.SHIPPED:
        _check_paid(order)
    _complete(order, frm={OrderState.SHIPPED}, kind=HandOver.DELIVERED, user_id=actor.user_id)
    return order
