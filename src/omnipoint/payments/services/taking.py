"""Taking money: an online payment at the gateway, cash in hand, the member's wallet or points, and
asking the gateway about open payments."""

from django.db import transaction

from omnipoint.core.errors import NotFoundError, ValidationError
from omnipoint.loyalty.domain import fen_for_points
from omnipoint.outlets.domain import Actor, AnyActor, Customer, Perm
from omnipoint.payments.domain import (
    LOYALTY_METHODS,
    STAFF_METHODS,
    Method,
    OrderForPayment,
    PaymentState,
)
from omnipoint.payments.hooks import ORDER_FOR_PAYMENT
from omnipoint.payments.models import Payment
from omnipoint.payments.providers import LEDGER_PROVIDERS, online_gateway_check, provider_get
from omnipoint.payments.services._shared import (
    CASH_PROVIDER,
    ONLINE_PROVIDER,
    _check_method,
    _check_payable,
    _lock,
    _number,
    _remaining,
)
from omnipoint.payments.services.applying import _succeed

# --- taking money --------------------------------------------------------------------------


def _authorize_payer(actor: Customer, order: OrderForPayment | None, mobile: str) -> None:
    """The order's own member, staff whose scope covers the order, or a guest who gives the
    mobile the order was placed with. Anyone else is told the order does not exist."""
    if order is not None:
        if actor.is_system or (order.member_id and actor.member_id == order.member_id):
            return
        if isinstance(actor, Actor):
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
    actor: Customer,
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
    _authorize_payer(actor, order, mobile)
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
        actor_id=actor.user_id,
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
    return _take_at_once(order, method, CASH_PROVIDER, _remaining(order, amount), actor.user_id)


def payments_sync(*, actor: AnyActor, order_id: int) -> None:
    """Ask the provider about each open online payment of the order and apply what succeeded.
    The payment timeout runs this before it cancels, so money paid at the deadline wins. Anyone
    may ask (the member back from the gateway, the clerk at the till, the platform): only what the
    provider answers is applied."""
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


def _authorize_tender(actor: Customer, order: OrderForPayment | None) -> None:
    """A wallet or points tender: the order's own signed-in member, or staff whose scope covers
    the outlet the order is paid at (the member is at the counter). Never a guest by mobile."""
    if order is not None:
        if actor.is_system or (order.member_id and actor.member_id == order.member_id):
            return
        if isinstance(actor, Actor):
            if order.takes_money_from(actor.scope):
                actor.require(Perm.STOCK_SELL)
                return
    raise NotFoundError("order not found", code="order_not_found")


@transaction.atomic
def payment_tender(
    *, actor: Customer, order_id: int, method: str, amount: int | None = None, points: int | None = None
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
    _authorize_tender(actor, order)
    assert order is not None
    _check_payable(order, before_deadline=True)
    if order.member_id is None:
        raise ValidationError("the order has no member to pay from", code="member_required")
    if points is not None:
        if method != Method.POINTS:
            raise ValidationError("points are for the points tender", code="invalid_amount")
        amount = fen_for_points(points)
    return _take_at_once(order, method, method, _remaining(order, amount), actor.user_id)


def _take_at_once(
    order: OrderForPayment, method: str, provider_name: str, amount: int, actor_id: int | None
) -> Payment:
    """Money taken there and then (cash in hand, a wallet or points hold): the payment is
    recorded, its provider gives the reference, and it succeeds at once."""
    provider = provider_get(provider_name)
    payment = Payment.objects.create(
        number=_number(),
        order_id=order.order_id,
        method=method,
        provider=provider.name,
        amount=amount,
        actor_id=actor_id,
    )
    payment.provider_ref = provider.create_intent(payment, order)["provider_ref"]
    payment.save(update_fields=["provider_ref"])
    _succeed(payment.pk, strict=True)
    payment.refresh_from_db()
    return payment
