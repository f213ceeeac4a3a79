"""The providers behind ``domain.PaymentProvider``: the sandbox online gateway, staff-taken
cash (at the counter, at the outlet, on delivery), and the member's wallet and points on the
ledger (omnipoint.loyalty). Gift cards join here."""

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone

from omnipoint.core.errors import InvalidStateError, NotFoundError, ValidationError
from omnipoint.loyalty import domain as loyalty_domain
from omnipoint.loyalty import selectors as loyalty_selectors
from omnipoint.loyalty import services as loyalty
from omnipoint.outlets.domain import SYSTEM
from omnipoint.payments import sandbox
from omnipoint.payments.domain import (
    BadSignatureError,
    ChargeStatus,
    Notification,
    OrderForPayment,
    PaymentProvider,
    PaymentState,
    StatementUnavailableError,
    signature_ok,
)
from omnipoint.payments.models import ChargeState, Payment


@dataclass(frozen=True)
class OpenedCharge:
    provider_ref: str
    pay_url: str  # the provider's hosted page, where the payer pays


class ChargeProvider(Protocol):
    """An online provider's side for money that is no order's (a bill paid online): a charge
    opened by our reference, asked about, refunded. ``payments.services.charges`` calls it."""

    name: str

    def charge_open(
        self, *, merchant_ref: str, amount: int, description: str, return_url: str
    ) -> OpenedCharge: ...
    def charge_query(self, provider_ref: str) -> ChargeStatus: ...
    def charge_refund(self, provider_ref: str, amount: int) -> str: ...


