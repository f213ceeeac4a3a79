"""Payment rules with no ORM: tender methods and states, the provider interface, signatures,
and how a refund is spread over the tenders that paid.

A payment is one *tender*: money taken for an order by one method. An order may be paid by
several tenders (split tender) whose succeeded amounts add up to its total, never more.
Online tenders go through a provider (a gateway like WeChat Pay / Alipay): we create an intent,
the customer pays on the provider's page, and the provider tells us asynchronously with a
signed notification. Cash, pay-at-outlet and cash-on-delivery tenders are captured by staff.
"""

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

from omnipoint.core.errors import ConflictError, DomainError, ValidationError
from omnipoint.outlets.domain import Scope


class Method(models.TextChoices):
    ONLINE = "online", _("Online (sandbox gateway)")
    CASH = "cash", _("Cash at the counter")
    AT_OUTLET = "at_outlet", _("Paid at the outlet")
    COD = "cod", _("Cash on delivery")
    # Reserved for the loyalty issue: they plug into the same provider interface.
    WALLET = "wallet", _("Wallet")
    POINTS = "points", _("Points")
    GIFT_CARD = "gift_card", _("Gift card")


STAFF_METHODS = frozenset({Method.CASH, Method.AT_OUTLET, Method.COD})
LOYALTY_METHODS = frozenset({Method.WALLET, Method.POINTS, Method.GIFT_CARD})


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class RefundState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


ChargeStatus = Literal["succeeded", "pending", "failed"]


@dataclass(frozen=True)
class Notification:
    """What a verified provider notification says about one of our payments."""

    merchant_ref: str  # our payment number, as the provider echoes it (out_trade_no)
    provider_ref: str  # the provider's own reference (transaction_id)
    amount: int  # fen
    status: ChargeStatus


@dataclass(frozen=True)
class OrderForPayment:
    """What payments need to know of an order, as orders give it (``hooks.ORDER_FOR_PAYMENT``:
    orders sit above payments). Read with the order's row locked, so it holds for the rest of
    the transaction. Payments keep their own rows by ``order_id`` and never read orders' tables."""

    order_id: int
    number: str
    total: int  # fen
    state: str  # the order's state, for refusals' details
    payment_state: str  # the order's payment state, likewise
    takes_payment: bool  # awaiting payment or being fulfilled: money may still come
    pending: bool  # awaiting payment (the online deadline applies)
    cancelled: bool
    unpaid: bool  # not yet paid in full
    delivery: bool  # delivered to an address (cash on delivery is for these)
    payment_deadline: datetime | None
    member_id: int | None
    customer_mobile: str
    keyed_by_id: int | None
    # (outlet id, region path): the originating and pickup outlets, then where its lines are
    # fulfilled from
    outlets: tuple[tuple[int, str], ...]
    locations: tuple[tuple[int, str], ...]

    @property
    def at_an_outlet(self) -> bool:
        """Paid at an outlet (its pickup or originating one), as counter staff take it."""
        return bool(self.outlets)

    def visible_to(self, scope: Scope, user_id: int | None) -> bool:
        """The order's scope (as ``orders.selectors.order_list``): it touches the scope (keyed,
        picked up or fulfilled there), or the actor keyed it."""
        if scope.is_hq:
            return True
        places = self.outlets + self.locations
        return any(scope.covers_outlet(outlet_id=o, region_path=p) for o, p in places) or (
            user_id is not None and user_id == self.keyed_by_id
        )

    def takes_money_from(self, scope: Scope) -> bool:
        """Staff take money for an order at its pickup or originating outlet; cash on delivery
        also at the locations that ship it."""
        places = self.outlets + (self.locations if self.delivery else ())
        return any(scope.covers_outlet(outlet_id=o, region_path=p) for o, p in places)


class PaymentProvider(Protocol):
    """The one interface every way of taking money plugs into (sandbox gateway, cash, and
    later wallet / points / gift cards)."""

    name: str
    signature_header: str  # where its notifications carry their signature ("" if it sends none)

    def create_intent(self, payment: Any, order: OrderForPayment) -> dict[str, Any]:
        """Ask the provider to expect this payment for ``order``; returns at least ``provider_ref`` and,
        for hosted payments, ``pay_url``."""
        ...

    def query(self, payment: Any) -> ChargeStatus:
        """Ask the provider what became of a payment (used before a timeout cancels)."""
        ...

    def refund(self, payment: Any, amount: int) -> str:
        """Send ``amount`` back to the payer; returns the provider's refund reference."""
        ...

    def verify(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """Check a notification's signature and read it; raises BadSignatureError if forged."""
        ...

    def ack(self) -> dict[str, Any]:
        """The body the provider expects back when a notification was taken."""
        ...

    def statement(self, day: date) -> bytes:
        """The provider's trade statement of a business day (Asia/Shanghai) as its file, from
        T+1 (WeChat Pay's 交易账单): raises ``StatementUnavailableError`` for a day not over yet
        or a provider that keeps no statement."""
        ...


class StatementUnavailableError(ValidationError):
    code = "statement_unavailable"


# The trade statement's file, as WeChat Pay's 交易账单 (the fields it needs): a header row, one
# row per payment or refund with every field prefixed with a backtick (so that a spreadsheet keeps
# long ids as text), then the summary's header and its one row. Amounts in yuan, two decimals.
STATEMENT_COLUMNS = (
    "交易时间",
    "微信订单号",
    "商户订单号",
    "交易类型",
    "交易状态",
    "应结订单金额",
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "退款状态",
    "手续费",
    "费率",
)
STATEMENT_SUMMARY = ("总交易单数", "应结订单总金额", "退款总金额", "手续费总金额")
STATE_PAID, STATE_REFUND = "SUCCESS", "REFUND"
FEE_RATE_BP = 60  # the gateway's rate in basis points: 0.60%, WeChat Pay's standard rate


def fee_for(amount: int, rate_bp: int = FEE_RATE_BP) -> int:
    """The gateway's fee on an amount of fen, rounded half up (a refund gives its share back)."""
    return (amount * rate_bp + 5000) // 10000


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


class BadSignatureError(DomainError):
    code = "bad_signature"
    status = 401


class AmountMismatchError(ValidationError):
    code = "amount_mismatch"


class OverpaymentError(ConflictError):
    code = "overpayment"


class RefundExceedsError(ConflictError):
    code = "refund_exceeds_payment"


def sign(secret: str, body: bytes) -> str:
    """HMAC-SHA256 of the raw body, hex: the sandbox gateway's notification signature."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, body), (signature or "").strip().lower())


def allocate_refund(tenders: list[tuple[int, int]], amount: int) -> list[tuple[int, int]]:
    """Spread a refund over tenders given most recent first as (tender id, refundable amount):
    each takes up to what it can give back, in that order. Refuses more than they hold."""
    if amount <= 0:
        raise ValidationError("a refund must be a positive amount", code="invalid_amount")
    if amount > sum(r for _, r in tenders):
        raise RefundExceedsError(
            "the refund is more than was paid and not yet refunded",
            requested=amount,
            refundable=sum(r for _, r in tenders),
        )
    plan: list[tuple[int, int]] = []
    left = amount
    for tender_id, refundable in tenders:
        if left == 0:
            break
        take = min(left, refundable)
        if take > 0:
            plan.append((tender_id, take))
            left -= take
    return plan
