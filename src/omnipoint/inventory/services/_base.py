"""What every stock change shares: authorising the actor, checking SKUs, creating missing
rows, the refusal that names every short line, a movement for the ledger."""

from collections.abc import Collection, Iterable

from django.db.models import Subquery

from omnipoint.catalog.models import Sku
from omnipoint.core.errors import (
    NotFoundError,
)
from omnipoint.inventory.domain import StockKey
from omnipoint.inventory.errors import (
    InsufficientStockError,
)
from omnipoint.inventory.models import (
    StockLevel,
    StockMovement,
)
from omnipoint.outlets.domain import StaffActor
from omnipoint.outlets.models import Outlet


def _authorize(actor: StaffActor, perm: str, location_ids: Iterable[int]) -> None:
    """Scope, then permission: a location outside the actor's node is 'not found'. The platform
    (``SYSTEM``) sees every location and may do everything; unknown locations are still refused."""
    ids = set(location_ids)
    outlets = {o.pk: o for o in Outlet.objects.filter(pk__in=ids).only("pk", "region_path", "is_active")}
    for location_id in sorted(ids):
        outlet = outlets.get(location_id)
        if outlet is None or not actor.scope.covers_outlet(
            outlet_id=outlet.pk, region_path=outlet.region_path
        ):
            raise NotFoundError(f"location {location_id} not found", code="location_not_found")
    actor.require(perm)


def _check_skus(sku_ids: Iterable[int]) -> None:
    ids = set(sku_ids)
    found = set(Sku.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = sorted(ids - found)
    if missing:
        raise NotFoundError(f"SKU {missing[0]} not found", code="sku_not_found", sku_id=missing[0])


def _ensure_rows(keys: Iterable[StockKey]) -> None:
    """Create missing stock rows (zero stock), with their location's coordinates read by the
    INSERT itself (no extra round trip). Safe under races: conflicts are ignored."""

    def coordinate(location_id: int, name: str) -> Subquery:
        return Subquery(Outlet.objects.filter(pk=location_id).values(name)[:1])

    StockLevel.objects.bulk_create(
        [
            StockLevel(
                location_id=k.location_id,
                sku_id=k.sku_id,
                lat=coordinate(k.location_id, "lat"),
                lng=coordinate(k.location_id, "lng"),
            )
            for k in keys
        ],
        ignore_conflicts=True,
    )


def _user_id(actor: StaffActor) -> int | None:
    return actor.user_id


def _shortage(
    key: StockKey,
    requested: int,
    *,
    lines: list[tuple[StockKey, int]] | None = None,
    held: Collection[StockKey] = (),
    respect_safety_stock: bool = False,
) -> InsufficientStockError:
    """The refusal for ``key``, naming in ``details["lines"]`` every short line of the request
    (``lines``; those ``held`` were reserved inside the transaction the refusal rolls back)."""
    lines = lines or [(key, requested)]
    rows = {
        StockKey(r.location_id, r.sku_id): r
        for r in StockLevel.objects.filter(
            location_id__in={k.location_id for k, _ in lines}, sku_id__in={k.sku_id for k, _ in lines}
        ).select_related("sku")
    }
    short: list[dict[str, int | str]] = []
    available = 0
    for k, q in lines:
        row = rows.get(k)
        free = 0 if row is None else row.available + (q if k in held else 0)
        free = max(free - (row.safety_stock if row is not None and respect_safety_stock else 0), 0)
        available = free if k == key else available
        if free < q or k == key:
            code = row.sku.code if row is not None else str(k.sku_id)
            line: dict[str, int | str] = {"location_id": k.location_id, "sku_id": k.sku_id, "sku_code": code}
            short.append(line | {"requested": q, "available": free})
    return InsufficientStockError(
        f"only {available} available of SKU {key.sku_id} at location {key.location_id}, {requested} asked",
        location_id=key.location_id,
        sku_id=key.sku_id,
        requested=requested,
        available=available,
        lines=short,
    )


def _movement(key: StockKey, kind: str, quantity: int, reference: str, actor: StaffActor) -> StockMovement:
    return StockMovement(
        location_id=key.location_id,
        sku_id=key.sku_id,
        kind=kind,
        quantity=quantity,
        reference=reference[:60],
        actor_id=_user_id(actor),
    )
