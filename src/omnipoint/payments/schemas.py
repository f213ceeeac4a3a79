from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from omnipoint.core.api import Id, Input

MAX_FEN = 10**12
# Amounts are strict: JSON `true` or "5" is a client bug, not an amount of money.


class IntentIn(Input):
    order_id: Id
    amount: int | None = Field(
        None, gt=0, le=MAX_FEN, description="fen; default: what remains to pay", strict=True
    )
    return_url: str = Field(
        "", max_length=200, description="a path on this site to come back to after paying"
    )


class CaptureIn(Input):
    order_id: Id
    method: str = Field(..., description="cash | at_outlet | cod")
    amount: int | None = Field(
        None, gt=0, le=MAX_FEN, description="fen; default: what remains to pay", strict=True
    )


class TenderIn(Input):
    order_id: Id
    method: str = Field(..., description="wallet | points")
    amount: int | None = Field(
        None, gt=0, le=MAX_FEN, description="fen; default: what remains to pay", strict=True
    )
    points: int | None = Field(None, gt=0, le=10**9, description="points instead of an amount", strict=True)


class RefundIn(Input):
    amount: int | None = Field(None, gt=0, le=MAX_FEN, description="fen; or `full`", strict=True)
    full: bool = Field(False, description="refund all that is left of the tender; or `amount`", strict=True)
    reason: str = Field("", max_length=200)


class PaymentFilter(Schema):
    order_id: Id


class RefundOut(Schema):
    id: int
    payment_id: int
    amount: int
    state: str
    provider_ref: str
    reason: str
    created_at: datetime


class PaymentOut(Schema):
    id: int
    number: str
    order_id: int
    method: str
    provider: str
    provider_ref: str
    amount: int
    refunded_amount: int
    state: str
    counted: bool
    pay_url: str
    note: str
    created_at: datetime
    succeeded_at: datetime | None
    refunds: list[RefundOut] = Field(default_factory=list)

    @staticmethod
    def resolve_refunds(obj: object) -> list[object]:
        return list(obj.refunds.all()) if getattr(obj, "pk", None) else []  # type: ignore[attr-defined]


class NotifyAckOut(Schema):
    code: str
    message: str


class SandboxNotification(Schema):
    """The sandbox gateway's notification, as sent (the raw body is what is signed)."""

    out_trade_no: str = Field(..., description="our payment's reference (`provider_ref` of the intent)")
    transaction_id: str = Field(..., description="the gateway's charge")
    amount: int = Field(..., description="fen; must equal the payment's amount")
    trade_state: Literal["SUCCESS", "PAYERROR"]
    paid_at: datetime | None = None
    nonce: str
