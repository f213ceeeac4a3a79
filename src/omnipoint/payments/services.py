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

import secrets
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from omnipoint.core.errors import DomainError, InvalidStateError, NotFoundError, ValidationError
from omnipoint.loyalty.domain import fen_for_points
from omnipoint.members.models import Member
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.models import Staff
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments import topups
from omnipoint.payments.domain import (
    LOYALTY_METHODS,
    STAFF_METHODS,
    AmountMismatchError,
    Method,
    OrderForPayment,
    OverpaymentError,
    PaymentState,
    RefundExceedsError,
    RefundState,
    allocate_refund,
)
from omnipoint.payments.hooks import ORDER_FOR_PAYMENT, ORDER_REFUNDED, PAYMENT_APPLIED
from omnipoint.payments.models import OrderBalance, Payment, PaymentNotification, Refund
from omnipoint.payments.providers import LEDGER_PROVIDERS, PROVIDERS, online_gateway_check, provider_get

ONLINE_PROVIDER = "sandbox"
CASH_PROVIDER = "cash"
MAX_NOTIFICATION_CHARS = 65_536
MAX_AMOUNT = 10**12  # fen: ten billion yuan is a typing error, not a payment


# --- helpers -------------------------------------------------------------------------------


def _number() -> str:
    return "P" + secrets.token_hex(8).upper()


def _lock(order_id: int) -> OrderForPayment:
    """The order as orders give it, its row locked for the rest of the transaction (a no-op on
    SQLite, which runs one writer at a time anyway)."""
    order = ORDER_FOR_PAYMENT(order_id)
    if order is None:
        raise NotFoundError(f"order {order_id} not found", code="order_not_found")
    return order


def _balance(order: OrderForPayment) -> OrderBalance:
    balance, _ = OrderBalance.objects.get_or_create(order_id=order.order_id, defaults={"total": order.total})
    return balance


def _amount(amount: int, *, field: str = "amount") -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_AMOUNT:
        raise ValidationError(
            f"{field} must be a positive whole number of fen", code="invalid_amount", field=field
        )
    return amount


def _check_payable(order: OrderForPayment, *, before_deadline: bool = False) -> None:
    """The order takes money; with ``before_deadline``, also its time to pay online is not over
    (staff taking cash at the counter are not held to the online deadline)."""
    if not order.unpaid:
        raise InvalidStateError(
            f"order {order.number} is already paid", code="already_paid", payment_state=order.payment_state
        )
    if not order.takes_payment:
        raise InvalidStateError(
            f"order {order.number} is {order.state} and takes no payment",
            code="order_wrong_state",
            state=order.state,
        )
    if (
        before_deadline
        and order.pending
        and order.payment_deadline
        and order.payment_deadline <= timezone.now()
    ):
        raise InvalidStateError(f"the time to pay order {order.number} is over", code="payment_expired")


def _remaining(order: OrderForPayment, amount: int | None) -> int:
    """The amount of a new tender: what is still to pay by default, never more."""
    balance = _balance(order)
    remaining = balance.total - balance.paid
    if remaining <= 0:
        raise InvalidStateError(f"order {order.number} is already paid", code="already_paid")
    amount = remaining if amount is None else _amount(amount)
    if amount > remaining:
        raise OverpaymentError(
            f"only {remaining} fen remain to be paid on order {order.number}",
            remaining=remaining,
            amount=amount,
        )
    return amount


def _check_method(method: str, allowed: frozenset[str] | set[str]) -> None:
    if method in LOYALTY_METHODS:
        raise ValidationError(f"{method} payments are not available yet", code="method_unavailable")
    if method not in allowed:
        raise ValidationError(
            f"unknown or wrong payment method {method}", code="invalid_method", allowed=sorted(allowed)
        )


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
    *, order_id: int, amount: int | None, reason: str, actor_id: int | None = None
) -> list[Refund]:
    """Refund ``amount`` (None: everything still refundable) back to the order's tenders, the
    most recent first, each up to what it has not yet refunded, each through its own provider.
    Called by orders on cancel and on return."""
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
    refund = _refund_one(
        payment, amount, reason=reason or "refund", counted=payment.counted, actor_id=actor.user_id
    )
    _refunded(order.order_id, actor.user_id)
    return refund


