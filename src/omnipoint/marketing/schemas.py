from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from omnipoint.core.api import Id, Input, Moment
from omnipoint.core.channels import Channel
from omnipoint.core.explain import in_english
from omnipoint.marketing.models import CouponKind, GameKind, PrizeKind, PromotionKind

Fen = Field(0, ge=0, le=10**10)
Percent = Field(None, gt=0, le=100, max_digits=5, decimal_places=2)
Ids: list[int] = Field(default_factory=list, max_length=200)


class CouponTemplateIn(Input):
    code: str = Field(..., pattern=r"^[a-z0-9][a-z0-9_-]{1,39}$")
    name: str = Field(..., min_length=1, max_length=80)
    kind: CouponKind
    starts_at: Moment
    ends_at: Moment
    value: int = Fen
    percent_off: Decimal | None = Percent
    threshold: int = Fen
    max_discount: int = Fen
    region_code: str = Field("", max_length=6, description="owning region; blank: network-wide (HQ only)")
    channels: list[Channel] = Field(default_factory=list, max_length=10)
    region_codes: list[str] = Field(default_factory=list, max_length=50)
    outlet_ids: list[Id] = Ids
    category_ids: list[Id] = Ids
    product_ids: list[Id] = Ids
    member_tiers: list[str] = Field(default_factory=list, max_length=10)
    claim_limit: int = Field(1, ge=1, le=1000)
    budget_count: int | None = Field(None, ge=0, le=10**9)
    budget_amount: int | None = Field(None, ge=0, le=10**12)
    stackable: bool = False
    claimable: bool = True


class CouponTemplateOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    value: int
    percent_off: Decimal | None
    threshold: int
    max_discount: int
    region_path: str
    channels: list[str]
    region_paths: list[str]
    outlet_ids: list[int]
    category_ids: list[int]
    product_ids: list[int]
    member_tiers: list[str]
    starts_at: datetime
    ends_at: datetime
    claim_limit: int
    budget_count: int | None
    budget_amount: int | None
    issued_count: int
    discount_committed: int
    stackable: bool
    claimable: bool
    is_active: bool


class ClaimIn(Input):
    template_code: str = Field(..., min_length=1, max_length=40)


class IssueIn(Input):
    member_id: Id | None = None
    mobile: str = Field("", max_length=20)


class CampaignIn(Input):
    member_ids: list[Id] = Field(..., min_length=1, max_length=1000)


class CouponOut(Schema):
    id: int
    code: str
    state: str
    source: str
    member_id: int
    template_id: int
    template_code: str = Field(..., alias="template.code")
    name: str = Field(..., alias="template.name")
    kind: str = Field(..., alias="template.kind")
    order_id: int | None
    discount: int
    expires_at: datetime
    issued_at: datetime


class SkippedOut(Schema):
    member_id: int
    code: str


class CampaignOut(Schema):
    issued: int
    skipped: list[SkippedOut]


class PromotionIn(Input):
    name: str = Field(..., min_length=1, max_length=80)
    kind: PromotionKind
    starts_at: Moment
    ends_at: Moment
    region_code: str = Field("", max_length=6)
    channel: Channel | None = None
    outlet_id: Id | None = None
    percent_off: Decimal | None = Percent
    amount_off: int = Fen
    threshold: int = Fen
    repeat: bool = False
    bundle_quantity: int = Field(0, ge=0, le=1000)
    bundle_price: int = Fen
    buy_quantity: int = Field(0, ge=0, le=1000)
    get_quantity: int = Field(0, ge=0, le=1000)
    category_ids: list[Id] = Ids
    product_ids: list[Id] = Ids
    member_tiers: list[str] = Field(default_factory=list, max_length=10)
    stackable: bool = True
    priority: int = Field(0, ge=-1000, le=1000)


class PromotionOut(Schema):
    id: int
    name: str
    kind: str
    region_path: str
    channel: str
    outlet_id: int | None
    percent_off: Decimal | None
    amount_off: int
    threshold: int
    repeat: bool
    bundle_quantity: int
    bundle_price: int
    buy_quantity: int
    get_quantity: int
    category_ids: list[int]
    product_ids: list[int]
    member_tiers: list[str]
    stackable: bool
    priority: int
    starts_at: datetime
    ends_at: datetime
    is_active: bool


class PrizeIn(Input):
    name: str = Field(..., min_length=1, max_length=80)
    kind: PrizeKind
    weight: int = Field(..., ge=0, le=10**6)
    stock: int = Field(..., ge=0, le=10**7)
    coupon_template_id: Id | None = None
    points: int = Field(0, ge=0, le=10**7)


class GameIn(Input):
    name: str = Field(..., min_length=1, max_length=80)
    kind: GameKind
    starts_at: Moment
    ends_at: Moment
    region_code: str = Field("", max_length=6)
    attempts_per_member: int = Field(1, ge=1, le=1000)
    no_prize_weight: int = Field(0, ge=0, le=10**6)
    budget_count: int | None = Field(None, ge=0, le=10**9)
    prizes: list[PrizeIn] = Field(..., min_length=1, max_length=20)


class PrizeOut(Schema):
    id: int
    name: str
    kind: str
    weight: int
    stock: int
    remaining: int
    coupon_template_id: int | None
    points: int


class GameOut(Schema):
    id: int
    name: str
    kind: str
    region_path: str
    starts_at: datetime
    ends_at: datetime
    attempts_per_member: int
    no_prize_weight: int
    budget_count: int | None
    awarded_count: int
    is_active: bool
    prizes: list[PrizeOut]


class PublicPrizeOut(Schema):
    name: str
    kind: str


class PublicGameOut(Schema):
    id: int
    name: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    attempts_per_member: int
    prizes: list[PublicPrizeOut]


class AttemptOut(Schema):
    id: int
    game_id: int
    won: bool
    prize_name: str
    prize_kind: str
    coupon_code: str
    points: int
    delivery: str
    note: str
    created_at: datetime

    @staticmethod
    def resolve_won(obj) -> bool:  # type: ignore[no-untyped-def]
        return obj.prize_id is not None

    @staticmethod
    def resolve_note(obj) -> str:  # type: ignore[no-untyped-def]
        """Why the drawn prize was not given, in English as the API's messages are."""
        return in_english(obj.why) if obj.why else obj.note

    @staticmethod
    def resolve_prize_name(obj) -> str:  # type: ignore[no-untyped-def]
        return obj.prize.name if obj.prize_id else ""

    @staticmethod
    def resolve_prize_kind(obj) -> str:  # type: ignore[no-untyped-def]
        return obj.prize.kind if obj.prize_id else ""

    @staticmethod
    def resolve_coupon_code(obj) -> str:  # type: ignore[no-untyped-def]
        return obj.coupon.code if obj.coupon_id else ""
