"""What the payment writes share: references, the order's lock and balance, the checks on an amount
and on a payable order."""

import secrets

from django.utils import timezone

from omnipoint.core.errors import InvalidStateError, NotFoundError, ValidationError
from omnipoint.payments.domain import (
    LOYALTY_METHODS,
    OrderForPayment,
    OverpaymentError,
)
from omnipoint.payments.hooks import ORDER_FOR_PAYMENT
from omnipoint.payments.models import OrderBalance

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
