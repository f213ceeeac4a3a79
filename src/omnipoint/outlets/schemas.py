from ninja import Field, Schema

from omnipoint.core.api import Input
from omnipoint.outlets.models import OutletKind


class RegionOut(Schema):
    code: str
    name: str
    level: str
    path: str
    lat: float
    lng: float


class OutletOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    region_code: str = Field(..., alias="region.code")
    region_name: str = Field(..., alias="region.name")
    address: str
    lat: float
    lng: float
    opening_hours: str
    sells_at_counter: bool
    pickup_point: bool
    ships_from_store: bool
    delivery_radius_km: int
    is_active: bool


class OutletIn(Input):
    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=120)
    kind: OutletKind
    region_code: str = Field(..., min_length=6, max_length=6)
    lat: float = Field(..., ge=-90, le=90)
    lng: float = Field(..., ge=-180, le=180)
    address: str = Field("", max_length=200)
    opening_hours: str = Field("09:00-21:00", max_length=60)
    sells_at_counter: bool = True
    pickup_point: bool = False
    ships_from_store: bool = False
    delivery_radius_km: int = Field(0, ge=0, le=500)


class OutletPatch(Input):
    name: str | None = Field(None, min_length=1, max_length=120)
    address: str | None = Field(None, max_length=200)
    opening_hours: str | None = Field(None, max_length=60)
    sells_at_counter: bool | None = None
    pickup_point: bool | None = None
    ships_from_store: bool | None = None
    delivery_radius_km: int | None = Field(None, ge=0, le=500)
    is_active: bool | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)


class MeOut(Schema):
    user_id: int
    username: str
    name: str
    role: str | None
    region_path: str | None
    outlet_id: int | None
    permissions: list[str]
