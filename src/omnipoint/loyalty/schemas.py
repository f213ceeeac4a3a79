from datetime import datetime

from ninja import Field, Schema

from omnipoint.core.api import Id, Input

MAX_FEN = 10**12


class TopupIn(Input):
    member_id: Id | None = None
    mobile: str = Field("", max_length=20, description="or find the member by mobile")
    card: str = Field("", max_length=20, description="or by member card code")
    outlet_id: Id
    client_key: str = Field(..., min_length=1, max_length=64, description="the till's id for this top-up")
    package_id: Id | None = None
    amount: int | None = Field(
        None,
        gt=0,
        le=MAX_FEN,
        strict=True,
        description="fen, when no package is chosen (JSON true is no amount)",
    )


class TopupOut(Schema):
    member_id: int
    principal_added: int
    bonus_added: int
    principal: int
    bonus: int
    total: int


class PackageOut(Schema):
    id: int
    name: str
    pay_amount: int
    bonus_amount: int


class PostingOut(Schema):
    id: int
    key: str
    kind: str
    debit: str = Field(..., alias="debit.code")
    credit: str = Field(..., alias="credit.code")
    amount: int
    unit: str
    code: str
    reference: str
    group: str
    pending_key: str | None = Field(None, alias="pending.key")
    expires_at: datetime | None
    created_at: datetime
