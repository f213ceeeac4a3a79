"""Pure inventory rules: line normalisation and lock order. No ORM."""

from collections.abc import Iterable
from dataclasses import dataclass

from omnipoint.core.errors import ValidationError, require_quantity

MAX_LINES = 200


@dataclass(frozen=True, order=True)
class StockKey:
    """(location, sku): the unit of stock, and the order rows are locked in."""

    location_id: int
    sku_id: int


def normalise_lines(lines: Iterable[tuple[int, int, int]]) -> list[tuple[StockKey, int]]:
    """Merge repeated (location, sku) pairs and sort by key.

    Every multi-row stock change walks rows in this one order, so two transactions touching
    the same rows queue behind each other instead of deadlocking.
    """
    merged: dict[StockKey, int] = {}
    for location_id, sku_id, quantity in lines:
        require_quantity(quantity)
        key = StockKey(location_id, sku_id)
        merged[key] = require_quantity(merged.get(key, 0) + quantity)
    if not merged:
        raise ValidationError("at least one line is needed", code="no_lines")
    if len(merged) > MAX_LINES:
        raise ValidationError(f"at most {MAX_LINES} lines", code="too_many_lines")
    return sorted(merged.items())
