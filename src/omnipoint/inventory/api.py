from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import AuthenticationError

from omnipoint.core.api import API_AUTH, ERRORS, Id, Page
from omnipoint.core.errors import PermissionDeniedError, ValidationError
from omnipoint.inventory import selectors, services
from omnipoint.inventory.schemas import (
    AdjustmentIn,
    CountIn,
    CountLineIn,
    CountOut,
    MovementOut,
    NearbyOut,
    ReceiptIn,
    ReservationIn,
    ReservationOut,
    SafetyStockIn,
    StockOut,
    TransferIn,
    TransferOut,
    TransferReceiveIn,
)
from omnipoint.outlets.domain import Actor
from omnipoint.outlets.selectors import actor_get, outlet_get

router = Router(tags=["inventory"])


def actor(request: HttpRequest) -> Actor:
    return actor_get(user=request.user)


class StockFilter(Page):
    location_id: Id | None = None
    sku_id: Id | None = None
    search: str = ""


@router.get("/stock", response={200: list[StockOut], **ERRORS})
def stock_list(request: HttpRequest, f: Query[StockFilter]):  # type: ignore[no-untyped-def]
    """Stock rows (on hand, reserved, available) at locations in the caller's scope."""
    return f.cut(
        selectors.stock_list(
            actor=actor(request), location_id=f.location_id, sku_id=f.sku_id, search=f.search
        )
    )


class MovementFilter(Page):
    location_id: Id
    sku_id: Id | None = None


@router.get("/movements", response={200: list[MovementOut], **ERRORS})
def movement_list(request: HttpRequest, f: Query[MovementFilter]):  # type: ignore[no-untyped-def]
    """The stock ledger of a location, newest first."""
    a = actor(request)
    outlet_get(actor=a, outlet_id=f.location_id)
    return f.cut(selectors.movement_list(actor=a, location_id=f.location_id, sku_id=f.sku_id))


@router.post("/receipts", response={201: StockOut, **ERRORS})
def stock_receive(request: HttpRequest, payload: ReceiptIn):  # type: ignore[no-untyped-def]
    return 201, services.stock_receive(actor=actor(request), **payload.dict())


@router.post("/adjustments", response={201: StockOut, **ERRORS})
def stock_adjust(request: HttpRequest, payload: AdjustmentIn):  # type: ignore[no-untyped-def]
    return 201, services.stock_adjust(actor=actor(request), **payload.dict())


@router.put("/safety-stock", response={200: StockOut, **ERRORS})
def stock_set_safety(request: HttpRequest, payload: SafetyStockIn):  # type: ignore[no-untyped-def]
    return services.stock_set_safety(actor=actor(request), **payload.dict())


@router.post("/reservations", response={201: ReservationOut, **ERRORS})
def stock_reserve(request: HttpRequest, payload: ReservationIn):  # type: ignore[no-untyped-def]
    """Hold stock for an owner. Repeating the same owner_ref with the same lines returns the first hold.
    Concurrent holds on one stock row are committed together (group commit)."""
    reservation = services.stock_hold(
        actor=actor(request),
        owner_ref=payload.owner_ref,
        ttl_seconds=payload.ttl_seconds,
        channel=payload.channel,
        lines=[(ln.location_id, ln.sku_id, ln.quantity) for ln in payload.lines],
    )
    return 201, reservation


@router.get("/reservations/{reservation_id}", response={200: ReservationOut, **ERRORS})
def reservation_get(request: HttpRequest, reservation_id: int):  # type: ignore[no-untyped-def]
    return selectors.reservation_get(actor=actor(request), reservation_id=reservation_id)


@router.post("/reservations/{reservation_id}/commit", response={200: ReservationOut, **ERRORS})
def reservation_commit(request: HttpRequest, reservation_id: int):  # type: ignore[no-untyped-def]
    return services.reservation_commit(actor=actor(request), reservation_id=reservation_id)


@router.post("/reservations/{reservation_id}/release", response={200: ReservationOut, **ERRORS})
def reservation_release(request: HttpRequest, reservation_id: int):  # type: ignore[no-untyped-def]
    return services.reservation_release(actor=actor(request), reservation_id=reservation_id)


class NearbyQuery(Schema):
    sku_id: Id
    quantity: int = 1
    radius_km: float = 10.0
    limit: int = 20
    lat: float | None = None
    lng: float | None = None
    outlet_id: Id | None = None


