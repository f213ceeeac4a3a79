from datetime import date

import pytest

from omnipoint.core.errors import ValidationError
from omnipoint.dashboards.domain import MAX_DAYS, average, period_parse, share
from omnipoint.funnel.domain import Funnel

TODAY = date(2026, 12, 7)


def test_a_blank_period_is_the_two_weeks_up_to_today():
    p = period_parse("", "", today=TODAY)
    assert (p.first, p.last, len(p.days)) == (date(2026, 11, 24), TODAY, 14)
    assert period_parse("2026-12-01", "2026-12-03", today=TODAY).days == [
        date(2026, 12, 1),
        date(2026, 12, 2),
        date(2026, 12, 3),
    ]


@pytest.mark.parametrize(
    ("first", "last", "code"),
    [
        ("2026-12-1", "", "invalid_day"),
        ("", "07/12/2026", "invalid_day"),
        ("", "2026-12-08", "day_in_future"),
        ("2026-12-08", "", "day_in_future"),
        ("2026-12-05", "2026-12-04", "invalid_range"),
        ("2026-09-01", "2026-12-07", "range_too_long"),
    ],
)
def test_a_bad_period_is_refused_with_its_code(first, last, code):
    with pytest.raises(ValidationError) as e:
        period_parse(first, last, today=TODAY)
    assert e.value.code == code


def test_the_longest_period_is_a_quarter():
    assert len(period_parse("2026-09-07", "", today=TODAY).days) == MAX_DAYS


def test_shares_and_averages_of_nothing_are_none():
    assert average(1000, 3) == 333 and average(5, 0) is None
    assert share(1, 3) == 0.3333 and share(0, 0) is None
    assert Funnel(0, 0, 0).rate("order") is None and Funnel(8, 4, 2).rate("order") == 0.25
