"""The REST surface's bodies: a bill as the biller tells it, a counter payment, its state."""

from datetime import date, datetime

from ninja import Field, Schema

from omnipoint.core.api import ExplanationOut, Id, Input


class BillerOut(Schema):
    code: str
    kind: str
    city_code: str
    name: str
    name_en: str
    account_length: int
    account_prefix: str


class BillDueOut(Schema):
    biller: str
    biller_name: str
    account: str
    masked_name: str
    bill_ref: str
    amount: int
    period: str
    due_date: date


class BillPayIn(Input):
    outlet_id: Id
    biller: str = Field(max_length=40)
    account: str = Field(max_length=64)
    amount: int  # fen: what the bill says is due
    key: str = Field("", max_length=60)  # the client's key: a retry returns the first payment
    mobile: str = Field("", max_length=20)  # the customer's: the bill then shows in their account


class BillPhoneIn(Input):
    mobile: str = Field(max_length=20)  # the member on the line: paid from their wallet
    biller: str = Field(max_length=40)
    account: str = Field(max_length=64)
    amount: int
    key: str = Field("", max_length=60)


class BillPaymentOut(Schema):
    number: str
    biller: str
    kind: str
    account: str
    masked_name: str
    bill_ref: str
    period: str
    amount: int
    mode: str
    outlet_id: int | None
    state: str
    why: ExplanationOut | None
    created_at: datetime
    paid_at: datetime | None
    reversed_at: datetime | None
    deadline: datetime


class BillerAckOut(Schema):
    code: str
    outcome: str


class SandboxCallback(Schema):
    """The sandbox billers' callback body (signed: X-Biller-Signature, hex HMAC-SHA256)."""

    biller: str
    merchant_ref: str
    bill_ref: str
    txn_ref: str
    amount: int
    status: str  # PAID or REVERSED
    nonce: str
    ts: int  # unix seconds: older than five minutes is refused