# --- taking money --------------------------------------------------------------------------


def _authorize_payer(user: Any, order: OrderForPayment | None, mobile: str) -> None:
    """The order's own member, staff whose scope covers the order, or a guest who gives the
    mobile the order was placed with. Anyone else is told the order does not exist."""
    if order is not None and user is not None and user.is_authenticated:
        if order.member_id and Member.objects.filter(pk=order.member_id, user_id=user.pk).exists():
            return
        if user.is_superuser or Staff.objects.filter(user_id=user.pk).exists():
            actor = actor_get(user=user)
            actor.require(Perm.STOCK_VIEW)
            if not order.visible_to(actor.scope, actor.user_id):
                raise NotFoundError(f"order {order.order_id} not found", code="order_not_found")
            actor.require(Perm.STOCK_SELL)
            return
    if order is not None and mobile and order.customer_mobile and mobile == order.customer_mobile:
        return
    raise NotFoundError("order not found", code="order_not_found")


def _check_return_url(return_url: str) -> str:
    if return_url and (not return_url.startswith("/") or return_url.startswith("//") or "\\" in return_url):
        raise ValidationError("return_url must be a path on this site", code="invalid_return_url")
    return return_url[:200]


@transaction.atomic
def payment_start(
    *,
    user: Any,
    order_id: int,
    method: str = Method.ONLINE,
    amount: int | None = None,
    return_url: str = "",
    mobile: str = "",
) -> Payment:
    """Start an online payment (a payment intent at the gateway) for what remains to pay, or
    for ``amount`` of it. Returns the payment; its ``pay_url`` is the gateway's hosted page.
    Starting again with the same amount while the first is still open returns the first."""
    _check_method(method, {Method.ONLINE})
    online_gateway_check()
    return_url = _check_return_url(return_url)
    order = ORDER_FOR_PAYMENT(order_id)
    _authorize_payer(user, order, mobile)
    assert order is not None
    _check_payable(order, before_deadline=True)
    amount = _remaining(order, amount)
    provider = provider_get(ONLINE_PROVIDER)
    open_intent = (
        Payment.objects.filter(
            order_id=order_id, method=Method.ONLINE, state=PaymentState.PENDING, amount=amount
        )
        .order_by("-pk")
        .first()
    )
    if open_intent is not None and provider.query(open_intent) == "pending":
        return open_intent
    payment = Payment(
        number=_number(),
        order_id=order_id,
        method=method,
        provider=provider.name,
        amount=amount,
        actor_id=user.pk if user is not None and user.is_authenticated else None,
    )
    payment.save()
    payment.return_url = return_url  # type: ignore[attr-defined]  # for the provider's hosted page
    intent = provider.create_intent(payment, order)
    payment.provider_ref, payment.pay_url = intent["provider_ref"], intent.get("pay_url", "")
    payment.save(update_fields=["provider_ref", "pay_url"])
    return payment


@transaction.atomic
def payment_capture(*, actor: Actor, order_id: int, method: str, amount: int | None = None) -> Payment:
    """Staff take money in hand: cash at the counter, payment at the outlet, cash on delivery.
    ``amount`` defaults to what remains; a tender beyond it is refused."""
    _check_method(method, STAFF_METHODS)
    actor.require(Perm.STOCK_SELL)
    order = _lock(order_id)
    if not order.takes_money_from(actor.scope):
        raise NotFoundError(f"order {order_id} not found", code="order_not_found")
    if method == Method.COD and not order.delivery:
        raise ValidationError("cash on delivery is for delivery orders", code="invalid_method")
    if method != Method.COD and not order.at_an_outlet:
        raise ValidationError("this order is not paid at an outlet", code="invalid_method")
    _check_payable(order)
    amount = _remaining(order, amount)
    provider = provider_get(CASH_PROVIDER)
    payment = Payment.objects.create(
        number=_number(),
        order_id=order_id,
        method=method,
        provider=provider.name,
        amount=amount,
        actor_id=actor.user_id,
    )
    payment.provider_ref = provider.create_intent(payment, order)["provider_ref"]
    payment.save(update_fields=["provider_ref"])
    _succeed(payment.pk, strict=True)
    payment.refresh_from_db()
    return payment


