from datetime import datetime

from ninja import Field, Schema

from omnipoint.core.api import Id, Input
from omnipoint.core.errors import MAX_QUANTITY

# Strict: JSON `true` or "5" is a client bug, not a quantity.
Qty = Field(..., gt=0, le=MAX_QUANTITY, strict=True)


class StockOut(Schema):
    location_id: int
    location_code: str = Field(..., alias="location.code")
    sku_id: int
    sku_code: str = Field(..., alias="sku.code")
    product_name: str = Field(..., alias="sku.product.name")
    on_hand: int
    reserved: int
    available: int
    safety_stock: int


class MovementOut(Schema):
    id: int
    location_id: int
    sku_id: int
    kind: str
    quantity: int
    reference: str
    created_at: datetime


class ReceiptIn(Input):
    location_id: Id
    sku_id: Id
    quantity: int = Qty
    reference: str = Field("", max_length=60)


class AdjustmentIn(Input):
    location_id: Id
    sku_id: Id
    delta: int = Field(..., ge=-MAX_QUANTITY, le=MAX_QUANTITY, strict=True)
    reason: str = Field(..., min_length=1, max_length=60)


class SafetyStockIn(Input):
    location_id: Id
    sku_id: Id
    safety_stock: int = Field(..., ge=0, le=MAX_QUANTITY, strict=True)


class ReservationLineIn(Input):
    location_id: Id
    sku_id: Id
    quantity: int = Qty


class ReservationIn(Input):
    owner_ref: str = Field(..., min_length=1, max_length=80)
    lines: list[ReservationLineIn] = Field(..., min_length=1, max_length=200)
    ttl_seconds: int | None = Field(None, ge=1, le=30 * 86400)
    channel: str = Field("", max_length=10)


class ReservationLineOut(Schema):
    location_id: int
    sku_id: int
    quantity: int


class ReservationOut(Schema):
    id: int
    owner_kind: str  # staff (yours to commit or release), order or system
    owner_ref: str
    state: str
    channel: str
    expires_at: datetime
    lines: list[ReservationLineOut]


class NearbyOut(Schema):
    outlet_id: int
    code: str
    name: str
    kind: str
    lat: float
    lng: float
    distance_km: float
    available: int


class TransferLineIn(Input):
    sku_id: Id
    quantity: int = Qty


class TransferIn(Input):
    source_id: Id
    destination_id: Id
    lines: list[TransferLineIn] = Field(..., min_length=1, max_length=200)
    note: str = Field("", max_length=200)


class ReceivedLineIn(Input):
    sku_id: Id
    quantity: int = Field(..., ge=0, le=MAX_QUANTITY, strict=True)


class TransferReceiveIn(Input):
    lines: list[ReceivedLineIn] = Field(default_factory=list, max_length=200)


class TransferLineOut(Schema):
    sku_id: int
    quantity: int
    received_quantity: int | None


class TransferOut(Schema):
    id: int
    source_id: int
    destination_id: int
    state: str
    note: str
    expected_at: datetime | None
    created_at: datetime
    dispatched_at: datetime | None
    received_at: datetime | None
    lines: list[TransferLineOut]


class CountIn(Input):
    location_id: Id
    sku_ids: list[Id] | None = Field(None, min_length=1, max_length=2000)


class CountLineIn(Input):
    sku_id: Id
    counted: int = Field(..., ge=0, le=MAX_QUANTITY, strict=True)


class CountLineOut(Schema):
    sku_id: int
    counted: int | None
    expected: int | None
    correction: int | None


class CountOut(Schema):
    id: int
    location_id: int
    state: str
    created_at: datetime
    posted_at: datetime | None
    lines: list[CountLineOut]
