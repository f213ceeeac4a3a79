"""Goods brought back at any outlet: restocked there, refunded to the original tenders, points
and commission taken back in proportion."""

from django.db import transaction
from django.db.models import F

from omnipoint.core.errors import (
    ConflictError,
    InvalidStateError,
    NotFoundError,
    ValidationError,
    require_quantity,
)
from omnipoint.inventory import services as inventory
from omnipoint.inventory.models import (
    MovementKind,
)
from omnipoint.loyalty import services as loyalty
from omnipoint.orders import selectors
from omnipoint.orders.models import (
    Order,
    OrderLine,
    OrderReturn,
    OrderState,
    PaymentState,
)
from omnipoint.orders.services._common import (
    _event,
)
from omnipoint.outlets.domain import SYSTEM, Actor, Perm
from omnipoint.outlets.models import Outlet
from omnipoint.payments.services import refund_to_tenders
from omnipoint.showrooms import services as showrooms


@transaction.atomic
def order_return(
    *, actor: Actor, order_id: int, outlet_id: int, lines: list[tuple[int, int]], reason: str = ""
) -> OrderReturn:
    """Take goods back at any outlet: restock them there and refund their price to the
    original tenders. Each line's returned quantity is guarded so it never exceeds what was sold."""
    outlet, order = _returnable(actor, outlet_id=outlet_id, order_id=order_id)
    by_sku = {ln.sku_id: ln for ln in order.lines.all()}
    wanted = _return_lines(order, by_sku, lines)
    done, amount = _take_back(order, outlet, by_sku, wanted)
    record = OrderReturn.objects.create(
        order=order, outlet=outlet, actor_id=actor.user_id, lines=done, amount=amount, reason=reason[:200]
    )
    _event(order, "returned", user_id=actor.user_id, outlet=outlet.code, amount=amount, lines=done)
    showrooms.commission_reverse(actor=SYSTEM, order_return=selectors.return_for_commission(record))
    if amount:
        loyalty.points_clawback_for_return(
            actor=SYSTEM,
            order=selectors.order_for_points(order),
            amount=amount,
            key=f"clawback:return:{record.pk}",
        )
    if order.payment_state != PaymentState.UNPAID and amount:
        refunds = refund_to_tenders(
            actor=SYSTEM, order_id=order.pk, amount=amount, reason=f"return {record.pk}"
        )
        record.refunds.set(refunds)
    return record


def _returnable(actor: Actor, *, outlet_id: int, order_id: int) -> tuple[Outlet, Order]:
    """The outlet taking the goods back (in the actor's scope) and the completed order."""
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
    return outlet, order


def _return_lines(order: Order, by_sku: dict[int, OrderLine], lines: list[tuple[int, int]]) -> dict[int, int]:
    """The units brought back per SKU of the order, merged."""
    if not lines:
        raise ValidationError("return at least one line", code="no_lines")
    merged: dict[int, int] = {}
    for sku_id, qty in lines:
        require_quantity(qty)
        if sku_id not in by_sku:
            raise ValidationError(f"SKU {sku_id} is not on order {order.number}", code="sku_not_on_order")
        merged[sku_id] = merged.get(sku_id, 0) + qty
    return merged


def _take_back(
    order: Order, outlet: Outlet, by_sku: dict[int, OrderLine], wanted: dict[int, int]
) -> tuple[list[dict[str, int]], int]:
    """Count each line's units back (never more than were sold), restock them at the outlet, and
    work out what they were charged."""
    done, amount = [], 0
    for sku_id, qty in sorted(wanted.items()):
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
    return done, amount