def payments_sync(*, order_id: int) -> None:
    """Ask the provider about each open online payment of the order and apply what succeeded.
    The payment timeout runs this before it cancels, so money paid at the deadline wins."""
    for payment in Payment.objects.filter(
        order_id=order_id, method=Method.ONLINE, state=PaymentState.PENDING
    ).order_by("pk"):
        status = provider_get(payment.provider).query(payment)
        if status == "succeeded":
            _succeed(payment.pk)
        elif status == "failed":
            Payment.objects.filter(pk=payment.pk, state=PaymentState.PENDING).update(
                state=PaymentState.FAILED
            )


def _authorize_tender(user: Any, order: OrderForPayment | None) -> None:
    """A wallet or points tender: the order's own signed-in member, or staff whose scope covers
    the outlet the order is paid at (the member is at the counter). Never a guest by mobile."""
    if order is not None and user is not None and user.is_authenticated:
        if order.member_id and Member.objects.filter(pk=order.member_id, user_id=user.pk).exists():
            return
        if user.is_superuser or Staff.objects.filter(user_id=user.pk).exists():
            actor = actor_get(user=user)
            if order.takes_money_from(actor.scope):
                actor.require(Perm.STOCK_SELL)
                return
    raise NotFoundError("order not found", code="order_not_found")


@transaction.atomic
def payment_tender(
    *, user: Any, order_id: int, method: str, amount: int | None = None, points: int | None = None
) -> Payment:
    """Pay what remains of an order, or ``amount`` fen (or ``points``) of it, from the member's
    wallet or points. The tender holds the money on the ledger and counts toward the order at
    once; the hold is captured when the order is paid in full and released if it is cancelled
    or times out. More than the balance is refused (409 insufficient_balance), changing nothing."""
    if method not in LEDGER_PROVIDERS:
        if method in LOYALTY_METHODS:
            raise ValidationError(f"{method} payments are not available yet", code="method_unavailable")
        raise ValidationError(
            f"unknown or wrong payment method {method}",
            code="invalid_method",
            allowed=sorted(LEDGER_PROVIDERS),
        )
    if amount is not None and points is not None:
        raise ValidationError("give an amount or points, not both", code="invalid_amount")
    order = ORDER_FOR_PAYMENT(order_id)
    _authorize_tender(user, order)
    assert order is not None
    _check_payable(order, before_deadline=True)
    if order.member_id is None:
        raise ValidationError("the order has no member to pay from", code="member_required")
    if points is not None:
        if method != Method.POINTS:
            raise ValidationError("points are for the points tender", code="invalid_amount")
        amount = fen_for_points(points)
    amount = _remaining(order, amount)
    provider = provider_get(method)
    payment = Payment.objects.create(
        number=_number(),
        order_id=order_id,
        method=method,
        provider=provider.name,
        amount=amount,
        actor_id=user.pk if user is not None and user.is_authenticated else None,
    )
    payment.provider_ref = provider.create_intent(payment, order)["provider_ref"]
    payment.save(update_fields=["provider_ref"])
    _succeed(payment.pk, strict=True)
    payment.refresh_from_db()
    return payment


# --- notifications -------------------------------------------------------------------------


def _body_text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")[:MAX_NOTIFICATION_CHARS]


def notification_receive(*, provider: str, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
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
        if payment is None:  # a member's online wallet top-up?
            topup = topups.topup_online_notified(
                merchant_ref=note.merchant_ref, provider_ref=note.provider_ref, amount=note.amount
            )
            if topup is not None:
                log.outcome = topup
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
