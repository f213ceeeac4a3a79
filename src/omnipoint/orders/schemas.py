from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema

from omnipoint.catalog.domain import ProductKind
from omnipoint.core.api import ExplanationOut, Id, Input, explained
from omnipoint.core.channels import Channel
from omnipoint.core.errors import MAX_QUANTITY
from omnipoint.orders.models import Method, line_ref
from omnipoint.virtuals.domain import mask_target
from omnipoint.virtuals.selectors import fulfilments_for


class LineIn(Input):
    sku_id: Id
    quantity: int = Field(..., gt=0, le=MAX_QUANTITY)
    installation: bool = False
    target: str = Field(
        "", max_length=20, description="a virtual item's recipient (the mobile number topped up)"
    )


class OrderIn(Input):
    channel: Channel
    method: Method
    payment_mode: str = Field("online", description="online | at_outlet | on_delivery | counter")
    lines: list[LineIn] = Field(..., min_length=1, max_length=50)
    mobile: str = Field("", max_length=20)
    customer_name: str = Field("", max_length=60)
    member_id: Id | None = None
    pickup_outlet_id: Id | None = None
    origin_outlet_id: Id | None = None
    region_code: str = Field("", max_length=6, description="district of the delivery address")
    address: str = Field("", max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    salesperson_id: Id | None = None
    showroom_code: str = Field(
        "",
        max_length=40,
        description="the showroom the customer came from (channel showroom): credits its salesperson",
    )
    coupon_codes: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=5)


class LineOut(Schema):
    id: int
    sku_id: int
    sku_code: str = Field(..., alias="sku.code")
    name: str = Field(..., alias="sku.product.name")
    quantity: int
    unit_price: int
    discount: int
    amount: int
    price_explanation: list[ExplanationOut]
    location_id: int
    returned_quantity: int
    installation: bool
    kind: str  # goods, service or virtual (catalog ProductKind)
    target: str = Field("", description="a virtual item's recipient, masked")
    fulfilment: str | None = Field(None, description="a virtual item's state: requested, fulfilled, refused")

    @staticmethod
    def resolve_target(obj: Any) -> str:
        return mask_target(obj.target) if obj.target else ""

    @staticmethod
    def resolve_fulfilment(obj: Any) -> str | None:
        if obj.kind != ProductKind.VIRTUAL:
            return None
        found = fulfilments_for(owner_refs=[line_ref(obj.pk)])
        return found[line_ref(obj.pk)].state if found else None

    @staticmethod
    def resolve_price_explanation(obj: Any) -> list[dict[str, Any]]:
        return explained(obj.price_explanation)


class EventOut(Schema):
    kind: str
    channel: str
    actor_id: int | None
    data: dict[str, Any]
    created_at: datetime


class OrderOut(Schema):
    id: int
    number: str
    channel: str
    method: str
    state: str
    payment_state: str
    payment_mode: str
    total: int
    member_id: int | None
    customer_name: str
    origin_outlet_id: int | None
    pickup_outlet_id: int | None
    keyed_by_id: int | None
    salesperson_id: int | None
    payment_deadline: datetime | None
    hold_until: datetime | None
    routing: dict[str, Any] = Field(..., description="shipments, transfers and reasons (kind, params, text)")
    created_at: datetime
    lines: list[LineOut]

    @staticmethod
    def resolve_routing(obj: Any) -> dict[str, Any]:
        routing = dict(obj.routing)
        if "reasons" in routing:
            routing["reasons"] = explained(routing["reasons"])
        return routing


class OrderDetailOut(OrderOut):
    events: list[EventOut]


class TrackedOrderOut(OrderDetailOut):
    pickup_code: str


class TaskOut(Schema):
    id: int
    order_id: int
    order_number: str = Field(..., alias="order.number")
    location_id: int
    state: str
    purpose: str
    transfer_id: int | None
    claimed_by_id: int | None
    created_at: datetime


class CancelIn(Input):
    reason: str = Field(..., min_length=1, max_length=200)


class HandOverIn(Input):
    outlet_id: Id
    code: str = Field(..., min_length=1, max_length=20)
    order_number: str = Field("", max_length=24)


class ReturnLineIn(Input):
    sku_id: Id
    quantity: int = Field(..., gt=0, le=MAX_QUANTITY)


class ReturnIn(Input):
    outlet_id: Id
    lines: list[ReturnLineIn] = Field(..., min_length=1, max_length=50)
    reason: str = Field("", max_length=200)


class ReturnOut(Schema):
    id: int
    order_id: int
    outlet_id: int
    amount: int
    lines: list[dict[str, int]]
    created_at: datetime
