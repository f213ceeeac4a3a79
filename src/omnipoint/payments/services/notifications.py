"""A provider's asynchronous notification of a payment's fate (or of an online top-up's)."""

from collections.abc import Mapping
from typing import Any

from omnipoint.core.errors import DomainError, NotFoundError, ValidationError
from omnipoint.loyalty.models import OnlineTopup
from omnipoint.outlets.domain import SYSTEM, SystemActor, require_platform
from omnipoint.payments import topups
from omnipoint.payments.domain import (
    AmountMismatchError,
    PaymentState,
)
from omnipoint.payments.hooks import CHARGE_NOTIFIED
from omnipoint.payments.models import Payment, PaymentNotification
from omnipoint.payments.providers import PROVIDERS, provider_get
from omnipoint.payments.services._shared import (
    MAX_NOTIFICATION_CHARS,
)
from omnipoint.payments.services.applying import _succeed

# --- notifications -------------------------------------------------------------------------


def _body_text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")[:MAX_NOTIFICATION_CHARS]


def notification_receive(
    *, actor: SystemActor, provider: str, body: bytes, headers: Mapping[str, str]
) -> dict[str, Any]:
    """A provider tells us a payment's fate. Every notification is logged first, whatever
    becomes of it; a forged signature, an unknown payment or a wrong amount is refused and
    changes nothing else. A repeat of one already applied is acknowledged and changes nothing.
    Returns the acknowledgement body the provider expects."""
    known = PROVIDERS.get(provider)
    signature = headers.get(known.signature_header, "") if known and known.signature_header else ""
    log = PaymentNotification.objects.create(
        provider=provider[:20], body=_body_text(body), signature=signature[:200]
    )
    try:
        gateway = provider_get(provider)
        note = gateway.verify(body, headers)
        log.verified = True
        payment = Payment.objects.filter(provider=gateway.name, number=note.merchant_ref).first()
        if payment is None:  # a member's online wallet top-up, or a charge another app owns?
            other = topups._topup_online_notified(
                merchant_ref=note.merchant_ref, provider_ref=note.provider_ref, amount=note.amount
            )
            if other is None:
                other = CHARGE_NOTIFIED(note)
            if other is not None:
                log.outcome = other
                log.save(update_fields=["outcome", "verified"])
                return gateway.ack()
        if payment is None:
            raise NotFoundError(f"payment {note.merchant_ref} not found", code="payment_not_found")
        log.payment = payment
        if payment.provider_ref and note.provider_ref != payment.provider_ref:
            raise ValidationError("the notification names another transaction", code="provider_ref_mismatch")
        if note.amount != payment.amount:
            raise AmountMismatchError(
                f"the notification says {note.amount} fen, the payment is {payment.amount}",
                notified=note.amount,
                expected=payment.amount,
            )
        if note.status == "failed":
            Payment.objects.filter(pk=payment.pk, state=PaymentState.PENDING).update(
                state=PaymentState.FAILED
            )
            outcome = "failed"
        else:
            outcome = _succeed(payment.pk)
    except DomainError as exc:
        log.outcome = exc.code
        log.save(update_fields=["outcome", "verified", "payment"])
        raise
    log.outcome = outcome
    log.save(update_fields=["outcome", "verified", "payment"])
    return gateway.ack()


def payment_recover(*, actor: SystemActor, number: str) -> str:
    """The notification that never came: the provider's statement lists a payment (or an online
    top-up) as paid that we hold as not paid. Ask the provider and apply what it answers through
    the same step as its notification, so a notification arriving at the same moment applies it
    once between them. Returns what happened ("applied", "duplicate", "refunded_cancelled",
    "refunded_overpaid", "topup_paid"), or what the provider says when it says not paid."""
    require_platform(actor)
    payment = Payment.objects.filter(number=number).first()
    if payment is None:
        if OnlineTopup.objects.filter(number=number).exists():
            return f"topup_{topups.topup_online_settle(actor=SYSTEM, number=number).state}"
        raise NotFoundError(f"payment {number} not found", code="payment_not_found")
    status = provider_get(payment.provider).query(payment)
    return _succeed(payment.pk) if status == "succeeded" else status
