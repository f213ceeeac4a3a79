"""What payments ask of orders and tell them, which sit above them (registered by
OrdersConfig.ready()).

Money arrives synchronously (a capture at the counter) or asynchronously (the gateway's signed
notification, the payment sweep): either way payments records it in their own rows, then tell
the order, inside the same transaction. Orders keep the order's state and its payment state."""

from omnipoint.core.hooks import Hook, HookChain
from omnipoint.payments.domain import Notification, OrderForPayment

# The order as payments need it, its row locked for the rest of the transaction (None: no such
# order). Every piece of work on an order's money starts here, so it runs one at a time per order.
ORDER_FOR_PAYMENT: Hook[[int], OrderForPayment | None] = Hook(
    "payments.ORDER_FOR_PAYMENT", "an order, locked, as payments need it"
)

# The money counted for an order changed: (order id, paid total) -> whether the order takes it.
# False when it was cancelled first: payments then refunds what just arrived.
PAYMENT_APPLIED: Hook[[int, int], bool] = Hook("payments.PAYMENT_APPLIED", "an order's payment arrived")

# Money went back for an order: (order id, paid, refunded, staff user id or None). The order's
# payment state follows; an open order refunded in full is cancelled.
ORDER_REFUNDED: Hook[[int, int, int, int | None], object] = Hook(
    "payments.ORDER_REFUNDED", "an order's money went back"
)

# The gateway's verified notification of an online charge that is no order's payment nor a
# top-up (a bill paid online, registered by billpay; a parcel's QR charge, by parcels): each
# owner is asked in turn, applies it when the reference is theirs and returns the outcome for
# the notification's log, or None when it is not theirs.
CHARGE_NOTIFIED: HookChain[[Notification], str] = HookChain(
    "payments.CHARGE_NOTIFIED", "an online charge that is no order's was paid or failed"
)
