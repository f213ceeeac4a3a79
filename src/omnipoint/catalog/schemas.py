from ninja import Field, Schema

from omnipoint.core.api import ExplanationOut, Id, Input
from omnipoint.core.channels import Channel


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    parent_code: str | None = Field(None, alias="parent.code")


class SkuOut(Schema):
    id: int
    code: str
    barcode: str | None
    attributes: dict[str, str]
    is_active: bool


class ProductOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: str
    category_code: str = Field(..., alias="category.code")
    brand: str | None = Field(None, alias="brand.name")
    supplier: str | None = Field(None, alias="supplier.name")
    concession: bool = Field(False, alias="supplier.is_concession")
    skus: list[SkuOut]


class PriceOut(Schema):
    sku_id: int
    region_code: str
    channel: str
    amount: int  # fen
    currency: str = "CNY"
    price_list: str
    reasons: list[ExplanationOut]


class PriceIn(Input):
    price_list_id: Id
    sku_id: Id
    channel: Channel | None = None
    amount: int = Field(..., gt=0, description="fen", strict=True)