@router.get("/nearby", auth=None, response={200: list[NearbyOut], **ERRORS, 401: ERRORS[403]})
def stock_nearby(request: HttpRequest, q: Query[NearbyQuery]):  # type: ignore[no-untyped-def]
    """Where is it: outlets near a point with the SKU available. Public, like the storefront:
    anyone gets what can be bought online there (the counter's safety stock left out); signed-in
    staff get what the counter can sell, and may ask near one of their outlets (`outlet_id`)."""
    signed_in = any(auth(request) for auth in API_AUTH)
    staff = _staff(request) if signed_in else None
    if q.outlet_id is not None:
        if not signed_in:
            raise AuthenticationError()
        center = outlet_get(actor=actor(request), outlet_id=q.outlet_id)  # staff only
        lat, lng = center.lat, center.lng
    elif q.lat is not None and q.lng is not None:
        lat, lng = q.lat, q.lng
    else:
        raise ValidationError("give lat and lng, or outlet_id", code="point_required")
    return selectors.stock_nearby(
        lat=lat,
        lng=lng,
        sku_id=q.sku_id,
        quantity=q.quantity,
        radius_km=q.radius_km,
        limit=q.limit,
        online=staff is None,
    )


def _staff(request: HttpRequest) -> Actor | None:
    """The staff member signed in, if the caller is one."""
    try:
        return actor(request)
    except PermissionDeniedError:  # a member or a partner: a customer's view
        return None


class TransferFilter(Page):
    state: str = ""
    location_id: Id | None = None


@router.get("/transfers", response={200: list[TransferOut], **ERRORS})
def transfer_list(request: HttpRequest, f: Query[TransferFilter]):  # type: ignore[no-untyped-def]
    return f.cut(selectors.transfer_list(actor=actor(request), state=f.state, location_id=f.location_id))


@router.get("/transfers/{transfer_id}", response={200: TransferOut, **ERRORS})
def transfer_get(request: HttpRequest, transfer_id: int):  # type: ignore[no-untyped-def]
    return selectors.transfer_get(actor=actor(request), transfer_id=transfer_id)


@router.post("/transfers", response={201: TransferOut, **ERRORS})
def transfer_create(request: HttpRequest, payload: TransferIn):  # type: ignore[no-untyped-def]
    return 201, services.transfer_create(
        actor=actor(request),
        source_id=payload.source_id,
        destination_id=payload.destination_id,
        lines=[(ln.sku_id, ln.quantity) for ln in payload.lines],
        note=payload.note,
    )


@router.post("/transfers/{transfer_id}/dispatch", response={200: TransferOut, **ERRORS})
def transfer_dispatch(request: HttpRequest, transfer_id: int):  # type: ignore[no-untyped-def]
    return services.transfer_dispatch(actor=actor(request), transfer_id=transfer_id)


@router.post("/transfers/{transfer_id}/receive", response={200: TransferOut, **ERRORS})
def transfer_receive(request: HttpRequest, transfer_id: int, payload: TransferReceiveIn):  # type: ignore[no-untyped-def]
    received: dict[int, int] = {}
    for line in payload.lines:
        if line.sku_id in received:
            raise ValidationError(f"SKU {line.sku_id} is listed twice", code="duplicate_line")
        received[line.sku_id] = line.quantity
    return services.transfer_receive(actor=actor(request), transfer_id=transfer_id, received=received)


@router.post("/transfers/{transfer_id}/cancel", response={200: TransferOut, **ERRORS})
def transfer_cancel(request: HttpRequest, transfer_id: int):  # type: ignore[no-untyped-def]
    return services.transfer_cancel(actor=actor(request), transfer_id=transfer_id)


class CountFilter(Page):
    location_id: Id | None = None


@router.get("/counts", response={200: list[CountOut], **ERRORS})
def count_list(request: HttpRequest, f: Query[CountFilter]):  # type: ignore[no-untyped-def]
    return f.cut(selectors.count_list(actor=actor(request), location_id=f.location_id))


@router.get("/counts/{count_id}", response={200: CountOut, **ERRORS})
def count_get(request: HttpRequest, count_id: int):  # type: ignore[no-untyped-def]
    return selectors.count_get(actor=actor(request), count_id=count_id)


@router.post("/counts", response={201: CountOut, **ERRORS})
def count_open(request: HttpRequest, payload: CountIn):  # type: ignore[no-untyped-def]
    return 201, services.count_open(
        actor=actor(request), location_id=payload.location_id, sku_ids=payload.sku_ids
    )


@router.post("/counts/{count_id}/lines", response={200: CountOut, **ERRORS})
def count_record(request: HttpRequest, count_id: int, payload: CountLineIn):  # type: ignore[no-untyped-def]
    a = actor(request)
    services.count_record(actor=a, count_id=count_id, sku_id=payload.sku_id, counted=payload.counted)
    return selectors.count_get(actor=a, count_id=count_id)


@router.post("/counts/{count_id}/post", response={200: CountOut, **ERRORS})
def count_post(request: HttpRequest, count_id: int):  # type: ignore[no-untyped-def]
    return services.count_post(actor=actor(request), count_id=count_id)
