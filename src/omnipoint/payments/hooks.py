"""What payments tell orders, which sit above them (registered by OrdersConfig.ready()).

Money arrives synchronously (a capture at the counter) or asynchronously (the gateway's signed
notification, the payment sweep): either way payments records it, then tells the order, inside
the same transaction."""

from omnipoint.core.hooks import Hook

# The money counted for an order changed: (order id, paid total) -> whether the order takes it.
# False when it was cancelled first: payments then refunds what just arrived.
PAYMENT_APPLIED: Hook[[int, int], bool] = Hook("payments.PAYMENT_APPLIED", "an order's payment arrived")

# Staff refunded an order's money in full: (order id, staff user id); an open order is cancelled.
ORDER_REFUNDED: Hook[[int, int | None], object] = Hook(
    "payments.ORDER_REFUNDED", "an order was refunded in full"
)
