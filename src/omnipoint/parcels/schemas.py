"""The REST surface's bodies: a parcel accepted at the counter, its payment and void, scans, the
carrier's webhook, online tracking, collection by code, and the network's rate table."""

from datetime import datetime

from ninja import Field, Schema

from omnipoint.core.api import Id, Input


class ParcelPartyIn(Input):
    name: str = Field(min_length=1, max_length=40)
    mobile: str = Field(max_length=20)
    address: str = Field(min_length=1, max_length=200)
    region_code: str = Field(max_length=6)  # the district's adcode


class ParcelAcceptIn(Input):
    outlet_id: Id
    service: str = Field(max_length=10)  # standard or express
    sender: ParcelPartyIn
    recipient: ParcelPartyIn
    weight_g: int = Field(ge=1, le=10**6)
    length_cm: int = Field(ge=1, le=10**4)
    width_cm: int = Field(ge=1, le=10**4)
    height_cm: int = Field(ge=1, le=10**4)
    declared_value: int = Field(0, ge=0, le=10**12)  # fen
    key: str = Field("", max_length=60)  # the client's: a retry returns the first parcel


class ParcelPayIn(Input):
    method: str = Field(max_length=10)  # cash, wallet (the sender's), qr (the sandbox gateway)
    return_url: str = Field("", max_length=200)


class ParcelVoidIn(Input):
    reason: str = Field(max_length=200)  # why the counter voids it (its money goes back)


class RateStepIn(Input):
    service: str = Field(max_length=10)  # standard or express
    zone: str = Field(max_length=10)  # local, province, region, national, remote
    first_g: int = Field(ge=0, le=10**6)
    first_fen: int = Field(ge=0, le=10**9)
    step_g: int = Field(ge=0, le=10**6)  # each further step of this many grams, or part of it
    step_fen: int = Field(ge=0, le=10**9)


class RateZoneIn(Input):
    from_province: str = Field(max_length=2)  # two-digit province codes
    to_province: str = Field(max_length=2)
    zone: str = Field(max_length=10)


class RateTableIn(Input):
    steps: list[RateStepIn] = Field(max_length=20)
    zones: list[RateZoneIn] = Field(default_factory=list, max_length=1200)
    insurance_per_mille: int = Field(ge=0, le=1000)
    insurance_min_fen: int = Field(ge=0, le=10**7)


class RateStepOut(Schema):
    service: str
    zone: str
    first_g: int
    first_fen: int
    step_g: int
    step_fen: int


class RateZoneOut(Schema):
    from_province: str
    to_province: str
    zone: str


class RateTableOut(Schema):
    network: str
    steps: list[RateStepOut]
    zones: list[RateZoneOut]
    insurance_per_mille: int
    insurance_min_fen: int


class ParcelScanIn(Input):
    outlet_id: Id
    kind: str = Field(max_length=20)  # dispatched, in_transit, arrived, out_for_delivery, delivered
    occurred_at: datetime | None = None  # now when not given
    scan_id: str = Field("", max_length=60)  # the handheld's own: a repeat is the first


class ParcelCollectIn(Input):
    outlet_id: Id
    number: str = Field(max_length=20)
    code: str = Field(max_length=10)


class ParcelEventOut(Schema):
    kind: str
    source: str
    occurred_at: datetime
    outlet_id: int | None
    place: str
    moved: bool


class ParcelOut(Schema):
    number: str
    service: str
    state: str
    network: str
    origin_id: int
    sender_name: str
    sender_mobile: str
    recipient_name: str
    recipient_mobile: str
    recipient_region: str
    weight_g: int
    chargeable_g: int
    zone: str
    postage: int
    insurance: int
    total: int
    declared_value: int
    pay_method: str
    paid_at: datetime | None
    pay_url: str
    hold_outlet_id: int | None
    collected_at: datetime | None
    created_at: datetime
    events: list[ParcelEventOut]


class ParcelScanOut(Schema):
    number: str
    state: str
    fresh: bool
    moved: bool


class ParcelTrackEventOut(Schema):
    kind: str
    occurred_at: datetime
    place: str


class ParcelTrackOut(Schema):
    number: str
    service: str
    state: str
    sender_name: str
    recipient_name: str
    recipient_mobile: str
    origin: str
    destination: str
    held_at: str | None
    pickup_code: str | None
    events: list[ParcelTrackEventOut]


class WebhookAckOut(Schema):
    code: str
    applied: int
    duplicate: int
    moved: int


class CarrierWebhook(Schema):
    """The sandbox carrier's webhook body (signed: X-Carrier-Signature, hex HMAC-SHA256)."""

    carrier: str
    ts: int  # unix seconds: older than five minutes is refused
    events: list[dict[str, str]]  # event_id, number, kind, occurred_at (ISO), outlet_code?, place?
