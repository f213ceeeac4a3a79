"""The close's pure rules, without a database."""

from datetime import UTC, date, datetime

import pytest

from omnipoint.clearing import domain
from omnipoint.clearing.domain import HQ_NODE, UNASSIGNED_NODE, Cell, Level, Measure, NodeCell
from omnipoint.core.errors import ConflictError, ValidationError

PATHS = {1: "/31/3101/310101/", 2: "/31/3101/310115/", 3: "/32/3201/320102/", 4: "/42/429004/"}


def test_a_figure_counts_at_its_outlet_and_every_node_above():
    cells = {Cell(1, "pos", "cash", Measure.PAID): 500, Cell(2, "pos", "cash", Measure.PAID): 300}
    rolled = domain.rollup(cells, PATHS)
    by_node = {k.node.key: v for k, v in rolled.items()}
    assert by_node == {
        "outlet:1": 500,
        "outlet:2": 300,
        "/31/3101/310101/": 500,
        "/31/3101/310115/": 300,
        "/31/3101/": 800,
        "/31/": 800,
        "hq": 800,
    }
    levels = {k.node.key: k.node.level for k in rolled}
    assert levels["/31/"] == Level.PROVINCE and levels["/31/3101/"] == Level.CITY
    assert levels["/31/3101/310115/"] == Level.DISTRICT and levels["outlet:1"] == Level.OUTLET


def test_facts_of_no_outlet_count_at_hq_only():
    rolled = domain.rollup({Cell(None, "web", "online", Measure.TOPUP_PRINCIPAL): 100}, PATHS)
    assert {k.node for k in rolled} == {UNASSIGNED_NODE, HQ_NODE}


def test_every_node_sums_to_its_parent():
    cells = {Cell(o, ch, "cash", Measure.PAID): o * 10 + len(ch) for o in PATHS for ch in ("pos", "pda")}
    cells[Cell(None, "web", "online", Measure.PAID)] = 7
    rolled = domain.rollup(cells, PATHS)
    for key, value in rolled.items():
        children = [
            v
            for k, v in rolled.items()
            if domain.node_parent(k.node) == key.node
            and (k.channel, k.method, k.measure) == (key.channel, key.method, key.measure)
        ]
        if key.node.level not in (Level.OUTLET, Level.UNASSIGNED):  # the leaves
            assert sum(children) == value, key
    assert rolled[NodeCell(HQ_NODE, "web", "online", Measure.PAID)] == 7


def test_a_county_under_its_province_rolls_up_without_a_city():
    assert [n.key for n in domain.ancestry(4, PATHS[4])] == ["outlet:4", "/42/429004/", "/42/", "hq"]
    assert domain.node_parent(domain.region_node("/42/429004/")).key == "/42/"


def test_net_is_taken_less_refunded():
    cells = {Cell(1, "pos", "cash", Measure.PAID): 500, Cell(1, "pos", "cash", Measure.REFUNDED): 200}
    assert domain.with_net(cells)[Cell(1, "pos", "cash", Measure.NET)] == 300
    assert Cell(1, "pos", "cash", Measure.NET) not in domain.with_net(
        {Cell(1, "pos", "cash", Measure.PAID): 0}
    )


def test_corrections_are_what_the_facts_say_now_less_what_was_booked():
    a, b, c = (
        Cell(1, "pos", "cash", "refunded"),
        Cell(1, "pos", "cash", "net"),
        Cell(2, "pos", "cash", "paid"),
    )
    assert domain.corrections({a: 300, b: -300, c: 5}, {a: 200, b: -200, c: 5}) == {a: 100, b: -100}
    assert domain.corrections({}, {c: 5}) == {c: -5}
    assert domain.corrections({c: 5}, {c: 5}) == {}


def test_a_business_day_is_a_day_in_shanghai():
    start, end = domain.day_bounds(date(2026, 12, 1))
    assert start == datetime(2026, 11, 30, 16, tzinfo=UTC) and end == datetime(2026, 12, 1, 16, tzinfo=UTC)
    assert domain.business_today(datetime(2026, 12, 1, 16, 30, tzinfo=UTC)) == date(2026, 12, 2)


@pytest.mark.parametrize(
    "text", ["2026-13-01", "2026-1-1", "yesterday", "", "2026-12-01T00:00", "２０２６-12-01"]
)
def test_a_malformed_day_is_refused(text):
    with pytest.raises(ValidationError) as refused:
        domain.parse_day(text)
    assert refused.value.code == "invalid_day"


def test_days_close_when_over_and_in_order():
    today = date(2026, 12, 10)
    domain.check_closable(date(2026, 12, 1), today=today, last_closed=None)
    domain.check_closable(date(2026, 12, 9), today=today, last_closed=date(2026, 12, 8))
    for day, last, code in [
        (today, None, "day_not_over"),
        (date(2026, 12, 11), date(2026, 12, 9), "day_not_over"),
        (date(2026, 12, 9), date(2026, 12, 7), "previous_day_open"),
        (date(2026, 12, 5), date(2026, 12, 7), "before_first_close"),
    ]:
        with pytest.raises((ValidationError, ConflictError)) as refused:
            domain.check_closable(day, today=today, last_closed=last)
        assert refused.value.code == code


def test_the_scheduled_close_catches_up_in_order():
    today = date(2026, 12, 10)
    assert domain.days_to_close(today=today, last_closed=None) == [date(2026, 12, 9)]
    assert domain.days_to_close(today=today, last_closed=date(2026, 12, 7)) == [
        date(2026, 12, 8),
        date(2026, 12, 9),
    ]
    assert domain.days_to_close(today=today, last_closed=date(2026, 12, 9)) == []


def test_a_shift_count_says_over_or_short():
    count = domain.ShiftCount(cash_taken=100_00, cash_refunded=20_00, declared=79_50)
    assert (count.expected, count.difference) == (80_00, -50)


def test_the_scheduled_close_waits_until_two_in_the_morning():
    assert not domain.close_is_due(datetime(2026, 12, 1, 17, 59, tzinfo=UTC))  # 01:59 in Shanghai
    assert domain.close_is_due(datetime(2026, 12, 1, 18, 0, tzinfo=UTC))  # 02:00
