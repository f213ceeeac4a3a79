from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import StrictStr

from omnipoint.core.api import Input


class PartyOut(Schema):
    id: int
    kind: str  # supplier, franchise, agent, salesperson
    name: str
    supplier_id: int | None
    outlet_id: int | None
    staff_id: int | None
    region_path: str  # the node it is settled at
    cycle: str  # month, half_month, week (blank: the network's)
    rate: Decimal  # suppliers and franchisees: the network's deduction, 0..1


class StatementLineOut(Schema):
    item: str
    item_en: str
    count: int
    sales: int  # fen: for an agent its bills, for a salesperson the commission accrued
    returns: int
    net: int
    rate: Decimal | None
    deduction: int
    payable: int


class StatementOut(Schema):
    id: int
    party_id: int
    party_name: str
    kind: str
    period: str  # 2026-11, 2026-11-H1, 2026-W47
    starts_on: date
    ends_on: date  # exclusive
    state: str  # draft, confirmed, paid
    sales: int
    returns: int
    deduction: int
    amount: int  # fen, signed: owed to the party (> 0) or by it (< 0)
    generated_at: datetime
    confirmed_at: datetime | None
    paid_at: datetime | None
    pay_key: str | None


class StatementDetailOut(StatementOut):
    lines: list[StatementLineOut]


class GenerateOut(Schema):
    period: str
    created: int
    refreshed: int  # drafts whose facts had moved
    unchanged: int
    kept: int  # confirmed or paid: never regenerated
    statements: list[StatementOut]


class PayIn(Input):
    key: StrictStr = Field(min_length=1, max_length=64)  # the client's payout key: a retry returns the first


class PayOut(StatementOut):
    created: bool  # False: this key had paid it already
