from datetime import datetime

from ninja import Field, Schema

from omnipoint.core.api import Input


class CodeIn(Input):
    mobile: str = Field(..., max_length=20)


class CodeOut(Schema):
    mobile: str
    expires_at: datetime
    demo_code: str | None = Field(
        None,
        description="only while the demo is on (OMNIPOINT_DEMO=1): the code that was sent by SMS; "
        "otherwise null: the code reaches the member by SMS only",
    )


class LoginIn(Input):
    mobile: str = Field(..., max_length=20)
    code: str = Field(..., max_length=10)


class MemberTokenOut(Schema):
    token: str
    member_id: int
    expires_at: datetime


class CounterOut(Schema):
    """What a clerk sees: enough to serve the member at the counter, nothing more."""

    id: int
    name: str
    mobile_masked: str
    tier: str
    points: int
    wallet: int = Field(..., description="fen available in the wallet (principal and bonus)")


class WalletOut(Schema):
    principal: int
    bonus: int
    total: int


class ProfileOut(Schema):
    id: int
    name: str
    mobile: str
    card_code: str
    tier: str
    points: int
    wallet: WalletOut


class LotOut(Schema):
    amount: int
    remaining: int
    expires_at: datetime
    reference: str


class PointsOut(Schema):
    balance: int
    lots: list[LotOut]


class LedgerMovementOut(Schema):
    key: str
    kind: str
    code: str
    amount: int
    unit: str
    reference: str
    direction: str = Field(..., description="in | out: for the member")
    account: str = Field(..., description="points | principal | bonus")
    created_at: datetime


class WalletDetailOut(WalletOut):
    movements: list[LedgerMovementOut]


class OrderRowOut(Schema):
    id: int
    number: str
    channel: str
    method: str
    state: str
    payment_state: str
    total: int
    created_at: datetime


class ActivityOut(Schema):
    id: int
    name: str
    mobile_masked: str
    tier: str
    points: int
    wallet: WalletOut
    orders: list[OrderRowOut]
    movements: list[LedgerMovementOut]
