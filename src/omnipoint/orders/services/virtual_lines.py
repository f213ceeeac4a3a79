"""An order's virtual lines (a top-up, a subscription, a prepaid card): asked of their provider
(``omnipoint.virtuals``) once the order is paid, and what orders do with the outcome: a fulfilled
line is recorded; a refused one is given back like a return, without goods: its price refunded
to the order's tenders (``payments.refund_to_tenders``), its points and commission taken back."""

from omnipoint.catalog.domain import ProductKind
from omnipoint.loyalty import services as loyalty
from omnipoint.orders import domain, selectors
from omnipoint.orders.models import Order, OrderLine, OrderReturn, OrderState, PaymentState, line_ref
from omnipoint.orders.services._common import _event
from omnipoint.outlets.domain import SYSTEM, SystemActor, require_platform
from omnipoint.payments.services import refund_to_tenders
from omnipoint.showrooms import services as showrooms
from omnipoint.virtuals import selectors as virtuals_selectors
from omnipoint.virtuals import services as virtuals
from omnipoint.virtuals.domain import VirtualOutcome, VirtualState


def _virtuals_request(order: Order) -> None:
    """The order is paid: ask for its virtual lines (each once, by its line's name)."""
    for line in OrderLine.objects.filter(order_id=order.pk, kind=ProductKind.VIRTUAL).select_related("sku"):
        virtuals.virtual_request(
            actor=SYSTEM,
            owner_ref=line_ref(line.pk),
            sku_code=line.sku.code,
            target=line.target,
            amount=line.amount,
            quantity=line.quantity,
        )


def _virtual_kept(order: Order) -> tuple[int, list[int]]:
    """What cancelling an order may not refund: its virtual lines credited (a top-up cannot be
    taken back from the phone) or still with their provider (if refused later, that settling
    refunds them as it would any refused line). The amount and the lines."""
    lines = list(OrderLine.objects.filter(order_id=order.pk, kind=ProductKind.VIRTUAL, returned_quantity=0))
    asked = virtuals_selectors.fulfilments_for(owner_refs=[line_ref(line.pk) for line in lines])
    live = (VirtualState.FULFILLED, VirtualState.REQUESTED)
    kept = [line for line in lines if line_ref(line.pk) in asked and asked[line_ref(line.pk)].state in live]
    return sum(line.amount for line in kept), [line.pk for line in kept]


def order_virtual_settled(*, actor: SystemActor, outcome: VirtualOutcome) -> None:
    """Virtuals call this (``virtuals.hooks.VIRTUAL_SETTLED``), once per item, in the settling
    transaction: a fulfilled line is recorded on the order, a refused one refunded. Only the
    platform tells orders this."""
    require_platform(actor)
    line = OrderLine.objects.select_related("order").get(pk=int(outcome.owner_ref.rsplit(":", 1)[1]))
    order = Order.objects.select_for_update().get(pk=line.order_id)  # one money change at a time
    if outcome.state == VirtualState.FULFILLED:
        _event(order, "virtual_fulfilled", line=line.pk, sku=line.sku_id)
        return
    record = _give_back(order, line, reason=outcome.reason)
    _event(
        order, "virtual_refused", line=line.pk, sku=line.sku_id, reason=outcome.reason, amount=record.amount
    )


def _give_back(order: Order, line: OrderLine, *, reason: str) -> OrderReturn:
    """A refused virtual line, taken back whole: counted returned (by compare-and-set, so twice
    is impossible), refunded, and its points and commission reversed as a return's are."""
    if OrderLine.objects.filter(pk=line.pk, returned_quantity=0).update(returned_quantity=line.quantity) != 1:
        raise AssertionError(f"order line {line.pk} was given back already")  # settled once: unreachable
    done = [{"sku_id": line.sku_id, "quantity": line.quantity, "amount": line.amount}]
    record = OrderReturn.objects.create(
        order=order,
        outlet_id=line.location_id,
        actor=None,
        lines=done,
        amount=line.amount,
        reason=domain.VIRTUAL_REFUSED,
    )
    if order.state == OrderState.COMPLETED:  # points and commission were given at completion
        showrooms.commission_reverse(actor=SYSTEM, order_return=selectors.return_for_commission(record))
        if line.amount:
            loyalty.points_clawback_for_return(
                actor=SYSTEM,
                order=selectors.order_for_points(order),
                amount=line.amount,
                key=f"clawback:return:{record.pk}",
            )
    if order.payment_state != PaymentState.UNPAID and line.amount:
        record.refunds.set(
            refund_to_tenders(actor=SYSTEM, order_id=order.pk, amount=line.amount, reason=f"{reason}")
        )
    return record
