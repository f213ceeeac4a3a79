"""What orders register with the apps below them, called by OrdersConfig.ready(): orders' holds
move with their orders (inventory), check_inventory checks that every open order has its goods
held, and payments ask orders for an order and tell them what its money did (the platform acting)."""

from omnipoint.inventory import services as inventory
from omnipoint.inventory.checks import OWNER_CHECKS
from omnipoint.inventory.models import OwnerKind
from omnipoint.loyalty.hooks import MEMBER_SPEND
from omnipoint.orders import selectors
from omnipoint.orders.services.cancelling import _hold_lapsed
from omnipoint.orders.services.confirming import order_payment_applied, order_refunded
from omnipoint.orders.services.fulfilment import _transfer_dispatched, _transfer_received
from omnipoint.orders.services.virtual_lines import order_virtual_settled
from omnipoint.outlets.domain import SystemActor
from omnipoint.payments.hooks import ORDER_FOR_PAYMENT, ORDER_REFUNDED, PAYMENT_APPLIED
from omnipoint.virtuals.domain import VirtualOutcome
from omnipoint.virtuals.hooks import VIRTUAL_SETTLED

PAYMENTS = SystemActor(task="payments")  # payments telling orders what an order's money did


def _payment_applied(order_id: int, paid_total: int) -> bool:
    return order_payment_applied(actor=PAYMENTS, order_id=order_id, paid_total=paid_total)


def _refunded(order_id: int, paid: int, refunded: int, user_id: int | None) -> None:
    order_refunded(actor=PAYMENTS, order_id=order_id, paid=paid, refunded=refunded, user_id=user_id)


VIRTUALS = SystemActor(task="virtuals")  # virtuals telling orders what became of a virtual line


def _virtual_settled(outcome: VirtualOutcome) -> None:
    order_virtual_settled(actor=VIRTUALS, outcome=outcome)


def register_handlers() -> None:
    OWNER_CHECKS[OwnerKind.ORDER] = selectors.orders_without_holds
    inventory.HOLD_LAPSED[OwnerKind.ORDER] = _hold_lapsed
    inventory.TRANSFER_DISPATCHED[OwnerKind.ORDER] = _transfer_dispatched
    inventory.TRANSFER_RECEIVED[OwnerKind.ORDER] = _transfer_received
    MEMBER_SPEND.register(selectors.member_spend_since)
    ORDER_FOR_PAYMENT.register(selectors.order_for_payment)
    PAYMENT_APPLIED.register(_payment_applied)
    ORDER_REFUNDED.register(_refunded)
    VIRTUAL_SETTLED.register(_virtual_settled)
