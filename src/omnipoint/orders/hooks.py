"""What orders announce to the apps above them (aftersales, dashboards), without importing
them: a module without models, so that a higher app's ``AppConfig.ready()`` may import it and
subscribe.

``GOODS_HANDED_OVER`` is published once per order, inside the transaction that completes it:
when its goods are collected at the pickup outlet, delivered, sold at the counter, or, for an
order with no goods at all (services and virtual items only), when it is paid. Each line says
what it is (``ProductKind``) and whether installation was asked for, so that a listener opens an
installation ticket for ``HandedOverLine.needs_ticket`` lines. Virtual lines are listed too but
are fulfilled by their provider (``omnipoint.virtuals``), not by people."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from omnipoint.catalog.domain import ProductKind
from omnipoint.core.hooks import Event


class HandOver(StrEnum):
    """How an order's goods reached the customer (the ``how`` of its "completed" event)."""

    COLLECTED = "collected"  # at the pickup outlet, against the pickup code
    DELIVERED = "delivered"  # by the carrier
    COUNTER = "counter sale"  # paid and taken at the counter
    NO_GOODS = "no goods"  # services and virtual items only: complete when paid


@dataclass(frozen=True)
class HandedOverLine:
    line_id: int
    sku_id: int
    sku_code: str
    kind: ProductKind
    quantity: int
    installation: bool  # the customer asked for the goods to be installed
    location_id: int  # the outlet the line is fulfilled from

    @property
    def needs_ticket(self) -> bool:
        """A line that people go and do: goods to install, or a service sold."""
        return self.kind == ProductKind.SERVICE or (self.kind == ProductKind.GOODS and self.installation)


@dataclass(frozen=True)
class GoodsHandedOver:
    order_id: int
    order_number: str
    how: HandOver
    member_id: int | None
    customer_mobile: str  # as the order has it (a guest's, or the member's at checkout)
    outlet_id: int | None  # the outlet the order belongs to (pickup, counter, origin); None online-only
    address: str  # the delivery address, blank for a collected order
    lines: tuple[HandedOverLine, ...]
    at: datetime

    @property
    def ticket_lines(self) -> tuple[HandedOverLine, ...]:
        return tuple(line for line in self.lines if line.needs_ticket)


GOODS_HANDED_OVER: Event[GoodsHandedOver] = Event(
    "orders.GOODS_HANDED_OVER", "an order's goods reached the customer (or it had none and was paid)"
)
