"""Payment writes: start an online payment, capture cash, take provider notifications, sync
with the provider, refund back to the tenders.

Every money change is a guarded conditional UPDATE checked for exactly one row:
  - a payment succeeds once: ``filter(pk=..., state!=succeeded).update(state=succeeded)``;
  - a tender is counted toward its order only while the order's tenders stay within its total
    (``OrderBalance.paid <= total``), so split tenders never overpay;
  - a refund never exceeds its payment (``refunded_amount <= amount``), nor the order's refunds
    what was paid (``OrderBalance.refunded <= paid``).
Database CheckConstraints back each guard. Work on one order's money starts by asking orders
for the order (``hooks.ORDER_FOR_PAYMENT``), which locks its row (PostgreSQL; SQLite runs one
writer at a time), so the order confirmation that follows a payment sees a consistent total; the
guards hold on their own even without that lock. Payments keep their rows by the order's id and
tell orders what the money did (``PAYMENT_APPLIED``, ``ORDER_REFUNDED``); orders keep the order's
state and its payment state.

Provider calls (the sandbox gateway's refund) run inside the transaction: a refused refund
rolls everything back. A real gateway would need a pending refund row and a retry instead.
"""

from omnipoint.payments.services._shared import (
    CASH_PROVIDER,
    MAX_AMOUNT,
    MAX_NOTIFICATION_CHARS,
    ONLINE_PROVIDER,
)
from omnipoint.payments.services.notifications import notification_receive, payment_recover
from omnipoint.payments.services.refunds import payment_refund, refund_to_tenders
from omnipoint.payments.services.taking import payment_capture, payment_start, payment_tender, payments_sync

__all__ = [
    "CASH_PROVIDER",
    "MAX_AMOUNT",
    "MAX_NOTIFICATION_CHARS",
    "ONLINE_PROVIDER",
    "notification_receive",
    "payment_capture",
    "payment_recover",
    "payment_refund",
    "payment_start",
    "payment_tender",
    "payments_sync",
    "refund_to_tenders",
]
