from dataclasses import dataclass

from django.db.models import Q, QuerySet

from omnipoint.core.errors import NotFoundError, ValidationError, require_quantity
from omnipoint.core.geo import bounding_box, haversine_km
from omnipoint.inventory.models import CycleCount, Reservation, StockLevel, StockMovement, Transfer
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.selectors import scope_q

MAX_RADIUS_KM = 200.0


def stock_list(
    *, actor: Actor, location_id: int | None = None, sku_id: int | None = None, search: str = ""
) -> QuerySet[StockLevel]:
    actor.require(Perm.STOCK_VIEW)
    qs = StockLevel.objects.filter(scope_q(actor.scope, "location")).select_related(
        "location", "sku__product"
    )
    if location_id is not None:
        qs = qs.filter(location_id=location_id)
    if sku_id is not None:
        qs = qs.filter(sku_id=sku_id)
    if search:
        qs = qs.filter(
            Q(sku__code__icontains=search) | Q(sku__product__name__icontains=search) | Q(sku__barcode=search)
        )
    return qs.order_by("location_id", "sku_id")


def movement_list(*, actor: Actor, location_id: int, sku_id: int | None = None) -> QuerySet[StockMovement]:
    actor.require(Perm.STOCK_VIEW)
    qs = StockMovement.objects.filter(scope_q(actor.scope, "location"), location_id=location_id)
    if sku_id is not None:
        qs = qs.filter(sku_id=sku_id)
    return qs.order_by("-id")


def reservation_get(*, actor: Actor, reservation_id: int) -> Reservation:
    """A reservation is visible when every location it holds stock at is in scope."""
    actor.require(Perm.STOCK_VIEW)
    reservation = Reservation.objects.prefetch_related("lines").filter(pk=reservation_id).first()
    # Count the lines inside rather than look for one outside: HQ's scope filter is the empty Q,
    # and exclude(Q()) excludes nothing, which hid every reservation from HQ.
    if reservation is None or reservation.lines.filter(scope_q(actor.scope, "location")).count() != len(
        reservation.lines.all()
    ):
        raise NotFoundError(f"reservation {reservation_id} not found", code="reservation_not_found")
    return reservation


def transfer_list(*, actor: Actor, state: str = "", location_id: int | None = None) -> QuerySet[Transfer]:
    """Transfers that start or end in the actor's scope."""
    actor.require(Perm.STOCK_VIEW)
    qs = Transfer.objects.filter(scope_q(actor.scope, "source") | scope_q(actor.scope, "destination"))
    if state:
        qs = qs.filter(state=state)
    if location_id is not None:
        qs = qs.filter(Q(source_id=location_id) | Q(destination_id=location_id))
    return qs.select_related("source", "destination").prefetch_related("lines__sku__product").order_by("-id")


def transfer_get(*, actor: Actor, transfer_id: int) -> Transfer:
    transfer = transfer_list(actor=actor).filter(pk=transfer_id).first()
    if transfer is None:
        raise NotFoundError(f"transfer {transfer_id} not found", code="transfer_not_found")
    return transfer


def count_list(*, actor: Actor, location_id: int | None = None) -> QuerySet[CycleCount]:
    actor.require(Perm.STOCK_VIEW)
    qs = CycleCount.objects.filter(scope_q(actor.scope, "location")).select_related("location")
    if location_id is not None:
        qs = qs.filter(location_id=location_id)
    return qs.prefetch_related("lines__sku__product").order_by("-id")


def count_get(*, actor: Actor, count_id: int) -> CycleCount:
    count = count_list(actor=actor).filter(pk=count_id).first()
    if count is None:
        raise NotFoundError(f"count {count_id} not found", code="count_not_found")
    return count


# --- where is it ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NearbyStock:
    outlet_id: int
    code: str
    name: str
    kind: str
    lat: float
    lng: float
    distance_km: float
    available: int


def _check_point(lat: float, lng: float, radius_km: float) -> None:
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError("coordinates out of range", code="invalid_coordinates")
    if not 0 < radius_km <= MAX_RADIUS_KM:
        raise ValidationError(f"radius must be in (0, {MAX_RADIUS_KM:g}] km", code="invalid_radius")


def stock_nearby(
    *,
    lat: float,
    lng: float,
    sku_id: int,
    quantity: int = 1,
    radius_km: float = 10.0,
    limit: int = 20,
    online: bool = False,
) -> list[NearbyStock]:
    """Active outlets within ``radius_km`` of a point that have ``quantity`` of a SKU available,
    nearest first.

    Availability near a point is public (the storefront shows it to anyone), so this is not
    scoped; stock detail (on hand, reserved, movements) is. ``online`` leaves each outlet's
    safety stock for its counter.

    One query driven by the stock rows: a range scan of the index (sku, lat, lng) over the
    latitude band, the longitude checked inside the index, using the coordinates copied onto each
    row, then the outlet of each match by primary key. A dense box of thousands of outlets costs a
    probe per outlet that stocks the SKU, not per outlet in the box. Exact distances here.
    """
    _check_point(lat, lng, radius_km)
    require_quantity(quantity)
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius_km)
    rows = (
        StockLevel.objects.sellable(quantity, online=online)
        .filter(
            sku_id=sku_id,
            lat__range=(min_lat, max_lat),
            lng__range=(min_lng, max_lng),
            location__is_active=True,
        )
        .values_list(
            "location_id",
            "location__code",
            "location__name",
            "location__kind",
            "location__lat",
            "location__lng",
            "on_hand",
            "reserved",
            "safety_stock",
        )
    )
    found = []
    for oid, code, name, kind, olat, olng, on_hand, reserved, safety in rows:
        distance = haversine_km(lat, lng, olat, olng)
        if distance <= radius_km:
            available = on_hand - reserved - (safety if online else 0)
            found.append(NearbyStock(oid, code, name, kind, olat, olng, round(distance, 3), available))
    found.sort(key=lambda s: (s.distance_km, s.outlet_id))
    return found[: max(1, min(limit, 200))]
