from datetime import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from omnipoint.core.api import Id, Input
from omnipoint.showrooms.domain import MAX_FIXED_PER_UNIT


class OutletBrief(Schema):
    id: int
    code: str
    name: str
    address: str
    opening_hours: str


class SkuBrief(Schema):
    id: int
    code: str
    attributes: dict[str, str]


class ProductBrief(Schema):
    id: int
    code: str
    name: str
    name_en: str
    skus: list[SkuBrief]


class ShowroomOut(Schema):
    code: str
    title: str
    greeting: str
    salesperson: str  # display name only: the public sees nothing else of the staff member
    outlet: OutletBrief | None
    share_path: str
    products: list[ProductBrief]


class ShowroomIn(Input):
    title: Annotated[str, Field(max_length=80)] | None = None
    greeting: Annotated[str, Field(max_length=300)] | None = None
    all_products: bool | None = None
    product_ids: list[Id] | None = Field(None, max_length=200)


class SaleOut(Schema):
    number: str
    state: str
    channel: str
    method: str
    total: int
    created_at: datetime
    completed_at: datetime | None
    commission_accrued: int | None  # None until the order completes
    commission_reversed: int


class SalesOut(Schema):
    staff_id: int
    display_name: str
    outlet: OutletBrief | None
    accrued: int
    reversed: int
    net: int
    ledger_balance: int
    orders: list[SaleOut]


class SalespersonRow(Schema):
    staff_id: int
    display_name: str
    outlet: OutletBrief | None
    orders: int
    accrued: int
    reversed: int
    net: int


class RuleIn(Input):
    region_code: Annotated[str, Field(max_length=6)] = ""  # "" is the caller's own node
    product_id: Id | None = None
    category_id: Id | None = None
    rate: Annotated[Decimal, Field(ge=0, le=1, max_digits=6, decimal_places=4)] | None = None
    fixed_per_unit: Annotated[int, Field(ge=0, le=MAX_FIXED_PER_UNIT)] | None = None


class RulePatch(Input):
    rate: Annotated[Decimal, Field(ge=0, le=1, max_digits=6, decimal_places=4)] | None = None
    fixed_per_unit: Annotated[int, Field(ge=0, le=MAX_FIXED_PER_UNIT)] | None = None


class RuleOut(Schema):
    id: int
    region_path: str
    product_id: int | None
    category_id: int | None
    rate: Decimal | None
    fixed_per_unit: int | None
    created_at: datetime
