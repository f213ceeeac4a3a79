"""Book moves: free stock moved between locations at once, without a transfer's journey (a
flash sale's pool set aside from outlets, and what is left of it handed back)."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F

from omnipoint.core.errors import ValidationError, require_quantity
from omnipoint.inventory.domain import StockKey
from omnipoint.inventory.models import MovementKind, StockLevel, StockMovement
from omnipoint.inventory.services._base import _ensure_rows, _movement, _shortage
from omnipoint.outlets.domain import SystemActor, require_platform


@transaction.atomic
def stock_move(
    *, actor: SystemActor, sku_id: int, moves: Iterable[tuple[int, int, int]], reference: str
) -> None:
    """Move ``quantity`` of one SKU for each (from location, to location, quantity): out of the
    source's available stock (``on_hand >= reserved + quantity``, guarded: never more than is
    free there) into the destination's on hand, a transfer-out and a transfer-in movement each.
    All or none. Only the platform moves stock so (the flash sale's services, once they authorised
    the person acting)."""
    require_platform(actor)
    deltas: dict[int, int] = {}
    for source, destination, quantity in moves:
        require_quantity(quantity)
        if source == destination:
            raise ValidationError("a move needs two places", code="invalid_move")
        deltas[source] = deltas.get(source, 0) - quantity
        deltas[destination] = deltas.get(destination, 0) + quantity
    _ensure_rows([StockKey(loc, sku_id) for loc, d in deltas.items() if d > 0])
    movements = []
    for location_id in sorted(deltas):  # rows in key order, as everywhere
        delta, key = deltas[location_id], StockKey(location_id, sku_id)
        if delta == 0:
            continue
        rows = StockLevel.objects.filter(location_id=location_id, sku_id=sku_id)
        if delta < 0:
            rows = rows.sellable(-delta, online=False)
        if rows.update(on_hand=F("on_hand") + delta) != 1:
            raise _shortage(key, -delta)
        kind = MovementKind.TRANSFER_IN if delta > 0 else MovementKind.TRANSFER_OUT
        movements.append(_movement(key, kind, delta, reference, actor))
    StockMovement.objects.bulk_create(movements)
