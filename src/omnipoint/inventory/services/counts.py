"""Cycle counts: open a count, record what is on the shelf, post the corrections."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from omnipoint.core.errors import (
    ConflictError,
    InvalidStateError,
    NotFoundError,
    ValidationError,
    require_quantity,
)
from omnipoint.inventory.domain import StockKey
from omnipoint.inventory.errors import (
    CountBelowReservedError,
)
from omnipoint.inventory.models import (
    CountState,
    CycleCount,
    CycleCountLine,
    MovementKind,
    StockLevel,
    StockMovement,
)
from omnipoint.inventory.services._base import _authorize, _check_skus, _ensure_rows, _movement, _user_id
from omnipoint.outlets.domain import Perm, StaffActor


def _open_count(count_id: int, actor: StaffActor) -> CycleCount:
    count = CycleCount.objects.filter(pk=count_id).first()
    if count is None:
        raise NotFoundError(f"count {count_id} not found", code="count_not_found")
    try:
        _authorize(actor, Perm.COUNT, [count.location_id])
    except NotFoundError:  # outside the scope looks like an unknown id, as in count_get
        raise NotFoundError(f"count {count_id} not found", code="count_not_found") from None
    if count.state != CountState.OPEN:
        raise InvalidStateError(
            f"count {count_id} is {count.state}", code="count_not_open", state=count.state
        )
    return count


@transaction.atomic
def count_open(*, actor: StaffActor, location_id: int, sku_ids: Iterable[int] | None = None) -> CycleCount:
    """Start a count of some SKUs (default: everything the location stocks)."""
    _authorize(actor, Perm.COUNT, [location_id])
    if sku_ids is None:
        ids = list(
            StockLevel.objects.filter(location_id=location_id)
            .order_by("sku_id")
            .values_list("sku_id", flat=True)
        )
    else:
        ids = sorted(set(sku_ids))
        _check_skus(ids)
    if not ids:
        raise ValidationError("nothing to count", code="no_lines")
    count = CycleCount.objects.create(location_id=location_id, created_by_id=_user_id(actor))
    CycleCountLine.objects.bulk_create([CycleCountLine(count=count, sku_id=s) for s in ids])
    return count


@transaction.atomic
def count_record(*, actor: StaffActor, count_id: int, sku_id: int, counted: int) -> CycleCountLine:
    """Record what is on the shelf. A SKU found that was not on the list joins the count."""
    require_quantity(counted, allow_zero=True, field="counted")
    count = _open_count(count_id, actor)
    _check_skus([sku_id])
    line, _ = CycleCountLine.objects.get_or_create(count=count, sku_id=sku_id)
    line.counted = counted
    line.save(update_fields=["counted"])
    return line


@transaction.atomic
def count_post(*, actor: StaffActor, count_id: int) -> CycleCount:
    """Make the books match the shelf: post a correction for each counted line.

    Compare-and-set on the on-hand figure read, retried if a sale slips in between. A count
    below what is reserved for customers is refused: those holds must be resolved first.
    """
    count = _open_count(count_id, actor)
    if (
        CycleCount.objects.filter(pk=count.pk, state=CountState.OPEN).update(
            state=CountState.POSTED, posted_at=timezone.now()
        )
        != 1
    ):
        raise InvalidStateError(f"count {count_id} is no longer open", code="count_not_open")
    lines = [ln for ln in count.lines.order_by("sku_id") if ln.counted is not None]
    if not lines:
        raise ValidationError("no line has been counted", code="nothing_counted")
    _ensure_rows(StockKey(count.location_id, ln.sku_id) for ln in lines)
    movements = []
    for line in lines:
        key = StockKey(count.location_id, line.sku_id)
        for _attempt in range(20):
            row = StockLevel.objects.get(location_id=key.location_id, sku_id=key.sku_id)
            if line.counted < row.reserved:  # type: ignore[operator]
                raise CountBelowReservedError(
                    f"counted {line.counted} of SKU {line.sku_id} but {row.reserved} are reserved",
                    sku_id=line.sku_id,
                    counted=line.counted,
                    reserved=row.reserved,
                )
            if (
                StockLevel.objects.filter(pk=row.pk, on_hand=row.on_hand, reserved__lte=line.counted).update(
                    on_hand=line.counted
                )
                == 1
            ):
                break
        else:
            raise ConflictError(
                "stock kept changing while posting the count; try again", code="count_contended"
            )
        line.expected, line.correction = row.on_hand, line.counted - row.on_hand  # type: ignore[operator]
        line.save(update_fields=["expected", "correction"])
        if line.correction:
            movements.append(
                _movement(key, MovementKind.COUNT_CORRECTION, line.correction, f"count:{count.pk}", actor)
            )
    StockMovement.objects.bulk_create(movements)
    count.refresh_from_db()
    return count
