"""An order's payment is secured (paid, or due at the outlet / on delivery): the outlets get to
work; and what payments tell orders (``payments.hooks``): money applied, money gone back."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from omnipoint.catalog.domain import ProductKind
from omnipoint.core.explain import Explanation
from omnipoint.inventory import services as inventory
from omnipoint.marketing import services as marketing
from omnipoint.orders import domain
from omnipoint.orders.hooks import HandOver
from omnipoint.orders.models import (
    Method,
    Order,
    OrderState,
    PaymentState,
    PickTask,
    TaskState,
)
from omnipoint.orders.services._common import (
    OPEN_STATES,
    _complete,
    _event,
    _hold_refs,
    _hold_window,
    _set_state,
)
from omnipoint.orders.services.cancelling import _cancel
from omnipoint.orders.services.virtual_lines import _virtuals_request
from omnipoint.outlets.domain import SYSTEM, SystemActor, require_platform


def _expected_ready(distance_km: float) -> timedelta:
    """A transfer leg: two hours to pick and dispatch, then the road at 30 km/h."""
    return timedelta(hours=2) + timedelta(hours=distance_km / 30)


def _confirm(order: Order, *, reason: Explanation) -> Order:
    """Payment is secured (paid, or due at the outlet / on delivery): the outlets get to work.

    Creates a pick task per fulfilling outlet, and for goods that must travel to the pickup
    outlet a transfer carrying their hold, with the time they are expected to be ready.
    """
    _set_state(order, OrderState.PENDING, OrderState.CONFIRMED)
    routing = order.routing
    tasks: list[PickTask] = []
    legs = {leg["location_id"]: leg for leg in routing.get("transfers", [])}
    # The holds are looked up only for goods that travel (most orders have none to carry).
    holds = {int(r.owner_ref.rsplit(":", 1)[1]): r for r in _hold_refs(order)} if legs else {}
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
def order_payment_applied(*, actor: SystemActor, order_id: int, paid_total: int) -> bool:
    """Payments call this (``payments.hooks.PAYMENT_APPLIED``) when the money taken for an order
    changes. Returns False when the order can no longer take money (it was cancelled first): the
    caller refunds. Only the platform tells orders this."""
    require_platform(actor)
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
    has_goods = order.lines.filter(kind=ProductKind.GOODS).exists()
    if order.state == OrderState.PENDING and order.method == Method.COUNTER:
        _complete(order, frm={OrderState.PENDING}, kind=HandOver.COUNTER)
    elif not has_goods and order.state in (OrderState.PENDING, OrderState.CONFIRMED):
        _complete(order, frm={order.state}, kind=HandOver.NO_GOODS)  # nothing to pick or hand over
    elif order.state == OrderState.PENDING:
        _confirm(order, reason=Explanation(domain.OrderWhy.PAID_ONLINE))
    _virtuals_request(order)
    return True


def order_refunded(
    *, actor: SystemActor, order_id: int, paid: int, refunded: int, user_id: int | None = None
) -> None:
    """Payments call this (``payments.hooks.ORDER_REFUNDED``) when money went back for an order:
    its payment state follows what it was paid and what went back, and never goes back from
    refunded. An open order refunded in full is cancelled (its holds go back); nothing is left to
    give back. Only the platform tells orders this; ``user_id`` is the staff member who refunded."""
    require_platform(actor)
    new = PaymentState.REFUNDED if refunded >= paid else PaymentState.PARTLY_REFUNDED
    allowed = {PaymentState.PAID, PaymentState.PARTLY_REFUNDED}
    if new == PaymentState.REFUNDED:
        allowed.add(PaymentState.UNPAID)  # a partly paid order that was cancelled
    Order.objects.filter(pk=order_id, payment_state__in=allowed).update(payment_state=new)
    if Order.objects.filter(pk=order_id, state__in=OPEN_STATES, payment_state=PaymentState.REFUNDED).exists():
        _cancel(order_id=order_id, reason=Explanation(domain.OrderWhy.REFUNDED_IN_FULL), user_id=user_id)