class SandboxProvider:
    """The merchant's adapter to the sandbox gateway, shaped like a WeChat Pay / Alipay client."""

    name = "sandbox"
    signature_header = sandbox.SIGNATURE_HEADER

    def create_intent(self, payment: Payment, order: OrderForPayment) -> dict[str, Any]:
        charge = sandbox.charge_create(
            merchant_ref=payment.number,
            amount=payment.amount,
            description=f"订单 {order.number}",
            return_url=getattr(payment, "return_url", ""),
        )
        return {"provider_ref": charge.ref, "pay_url": f"{settings.SITE_URL}/sandbox/pay/{charge.ref}/"}

    def query(self, payment: Payment) -> ChargeStatus:
        return self.charge_query(payment.provider_ref)

    def refund(self, payment: Payment, amount: int) -> str:
        return self.charge_refund(payment.provider_ref, amount)

    # --- a charge for something other than an order (ChargeProvider) ------------------------

    def charge_open(
        self, *, merchant_ref: str, amount: int, description: str, return_url: str
    ) -> OpenedCharge:
        charge = sandbox.charge_create(
            merchant_ref=merchant_ref, amount=amount, description=description, return_url=return_url
        )
        return OpenedCharge(provider_ref=charge.ref, pay_url=f"{settings.SITE_URL}/sandbox/pay/{charge.ref}/")

    def charge_query(self, provider_ref: str) -> ChargeStatus:
        state = sandbox.charge_status(ref=provider_ref)
        if state == ChargeState.PAID:
            return "succeeded"
        return "failed" if state == ChargeState.FAILED else "pending"

    def charge_refund(self, provider_ref: str, amount: int) -> str:
        return sandbox.charge_refund(ref=provider_ref, amount=amount)

    def verify(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        if not signature_ok(settings.SANDBOX_PAY_SECRET, body, headers.get(sandbox.SIGNATURE_HEADER, "")):
            raise BadSignatureError("the notification's signature does not match")
        try:
            data = json.loads(body)
            amount = data["amount"]
            if not isinstance(amount, int) or isinstance(amount, bool):
                raise TypeError("amount")
            return Notification(
                merchant_ref=str(data["out_trade_no"]),
                provider_ref=str(data["transaction_id"]),
                amount=amount,
                status="succeeded" if data["trade_state"] == "SUCCESS" else "failed",
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidationError(
                "the notification body is not readable", code="malformed_notification"
            ) from exc

    def ack(self) -> dict[str, Any]:
        return {"code": "SUCCESS", "message": "成功"}

    def statement(self, day: date) -> bytes:
        return sandbox.statement_build(day=day)


class CashProvider:
    """Money a staff member takes in hand: settled when captured, refunded in hand."""

    name = "cash"
    signature_header = ""

    def create_intent(self, payment: Payment, order: OrderForPayment) -> dict[str, Any]:
        return {"provider_ref": f"cash-{payment.number}"}

    def query(self, payment: Payment) -> ChargeStatus:
        return "succeeded" if payment.state == PaymentState.SUCCEEDED else "pending"

    def refund(self, payment: Payment, amount: int) -> str:
        return f"cash-refund-{secrets.token_hex(6)}"

    def verify(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        raise BadSignatureError("cash payments send no notifications")

    def ack(self) -> dict[str, Any]:
        return {}

    def statement(self, day: date) -> bytes:
        raise StatementUnavailableError(f"{self.name} payments have no provider statement")


def _hold_seconds(order: OrderForPayment) -> int:
    """A hold lasts until the order's payment deadline plus a grace (the order's timeout
    releases it first; the ledger's expiry is only the backstop), or a fixed time for orders
    paid at the outlet, which have no deadline."""
    deadline = order.payment_deadline
    if deadline is None:
        return int(settings.LOYALTY_HOLD_SECONDS)
    left = int((deadline - timezone.now()).total_seconds())
    return max(left, 1) + int(settings.LOYALTY_HOLD_GRACE_SECONDS)


class LedgerProvider:
    """A tender from what the platform holds for the member (wallet, points): a pending hold
    on the ledger when tendered, captured when the order is fully paid, released if the order
    is cancelled or times out first; refunds after capture are reversal postings."""

    name = ""
    signature_header = ""

    def _hold(self, payment: Payment, member_id: int, key: str, reference: str, seconds: int) -> None:
        raise NotImplementedError

    def _release(self, key: str) -> None:
        raise NotImplementedError

    def _refund(self, key: str, amount: int, refund_key: str) -> None:
        raise NotImplementedError

    def capture(self, payment: Payment) -> None:
        raise NotImplementedError

    def create_intent(self, payment: Payment, order: OrderForPayment) -> dict[str, Any]:
        key = f"pay:{payment.number}"
        assert order.member_id is not None
        self._hold(payment, order.member_id, key, f"order:{order.number}", _hold_seconds(order))
        return {"provider_ref": key}

    def query(self, payment: Payment) -> ChargeStatus:
        return "succeeded" if payment.state == PaymentState.SUCCEEDED else "pending"

    def refund(self, payment: Payment, amount: int) -> str:
        key = payment.provider_ref
        state = loyalty_selectors.hold_state(key=key)
        if state == "pending":  # the order never got fully paid: let go of the hold
            if amount != payment.amount - payment.refunded_amount:
                raise InvalidStateError("a hold is released whole", code="hold_not_captured")
            try:
                self._release(key)
            except InvalidStateError:  # the hold lapsed meanwhile: nothing is held any more
                pass
            return f"release:{key}"
        if state == "voided":  # lapsed before the order was paid: nothing was taken
            return f"lapsed:{key}"
        refund_key = f"refund:{payment.number}:{secrets.token_hex(6)}"
        self._refund(key, amount, refund_key)
        return refund_key

    def verify(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        raise BadSignatureError(f"{self.name} payments send no notifications")

    def ack(self) -> dict[str, Any]:
        return {}

    def statement(self, day: date) -> bytes:
        raise StatementUnavailableError(f"{self.name} payments have no provider statement")


class WalletProvider(LedgerProvider):
    """Stored value: principal first, then bonus; refunds go back in the same proportions."""

    name = "wallet"

    def _hold(self, payment: Payment, member_id: int, key: str, reference: str, seconds: int) -> None:
        loyalty.wallet_spend(
            actor=SYSTEM,
            member_id=member_id,
            amount=payment.amount,
            key=key,
            reference=reference,
            hold_seconds=seconds,
        )

    def _release(self, key: str) -> None:
        loyalty.wallet_release(actor=SYSTEM, key=key)

    def _refund(self, key: str, amount: int, refund_key: str) -> None:
        loyalty.wallet_refund(actor=SYSTEM, key=key, amount=amount, refund_key=refund_key)

    def capture(self, payment: Payment) -> None:
        loyalty.wallet_capture(actor=SYSTEM, key=payment.provider_ref)


class PointsProvider(LedgerProvider):
    """Points at settings.POINTS_PER_YUAN, taken from the oldest lots first."""

    name = "points"

    def _hold(self, payment: Payment, member_id: int, key: str, reference: str, seconds: int) -> None:
        loyalty.points_spend(
            actor=SYSTEM,
            member_id=member_id,
            points=loyalty_domain.points_for_fen(payment.amount),
            key=key,
            reference=reference,
            hold_seconds=seconds,
        )

    def _release(self, key: str) -> None:
        loyalty.points_release(actor=SYSTEM, key=key)

    def _refund(self, key: str, amount: int, refund_key: str) -> None:
        points = amount * settings.POINTS_PER_YUAN // 100
        if points > 0:
            loyalty.points_refund(actor=SYSTEM, spend_key=key, points=points, key=refund_key)

    def capture(self, payment: Payment) -> None:
        if loyalty_selectors.hold_state(key=payment.provider_ref) == "pending":
            loyalty.points_capture(actor=SYSTEM, key=payment.provider_ref)


LEDGER_PROVIDERS: dict[str, LedgerProvider] = {p.name: p for p in (WalletProvider(), PointsProvider())}
_ALL: list[PaymentProvider] = [SandboxProvider(), CashProvider(), *LEDGER_PROVIDERS.values()]
PROVIDERS: dict[str, PaymentProvider] = {p.name: p for p in _ALL}


def provider_get(name: str) -> PaymentProvider:
    provider = PROVIDERS.get(name)
    if provider is None or (name == SandboxProvider.name and not settings.SANDBOX_GATEWAY):
        raise NotFoundError(f"payment provider {name} not found", code="provider_not_found")
    return provider


def charge_provider_get(name: str = "sandbox") -> ChargeProvider:
    """The online provider that takes charges which are no order's (only the sandbox so far)."""
    provider = provider_get(name)
    if not isinstance(provider, SandboxProvider):
        raise NotFoundError(f"payment provider {name} takes no charges", code="provider_not_found")
    return provider


def online_gateway_check() -> None:
    """Paying online needs the gateway: the sandbox is mounted only when enabled (settings)."""
    if not settings.SANDBOX_GATEWAY:
        raise ValidationError("online payments are not available here", code="method_unavailable")
