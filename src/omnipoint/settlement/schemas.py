from datetime import date, datetime
from decimal import Decimal
from typing import Literal

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
    is_active: bool  # False: no longer settled


class PartyRateOut(Schema):
    category_id: int
    category_code: str
    category_name: str
    rate: Decimal  # for the category's goods and those of the categories under it


class PartyDetailOut(PartyOut):
    rates: list[PartyRateOut]


CycleIn = Literal["", "month", "half_month", "week"]


class PartyIn(Input):
    kind: Literal["supplier", "franchise", "agent", "salesperson"]
    supplier_id: int | None = Field(None, ge=1, le=2**63 - 1)  # a supplier: the concession supplier
    outlet_id: int | None = Field(None, ge=1, le=2**63 - 1)  # a franchise or agent outlet
    staff_id: int | None = Field(None, ge=1, le=2**63 - 1)  # a salesperson
    region_code: str = Field("", max_length=6)  # a supplier: the region it is settled for (blank: all)
    rate: Decimal = Field(Decimal(0), ge=0, le=1, max_digits=5, decimal_places=4)
    cycle: CycleIn = ""  # blank: the network's
    name: str = Field("", max_length=120)  # blank: the supplier's, outlet's or salesperson's


class PartyEditIn(Input):
    name: str | None = Field(None, min_length=1, max_length=120)
    rate: Decimal | None = Field(None, ge=0, le=1, max_digits=5, decimal_places=4)
    cycle: CycleIn | None = None
    is_active: bool | None = None


class RateIn(Input):
    rate: Decimal = Field(ge=0, le=1, max_digits=5, decimal_places=4)


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
    corrects: str  # an adjustment: the earlier period whose goods came back in this one ("" if none)


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


class JobIn(Input):
    kind: Literal["generate", "export"]  # a period's statements, or one statement's file
    period: str = Field("", max_length=20)  # generate: 2026-11, 2026-11-H1, 2026-W47
    statement_id: int | None = Field(None, ge=1, le=2**63 - 1)  # export: the statement
    fmt: Literal["", "csv", "xlsx", "pdf"] = ""  # export: the file's format


class JobOut(Schema):
    id: int
    kind: str
    period: str
    statement_id: int | None
    fmt: str
    state: str  # queued, running, done, failed
    done: int  # parties drawn up so far (generate), or 1 when the file is written (export)
    total: int
    error: str  # failed: the refusal's code
    file_url: str | None  # done export: where to download the file
    created_at: datetime
    finished_at: datetime | None
