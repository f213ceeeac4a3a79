from datetime import date, datetime

from ninja import Field, Schema

from omnipoint.core.api import Input
from omnipoint.reconciliation.domain import MAX_NOTE


class ReconRunOut(Schema):
    day: date
    provider: str
    source: str  # scheduled, fetched or uploaded
    imported_at: datetime
    lines: int
    matched: int  # lines with no difference
    differences: int
    open: int  # differences not resolved yet


class KindCountOut(Schema):
    kind: str
    label: str
    total: int
    open: int


class ThreeWayOut(Schema):
    measure: str  # paid_count, paid, refund_count, refunded, fees (fen, or a count)
    statement: int  # the provider's lines
    ours: int  # our payments, top-ups and refunds that succeeded at the gateway that day
    books: int | None  # the day's close at HQ for online money; None: the day is not closed


class ReconRunDetailOut(ReconRunOut):
    created: bool = False  # True when this request imported it
    rematched_at: datetime | None  # when the day was last matched again (None: only at its import)
    stated_count: int
    stated_paid: int
    stated_refunded: int
    stated_fees: int
    kinds: list[KindCountOut]
    three_way: list[ThreeWayOut]


class ResolutionOut(Schema):
    reason: str
    note: str
    outcome: str  # what a repair did: applied, duplicate (the notification came meanwhile), ...
    resolved_by: str
    resolved_at: datetime


class DifferenceOut(Schema):
    id: int
    kind: str
    label: str
    line_no: int | None  # the statement's line, or None for one of ours absent at the provider
    merchant_ref: str
    provider_ref: str
    ours: int | None  # fen as we hold it; None: nothing here
    theirs: int | None  # fen as the provider says; None: nothing at the provider
    repairable: bool
    resolution: ResolutionOut | None


class ResolveIn(Input):
    reason: str = Field(max_length=20)  # timing, provider_claim, corrected_here, written_off
    note: str = Field(max_length=MAX_NOTE)
