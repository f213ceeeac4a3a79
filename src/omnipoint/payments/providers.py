"""The providers behind ``domain.PaymentProvider``: the sandbox online gateway and staff-taken
cash (at the counter, at the outlet, on delivery). Wallet, points and gift cards join here."""

import json
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings

from omnipoint.core.errors import NotFoundError, ValidationError
from omnipoint.payments import sandbox
from omnipoint.payments.domain import (
    BadSignatureError,
    ChargeStatus,
    Notification,
    PaymentProvider,
    PaymentState,
    signature_ok,
)
from omnipoint.payments.models import ChargeState, Payment


class SandboxProvider:
    """The merchant's adapter to the sandbox gateway, shaped like a WeChat Pay / Alipay client."""

    name = "sandbox"
    signature_header = sandbox.SIGNATURE_HEADER

    def create_intent(self, payment: Payment) -> dict[str, Any]:
        charge = sandbox.charge_create(
            merchant_ref=payment.number,
            amount=payment.amount,
            description=f"订单 {payment.order.number}",
            return_url=getattr(payment, "return_url", ""),
        )
        return {"provider_ref": charge.ref, "pay_url": f"{settings.SITE_URL}/sandbox/pay/{charge.ref}/"}

    def query(self, payment: Payment) -> ChargeStatus:
        state = sandbox.charge_status(ref=payment.provider_ref)
        if state == ChargeState.PAID:
            return "succeeded"
        return "failed" if state == ChargeState.FAILED else "pending"

    def refund(self, payment: Payment, amount: int) -> str:
        return sandbox.charge_refund(ref=payment.provider_ref, amount=amount)

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


class CashProvider:
    """Money a staff member takes in hand: settled when captured, refunded in hand."""

    name = "cash"
    signature_header = ""

    def create_intent(self, payment: Payment) -> dict[str, Any]:
        return {"provider_ref": f"cash-{payment.number}"}

    def query(self, payment: Payment) -> ChargeStatus:
        return "succeeded" if payment.state == PaymentState.SUCCEEDED else "pending"

    def refund(self, payment: Payment, amount: int) -> str:
        return f"cash-refund-{secrets.token_hex(6)}"

    def verify(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        raise BadSignatureError("cash payments send no notifications")

    def ack(self) -> dict[str, Any]:
        return {}


PROVIDERS: dict[str, PaymentProvider] = {p.name: p for p in (SandboxProvider(), CashProvider())}


def provider_get(name: str) -> PaymentProvider:
    provider = PROVIDERS.get(name)
    if provider is None:
        raise NotFoundError(f"payment provider {name} not found", code="provider_not_found")
    return provider
