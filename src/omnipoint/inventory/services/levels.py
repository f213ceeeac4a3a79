"""Stock in and out without a reservation: goods received, counter sales, adjustments, safety
stock, and the coordinates copied onto an outlet's stock rows."""

from django.db import transaction
from django.db.models import F

from omnipoint.core.errors import (
    NotFoundError,
    ValidationError,
    require_quantity,
)
from omnipoint.inventory.domain import StockKey
from omnipoint.inventory.models import (
    MovementKind,
    StockLevel,
)
from omnipoint.inventory.services._base import _authorize, _check_skus, _ensure_rows, _movement, _shortage
from omnipoint.outlets.domain import Perm, StaffActor
from omnipoint.outlets.models import Outlet


def stock_coordinates_sync(*, actor: StaffActor, outlet_id: int) -> int:
    """Copy an outlet's coordinates onto its stock rows (after the outlet moved); returns how
    many rows changed. Registered as ``outlets.hooks.OUTLET_MOVED``: run in ``outlet_update``'s
    transaction, for the actor who moved the outlet (who may edit it, in their scope)."""
    lat, lng, region_path = Outlet.objects.values_list("lat", "lng", "region_path").get(pk=outlet_id)
    if not actor.scope.covers_outlet(outlet_id=outlet_id, region_path=region_path):
        raise NotFoundError(f"location {outlet_id} not found", code="location_not_found")
    actor.require(Perm.OUTLET_EDIT)
    return StockLevel.objects.filter(location_id=outlet_id).exclude(lat=lat, lng=lng).update(lat=lat, lng=lng)


@transaction.atomic
def stock_receive(
    *,
    actor: StaffActor,
    location_id: int,
    sku_id: int,
    quantity: int,
    reference: str = "",
    kind: str = MovementKind.RECEIPT,
) -> StockLevel:
    """Goods arrive (a delivery, a return to shelf). Adds to on hand."""
    require_quantity(quantity)
    _authorize(actor, Perm.STOCK_RECEIVE, [location_id])
    _check_skus([sku_id])
    key = StockKey(location_id, sku_id)
    _ensure_rows([key])
    StockLevel.objects.filter(location_id=location_id, sku_id=sku_id).update(on_hand=F("on_hand") + quantity)
    _movement(key, kind, quantity, reference, actor).save()
    return StockLevel.objects.get(location_id=location_id, sku_id=sku_id)


@transaction.atomic
def stock_sell(
    *, actor: StaffActor, location_id: int, sku_id: int, quantity: int, reference: str = ""
) -> StockLevel:
    """A counter sale straight from the shelf: only stock nobody has reserved may go.

    The counter may dip into safety stock; that buffer exists for it.
    """
    require_quantity(quantity)
    _authorize(actor, Perm.STOCK_SELL, [location_id])
    _check_skus([sku_id])
    key = StockKey(location_id, sku_id)
    changed = StockLevel.objects.filter(
        location_id=location_id, sku_id=sku_id, on_hand__gte=F("reserved") + quantity
    ).update(on_hand=F("on_hand") - quantity)
    if changed != 1:
        raise _shortage(key, quantity)
    _movement(key, MovementKind.SALE, -quantity, reference, actor).save()
    return StockLevel.objects.get(location_id=location_id, sku_id=sku_id)


@transaction.atomic
def stock_adjust(*, actor: StaffActor, location_id: int, sku_id: int, delta: int, reason: str) -> StockLevel:
    """A manual correction (damage, found goods). Never takes reserved stock."""
    if delta == 0:
        raise ValidationError("delta must not be zero", code="invalid_quantity")
    require_quantity(abs(delta), field="delta")
    if not reason.strip():
        raise ValidationError("an adjustment needs a reason", code="reason_required")
    _authorize(actor, Perm.STOCK_RECEIVE, [location_id])
    _check_skus([sku_id])
    key = StockKey(location_id, sku_id)
    _ensure_rows([key])
    changed = StockLevel.objects.filter(
        location_id=location_id, sku_id=sku_id, on_hand__gte=F("reserved") - delta
    ).update(on_hand=F("on_hand") + delta)
    if changed != 1:
        raise _shortage(key, -delta)
    _movement(key, MovementKind.ADJUSTMENT, delta, reason, actor).save()
    return StockLevel.objects.get(location_id=location_id, sku_id=sku_id)


@transaction.atomic
def stock_set_safety(*, actor: StaffActor, location_id: int, sku_id: int, safety_stock: int) -> StockLevel:
    require_quantity(safety_stock, allow_zero=True, field="safety_stock")
    _authorize(actor, Perm.STOCK_RECEIVE, [location_id])
    _check_skus([sku_id])
    _ensure_rows([StockKey(location_id, sku_id)])
    StockLevel.objects.filter(location_id=location_id, sku_id=sku_id).update(safety_stock=safety_stock)
    return StockLevel.objects.get(location_id=location_id, sku_id=sku_id)
