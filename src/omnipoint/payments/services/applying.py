"""A tender's money arrived: counted toward the order once, within its total, and the order told
(``hooks.PAYMENT_APPLIED``); money the order no longer takes goes straight back."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from omnipoint.core.errors import InvalidStateError
from omnipoint.payments.domain import (
    OrderForPayment,
    OverpaymentError,
    PaymentState,
)
from omnipoint.payments.hooks import PAYMENT_APPLIED
from omnipoint.payments.models import OrderBalance, Payment
from omnipoint.payments.providers import LEDGER_PROVIDERS
from omnipoint.payments.services._shared import (
    _balance,
    _lock,
)
from omnipoint.payments.services.refunds import _refund_one, _refund_uncounted, _refunded

# --- applying a payment --------------------------------------------------------------------


@transaction.atomic
def _succeed(payment_id: int, *, strict: bool = False) -> str:
    """A tender's money arrived: mark it succeeded (once), count it toward the order, tell the
    order. Returns what happened: "applied", "duplicate", or, for money that came for an order
    that was cancelled or already paid, "refunded_cancelled" / "refunded_overpaid" (refunded at
    once). With ``strict`` (staff capture) those two refuse instead: nothing was taken yet."""
    payment = Payment.objects.get(pk=payment_id)
    order = _lock(payment.order_id)
    now = timezone.now()
    if (
        Payment.objects.filter(pk=payment.pk)
        .exclude(state=PaymentState.SUCCEEDED)
        .update(state=PaymentState.SUCCEEDED, succeeded_at=now)
        != 1
    ):
        return "duplicate"
    payment.state, payment.succeeded_at = PaymentState.SUCCEEDED, now
    if order.cancelled:
        if strict:
            raise InvalidStateError(
                f"order {order.number} is cancelled", code="order_wrong_state", state=order.state
            )
        _refund_uncounted(payment, reason="the order was cancelled before the payment arrived")
        return "refunded_cancelled"
    _balance(order)
    counted = OrderBalance.objects.filter(pk=order.order_id, paid__lte=F("total") - payment.amount).update(
        paid=F("paid") + payment.amount
    )
    if counted != 1:
        if strict:
            raise OverpaymentError(f"order {order.number} would be paid more than its total")
        _refund_uncounted(payment, reason="the order was already paid in full")
        return "refunded_overpaid"
    Payment.objects.filter(pk=payment.pk).update(counted=True)
    payment.counted = True
    paid_total = OrderBalance.objects.values_list("paid", flat=True).get(pk=order.order_id)
    try:
        with transaction.atomic():
            applied = PAYMENT_APPLIED(order.order_id, paid_total)
    except InvalidStateError:  # the order left "pending" for "cancelled" under us
        applied = False
    if not applied:
        if strict:
            raise InvalidStateError(f"order {order.number} is cancelled", code="order_wrong_state")
        reason = "the order was cancelled before the payment arrived"
        _refund_one(payment, payment.amount, reason=reason, counted=True)
        Payment.objects.filter(pk=payment.pk).update(note=reason)
        _refunded(order.order_id)
        return "refunded_cancelled"
    if paid_total >= order.total:
        _capture_holds(order)
    return "applied"


def _capture_holds(order: OrderForPayment) -> None:
    """The order is paid in full: the wallet and points holds among its tenders become real."""
    for payment in Payment.objects.filter(
        order_id=order.order_id, method__in=LEDGER_PROVIDERS, state=PaymentState.SUCCEEDED, counted=True
    ).order_by("pk"):
        LEDGER_PROVIDERS[payment.provider].capture(payment)
