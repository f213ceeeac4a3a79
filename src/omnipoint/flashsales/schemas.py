"""The REST surface's bodies: a sale set up and read, a claim, where a buyer stands, a checkout."""

from datetime import datetime

from ninja import Field, Schema

from omnipoint.core.api import Id, Input


class FlashSourceIn(Input):
    outlet_id: Id
    quantity: int = Field(ge=1, le=100_000)


class FlashSaleCreateIn(Input):
    name: str = Field(min_length=1, max_length=60)
    sku_id: Id
    sources: list[FlashSourceIn] = Field(min_length=1, max_length=50)
    starts_at: datetime
    ends_at: datetime
    per_member_limit: int = Field(ge=1, le=10)


class FlashSourceOut(Schema):
    outlet_id: int
    quantity: int
    returned: int


class FlashSaleOut(Schema):
    id: int
    name: str
    sku_id: int
    pool_id: int | None
    state: str
    starts_at: datetime
    ends_at: datetime
    per_member_limit: int
    pooled: int
    on_hand: int
    reserved: int
    available: int
    sold: int
    returned: int
    sources: list[FlashSourceOut]


class FlashClaimIn(Input):
    quantity: int = Field(1, ge=1, le=10)


class FlashClaimOut(Schema):
    id: int
    sale_id: int
    quantity: int
    expires_at: datetime


class FlashStandingOut(Schema):
    stand: str  # not_started, your_turn, claimed, in_line, full, sold_out, limit_reached, ended
    available: int
    position: int | None = None
    ahead: int | None = None
    claims: int | None = None
    seconds: int | None = None
    limit: int | None = None


class FlashCheckoutIn(Input):
    pickup_outlet_id: Id
    payment_mode: str = Field("online", max_length=20)  # online, or at_outlet


class FlashCheckoutOut(Schema):
    order_id: int
    number: str
    state: str
    total: int
