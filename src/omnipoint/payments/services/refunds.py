"""Refunds back to the tenders, each guarded never to pass its payment nor the order's paid total;
orders learn what went back (``hooks.ORDER_REFUNDED``)."""

from django.db import transaction
from django.db.models import F

from omnipoint.core.errors import InvalidStateError, NotFoundError, ValidationError
from omnipoint.outlets.domain import Actor, Perm, SystemActor, require_platform
from omnipoint.payments.domain import (
    OrderForPayment,
    PaymentState,
    RefundExceedsError,
    RefundState,
    allocate_refund,
)
from omnipoint.payments.hooks import ORDER_FOR_PAYMENT, ORDER_REFUNDED
from omnipoint.payments.models import OrderBalance, Payment, Refund
from omnipoint.payments.providers import provider_get
from omnipoint.payments.services._shared import (
    _amount,
    _lock,
)

# --- refunding -----------------------------------------------------------------------------


def _refund_one(
    payment: Payment, amount: int, *, reason: str, counted: bool, actor_id: int | None = None
) -> Refund:
    """Give ``amount`` of one tender back through its provider. Guarded twice: never past the
    payment, and (for counted tenders) never past what the order was paid."""
    if (
        Payment.objects.filter(
            pk=payment.pk, state=PaymentState.SUCCEEDED, refunded_amount__lte=F("amount") - amount
        ).update(refunded_amount=F("refunded_amount") + amount)
        != 1
    ):
        payment.refresh_from_db()
        raise RefundExceedsError(
            f"payment {payment.number} has only {payment.refundable} fen left to refund",
            refundable=payment.refundable,
            amount=amount,
        )
    if (
        counted
        and OrderBalance.objects.filter(pk=payment.order_id, refunded__lte=F("paid") - amount).update(
            refunded=F("refunded") + amount
        )
        != 1
    ):
        raise RefundExceedsError("the order's refunds would exceed what it was paid", amount=amount)
    provider_ref = provider_get(payment.provider).refund(payment, amount)
    payment.refunded_amount += amount
    return Refund.objects.create(
        payment=payment,
        amount=amount,
        state=RefundState.SUCCEEDED,
        provider_ref=provider_ref,
        reason=reason[:200],
        actor_id=actor_id,
    )


def _refund_uncounted(payment: Payment, *, reason: str) -> Refund:
    Payment.objects.filter(pk=payment.pk).update(note=reason[:200])
    payment.note = reason
    return _refund_one(payment, payment.amount, reason=reason, counted=False)


def _refunded(order_id: int, user_id: int | None = None) -> None:
    """Money went back: orders learn what the order was paid and what went back, and its payment
    state follows (an open order refunded in full is cancelled)."""
    balance = OrderBalance.objects.filter(pk=order_id).first()
    if balance is None or balance.refunded == 0:
        return
    ORDER_REFUNDED(order_id, balance.paid, balance.refunded, user_id)


def _check_refundable_order(order: OrderForPayment) -> None:
    if not order.cancelled and order.unpaid:
        raise InvalidStateError(
            f"order {order.number} is still awaiting payment: cancel it to give its tenders back",
            code="order_not_paid",
        )


@transaction.atomic
def refund_to_tenders(
    *, actor: SystemActor, order_id: int, amount: int | None, reason: str, actor_id: int | None = None
) -> list[Refund]:
    """Refund ``amount`` (None: everything still refundable) back to the order's tenders, the
    most recent first, each up to what it has not yet refunded, each through its own provider.
    Called by orders (the platform, once they authorised the cancel or the return); staff refund
    a tender through ``payment_refund``."""
    require_platform(actor)
    _check_refundable_order(_lock(order_id))
    tenders = list(
        Payment.objects.filter(order_id=order_id, state=PaymentState.SUCCEEDED, counted=True).order_by(
            "-succeeded_at", "-pk"
        )
    )
    refundable = [(p.pk, p.amount - p.refunded_amount) for p in tenders]
    if amount is None:
        amount = sum(r for _, r in refundable)
        if amount == 0:
            return []
    plan = allocate_refund(refundable, _amount(amount))
    by_id = {p.pk: p for p in tenders}
    refunds = [
        _refund_one(by_id[pid], part, reason=reason, counted=True, actor_id=actor_id) for pid, part in plan
    ]
    _refunded(order_id)
    return refunds


@transaction.atomic
def payment_refund(
    *, actor: Actor, payment_id: int, amount: int | None = None, full: bool = False, reason: str = ""
) -> Refund:
    """Staff refund one tender in part (``amount``) or all that is left of it (``full``): one
    of the two, never everything by default. An open order refunded in full is cancelled."""
    if (amount is None) == (not full):
        raise ValidationError(
            "give the amount to refund, or full: true, not both"
            if full
            else "give the amount to refund, or full: true for all that is left",
            code="invalid_amount" if full else "amount_required",
        )
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        raise NotFoundError(f"payment {payment_id} not found", code="payment_not_found")
    order = ORDER_FOR_PAYMENT(payment.order_id)
    actor.require(Perm.STOCK_VIEW)
    if order is None or not order.visible_to(actor.scope, actor.user_id):
        raise NotFoundError(f"payment {payment_id} not found", code="payment_not_found")
    actor.require(Perm.STOCK_SELL)
    payment.refresh_from_db()
    if payment.state != PaymentState.SUCCEEDED:
        raise InvalidStateError(
            f"payment {payment.number} is {payment.state}", code="payment_not_succeeded", state=payment.state
        )
    if payment.counted:
        _check_refundable_order(order)
    amount = payment.refundable if amount is None else _amount(amount)
    if amount <= 0 or amount > payment.refundable:
        raise RefundExceedsError(
            f"payment {payment.number} has only {payment.refundable} fen left to refund",
            refundable=payment.refundable,
            amount=amount,
        )
    refund = _refund_one(payment, amount, reason=reason, counted=payment.counted, actor_id=actor.user_id)
    _refunded(order.order_id, actor.user_id)
    return refund
