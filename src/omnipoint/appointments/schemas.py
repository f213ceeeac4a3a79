from datetime import date, datetime, time
from typing import Annotated

from ninja import Field, Schema

from omnipoint.core.api import Id, Input


class MaterialIn(Input):
    code: Annotated[str, Field(min_length=1, max_length=32)]
    name: Annotated[str, Field(min_length=1, max_length=60)]
    name_en: Annotated[str, Field(min_length=1, max_length=80)]


class ServiceIn(Input):
    code: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$")]
    name: Annotated[str, Field(min_length=1, max_length=60)]
    name_en: Annotated[str, Field(min_length=1, max_length=80)]
    duration_min: int
    materials: list[MaterialIn] = Field(default_factory=list, max_length=20)
    handover: str = "counter"
    queue_prefix: Annotated[str, Field(min_length=1, max_length=1)] = "A"


class MaterialOut(Schema):
    code: str
    name: str
    name_en: str


class ServiceOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    duration_min: int
    materials: list[MaterialOut]
    handover: str
    queue_prefix: str


class OpeningIn(Input):
    weekday: Annotated[int, Field(ge=0, le=6)]
    start: time
    end: time
    capacity: Annotated[int, Field(ge=1, le=100)]


class TimetableIn(Input):
    openings: list[OpeningIn] = Field(max_length=28)


class TimetableOut(Schema):
    outlet_id: int
    service_id: int
    active: bool
    openings: list[dict[str, object]]
    open_slots: int


class ClosureIn(Input):
    day: date
    reason: Annotated[str, Field(min_length=1, max_length=60)]
    service_id: Id | None = None


class ClosureOut(Schema):
    id: int
    outlet_id: int
    service_id: int | None
    day: date
    reason: str


class SlotOut(Schema):
    id: int
    outlet_id: int
    service_id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    remaining: int


class NearbyOfferOut(Schema):
    outlet_id: int
    outlet_code: str
    outlet_name: str
    address: str
    km: float
    next_slot: SlotOut | None


class BookingIn(Input):
    slot_id: Id
    channel: str = "web"
    member_id: Id | None = None
    client_key: Annotated[str, Field(max_length=64)] = ""


class RescheduleIn(Input):
    slot_id: Id


class MaterialsIn(Input):
    checked: list[Annotated[str, Field(max_length=32)]] = Field(max_length=20)
    note: Annotated[str, Field(max_length=200)] = ""


class BookingOut(Schema):
    id: int
    code: str
    state: str
    channel: str
    member_id: int
    outlet_id: int
    outlet_name: str
    service_id: int
    service_name: str
    starts_at: datetime
    ends_at: datetime
    slot_id: int
    materials_checked: list[str]
    materials_note: str
    created_at: datetime
    created: bool = False


class CheckInIn(Input):
    code: Annotated[str, Field(min_length=4, max_length=12)]


class WalkInIn(Input):
    service_id: Id


class CallIn(Input):
    counter: Annotated[str, Field(min_length=1, max_length=10)]
    service_id: Id | None = None


class TicketOut(Schema):
    id: int
    label: str
    state: str
    outlet_id: int
    service_id: int
    service_name: str
    booking_id: int | None
    day: date
    issued_at: datetime
    called_at: datetime | None
    done_at: datetime | None
    counter: str
    wait_s: int | None
    service_s: int | None


class QueueOut(Schema):
    outlet_id: int
    called: list[TicketOut]
    waiting: list[TicketOut]
    waiting_by_service: dict[str, int]


class MaterialReviewIn(Input):
    decision: Annotated[str, Field(max_length=10)]
    reason: Annotated[str, Field(max_length=200)] = ""
    upload_id: Id | None = None  # the file the clerk looked at (the item's latest if not named)


class MaterialUploadOut(Schema):
    id: int
    booking_id: int
    item: str
    version: int
    content_type: str
    size: int
    sha256: str
    filename: str
    uploaded_at: datetime


class MaterialReviewOut(Schema):
    id: int
    upload_id: int | None
    decision: str
    reason: str
    reviewed_by: str
    reviewed_at: datetime


class MaterialItemOut(Schema):
    code: str
    name: str
    name_en: str
    status: str  # missing, pending, accepted, rejected
    versions: int
    upload: MaterialUploadOut | None
    review: MaterialReviewOut | None
