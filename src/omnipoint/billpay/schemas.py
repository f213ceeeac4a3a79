"""The REST surface's bodies: a bill as the biller tells it, a counter payment, its state; a
new agent outlet, a deposit into its float, and an agent's day."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from omnipoint.core.api import ExplanationOut, Id, Input
from omnipoint.outlets.models import OutletKind


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


class MemberBillPayIn(Input):
    biller: str = Field(max_length=40)
    account: str = Field(max_length=64)
    amount: int  # fen: what the bill says is due
    tender: str = Field(max_length=10)  # online (the sandbox gateway's page) or wallet
    key: str = Field("", max_length=60)  # the client's key: a retry returns the first payment
    return_url: str = Field("", max_length=200)  # a path on this site; {number} is the payment's


class MemberBillOut(BillPaymentOut):
    pay_url: str  # online and awaiting the payer: the gateway's page, where they pay


class SavedAccountOut(Schema):
    biller: str
    kind: str
    account: str
    masked_name: str
    last_paid: BillPaymentOut


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


class TierIn(Input):
    threshold: int = Field(ge=0, le=10**9)  # bills (basis count) or fen (basis amount) this month
    per_bill: int = Field(0, ge=0, le=10_00)  # fen each bill earns from here
    rate: Decimal = Field(Decimal(0), ge=0, le=Decimal("0.05"), max_digits=6, decimal_places=5)


class ScheduleIn(Input):
    basis: Literal["count", "amount"] = "count"
    tiers: list[TierIn] = Field(min_length=1, max_length=10)


class AgentIn(Input):
    """A new agent outlet: where it is, its kind and what it offers, its rebate schedule and
    its opening float (fen)."""

    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=120)
    kind: OutletKind = OutletKind.AGENT_POINT
    region_code: str = Field(min_length=6, max_length=6)
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    address: str = Field("", max_length=200)
    opening_hours: str = Field("09:00-21:00", max_length=60)
    sells_at_counter: bool = False
    pickup_point: bool = False
    schedule: ScheduleIn | None = None  # the default schedule if none
    opening_float: int = Field(0, ge=0, le=10_000_000_00, strict=True)


class FloatIn(Input):
    amount: int = Field(strict=True)  # fen deposited (预存款)
    key: str = Field(min_length=1, max_length=60)  # a retry with the same key is the first


class TierOut(Schema):
    threshold: int
    per_bill: int
    rate: str


class BillOutletOut(Schema):
    outlet_id: int
    code: str
    name: str
    kind: str
    mode: str
    basis: str | None
    tiers: list[TierOut]
    float_available: int


class FloatOut(Schema):
    outlet_id: int
    float_available: int


class AgentDayOut(Schema):
    outlet_id: int
    code: str
    name: str
    float_available: int
    today_count: int
    today_amount: int
    month_count: int
    month_amount: int
    rebate_month: int  # accrued on this month's bills so far
    rebate_balance: int  # the rebate to date, on the agent's account
    basis: str
    tier: int  # 1-based
    tiers: int
    next_threshold: int | None  # None: at the top tier
    to_next: int
    stars: int | None
