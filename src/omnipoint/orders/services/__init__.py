"""Order writes, by sub-domain: placing (the checkout resolved, priced, routed, recorded and
held), confirming and what payments tell orders, cancelling and the clocks that cancel,
fulfilment at the outlets (pick tasks, transfers, hand-over, delivery) and returns.

One transaction per service. Order state changes are compare-and-set on the current state
(``filter(pk=..., state=old).update(state=new)``, then check one row changed), so a payment
and a timeout racing on the same order cannot both win. Stock moves only through the
inventory services; money only through the payments services.
"""

from omnipoint.orders.services.cancelling import order_cancel, orders_expire_unpaid
from omnipoint.orders.services.checkout import MAX_ORDER_LINES, Checkout, LineRequest
from omnipoint.orders.services.confirming import order_payment_applied, order_refunded
from omnipoint.orders.services.fulfilment import (
    TASK_FLOW,
    PickupCodeError,
    TooManyAttemptsError,
    order_deliver,
    order_hand_over,
    task_advance,
)
from omnipoint.orders.services.placing import order_place
from omnipoint.orders.services.returns import order_return

__all__ = [
    "MAX_ORDER_LINES",
    "TASK_FLOW",
    "Checkout",
    "LineRequest",
    "PickupCodeError",
    "TooManyAttemptsError",
    "order_cancel",
    "order_deliver",
    "order_hand_over",
    "order_payment_applied",
    "order_place",
    "order_refunded",
    "order_return",
    "orders_expire_unpaid",
    "task_advance",
]
