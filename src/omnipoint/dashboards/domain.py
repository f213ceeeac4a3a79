"""The rules of a dashboard, with no ORM: the period it covers, and the figures derived from
the sums the selectors read (average order value, repeat-purchase rate)."""

from dataclasses import dataclass
from datetime import date, timedelta

from omnipoint.clearing.domain import parse_day
from omnipoint.core.errors import ValidationError

DEFAULT_DAYS = 14  # a dashboard shows the last two weeks unless asked for another period
MAX_DAYS = 92  # a quarter: longer belongs in the books' exports
TOP = 10  # rows of a ranking


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def period_parse(first: str, last: str, *, today: date) -> Period:
    """The days a dashboard covers, as the client wrote them (``YYYY-MM-DD``, Asia/Shanghai):
    blank ``last`` is today, blank ``first`` the two weeks up to ``last``. A day after today,
    ``first`` after ``last`` or more than ``MAX_DAYS`` days are refused."""
    end = parse_day(last) if last else today
    start = parse_day(first) if first else end - timedelta(days=DEFAULT_DAYS - 1)
    if end > today or start > today:
        raise ValidationError(
            f"{max(start, end)} has not happened yet", code="day_in_future", today=today.isoformat()
        )
    if start > end:
        raise ValidationError(f"{start} is after {end}", code="invalid_range")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError(
            f"a dashboard covers at most {MAX_DAYS} days", code="range_too_long", max_days=MAX_DAYS
        )
    return Period(start, end)


def average(total: int, count: int) -> int | None:
    """A total shared over a count, in whole fen (None when there is nothing to share)."""
    return round(total / count) if count else None


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
