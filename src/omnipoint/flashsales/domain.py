"""The rules of a flash sale, without the database: where a buyer stands, how what is left of
the pool goes back to the outlets, who sees a sale."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from omnipoint.core.errors import ValidationError

MAX_WINDOW = timedelta(days=7)
MAX_LIMIT = 10


class Stand(StrEnum):
    """Where a buyer stands (worded by the pages, ``flashsales/explain.py``)."""

    NOT_STARTED = "not_started"
    YOUR_TURN = "your_turn"  # units are free: claim now
    CLAIMED = "claimed"  # units are held for you: check out before the claim lapses
    IN_LINE = "in_line"  # the pool is empty but claims are open: units may come back (position)
    FULL = "full"  # as IN_LINE, for someone not in the line yet
    SOLD_OUT = "sold_out"  # nothing free and nothing held: nothing will come back
    LIMIT_REACHED = "limit_reached"
    ENDED = "ended"


@dataclass(frozen=True)
class Standing:
    stand: Stand
    available: int
    params: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"stand": self.stand.value, "available": self.available, **self.params}


def standing(
    *,
    now: datetime,
    starts_at: datetime,
    ends_at: datetime,
    is_open: bool,
    available: int,
    held: int,
    open_claims: int,
    units: int,
    limit: int,
    position: int | None,
) -> Standing:
    """``available``: free units in the pool; ``held``: units claimed and not yet checked out or
    lapsed; ``open_claims``: this buyer's claims awaiting checkout; ``units``: what they claimed
    in all; ``position``: their place among the waiters (1 is next), None when not in line."""
    if open_claims:
        return Standing(Stand.CLAIMED, available, {"claims": open_claims})
    if not is_open or now >= ends_at:
        return Standing(Stand.ENDED, available)
    if now < starts_at:
        return Standing(Stand.NOT_STARTED, available, {"seconds": int((starts_at - now).total_seconds())})
    if units >= limit:
        return Standing(Stand.LIMIT_REACHED, available, {"limit": limit})
    if available > 0 and (position is None or position <= available):
        return Standing(Stand.YOUR_TURN, available)
    if held == 0 and available == 0:
        return Standing(Stand.SOLD_OUT, 0)
    if position is not None:
        return Standing(Stand.IN_LINE, available, {"position": position, "ahead": position - 1})
    return Standing(Stand.FULL, available)


def apportion(amount: int, weights: Mapping[int, int]) -> dict[int, int]:
    """``amount`` split in proportion to ``weights`` (largest remainder; ties to the lower key),
    never more than a weight when ``amount`` is at most their sum. What is left of a pool goes
    back by what each outlet gave and has not had back yet."""
    total = sum(w for w in weights.values() if w > 0)
    if amount < 0 or amount > total:
        raise ValueError(f"cannot split {amount} over {total}")
    if amount == 0:
        return {}
    keys = sorted(k for k, w in weights.items() if w > 0)
    floors = {k: amount * weights[k] // total for k in keys}
    rest = amount - sum(floors.values())
    by_remainder = sorted(keys, key=lambda k: (-(amount * weights[k] % total), k))
    for k in by_remainder[:rest]:
        floors[k] += 1
    return {k: q for k, q in floors.items() if q > 0}


def common_path(paths: Iterable[str]) -> str:
    """The deepest region path above all of them ("/31/3101/" of two Shanghai districts, "/"
    across provinces): the node that sees a sale of those outlets."""
    parts = [p.strip("/").split("/") for p in paths]
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return "/" + "".join(f"{c}/" for c in common)


def check_sale(
    *, starts_at: datetime, ends_at: datetime, now: datetime, per_member_limit: int, name: str
) -> None:
    if not name.strip() or len(name) > 60:
        raise ValidationError("a sale needs a name of 1..60 characters", code="invalid_name")
    if not (ends_at > starts_at and ends_at > now and ends_at - starts_at <= MAX_WINDOW):
        raise ValidationError(
            "the window must end after it starts, in the future, within 7 days", code="invalid_window"
        )
    if not 1 <= per_member_limit <= MAX_LIMIT:
        raise ValidationError(f"the limit per member is 1..{MAX_LIMIT}", code="invalid_limit")
