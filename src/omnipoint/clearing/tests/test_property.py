"""Random small business days told through the real services, closed, and checked against a
naive computation from the raw rows: the figures, every level of the tree summing to its
parent, and a late refund landing in the next day as an adjustment naming the day it corrects.
Few examples: each is two days of real orders."""

from collections import defaultdict
from datetime import date

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from omnipoint.clearing import services
from omnipoint.clearing.models import ClearingFigure
from omnipoint.outlets.domain import SYSTEM
from omnipoint.payments import services as payments
from omnipoint.payments.models import Payment

from .story import (
    Story,
    counter_sale,
    days_ago,
    move_to_day,
    naive_figures,
    pickup_paid_at_outlet,
    points_lapse,
    refund_part,
    return_one,
    stored,
    story_start,
    topup_at_counter,
    topup_online,
)

pytestmark = pytest.mark.django_db

OUTLET = st.sampled_from("ABC")
EVENT = st.one_of(
    st.tuples(st.just("sale"), OUTLET, st.integers(0, 2), st.integers(1, 2), st.sampled_from(["cash", "wallet", "points", "split"]), st.booleans(), st.booleans()),
    st.tuples(st.just("pickup"), st.sampled_from(["hotline", "pda"]), OUTLET, st.integers(0, 2)),
    st.tuples(st.just("refund"), st.integers(0, 5)),
    st.tuples(st.just("return"), st.integers(0, 3), OUTLET),
    st.tuples(st.just("topup"), OUTLET),
    st.tuples(st.just("online_topup"), st.integers(1, 500)),
    st.tuples(st.just("lapse")),
)  # fmt: skip


def _tell(story: Story, events: list[tuple], day: date) -> None:
    since = timezone.now()
    for i, (kind, *args) in enumerate(events):
        if kind == "sale":
            counter_sale(story, *args)
        elif kind == "pickup":
            pickup_paid_at_outlet(story, *args)
        elif kind == "refund":
            refund_part(story, *args)
        elif kind == "return":
            return_one(story, *args)
        elif kind == "online_topup":
            topup_online(story, args[0] * 100)
        elif kind == "lapse":
            points_lapse(story, key=f"{day}:{i}")
        else:
            topup_at_counter(story, *args, key=f"{day}:{i}")
    move_to_day(since, day)


def _parent(level: str, node: str, region_path: str) -> str | None:
    """Where a stored figure adds up into, read off its own columns."""
    if level == "hq":
        return None
    if level in ("outlet", "unassigned"):
        return region_path if level == "outlet" else "hq"
    above = node.rstrip("/").rsplit("/", 1)[0] + "/"
    return above if above != "/" else "hq"


def _assert_tree_sums(day: date, corrects: date) -> None:
    values: dict[tuple, int] = {}
    children: dict[tuple, int] = defaultdict(int)
    for r in ClearingFigure.objects.filter(day=day, corrects=corrects):
        cell = (r.channel, r.method, r.measure)
        values[(r.node, *cell)] = r.value
        parent = _parent(r.level, r.node, r.region_path)
        if parent is not None:
            children[(parent, *cell)] += r.value
    # a figure that comes to 0 is not stored: outlets whose net takings cancel leave no district row
    sums = {k: v for k, v in children.items() if v}
    assert sums == {k: v for k, v in values.items() if not k[0].startswith(("outlet:", "unassigned"))}


# No shrinking: an example is two days of real orders, and the failure shows every fact anyway.
@settings(
    max_examples=4,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    first=st.lists(EVENT, min_size=1, max_size=5),
    second=st.lists(EVENT, max_size=3),
    late=st.integers(0, 9),
)
def test_the_close_equals_a_naive_computation_and_sums_up_the_tree(story, first, second, late):
    d1, d2 = days_ago(3), days_ago(2)
    story.sales.clear()
    story.paid.clear()
    with transaction.atomic():
        anchor = Payment.objects.get(
            order_id=counter_sale(story, "A", 0, 1, "cash").pk
        ).pk  # refunded late, only then
        story.sales.clear()
        story.paid.clear()
        _tell(story, first, d1)
        assert services.day_close(actor=SYSTEM, day=d1).created
        before = naive_figures(d1)
        assert stored(d1, d1) == before
        _tell(story, second, d2)
        since = timezone.now()
        # recorded after the close, for a payment of the closed day
        payments.payment_refund(actor=story.hq, payment_id=anchor, amount=(late + 1) * 1_00, reason="late")
        move_to_day(since, d1, hour=23)
        assert services.day_close(actor=SYSTEM, day=d2).created

        assert stored(d2, d2) == naive_figures(d2)
        after = naive_figures(d1)
        correction = {k: after.get(k, 0) - before.get(k, 0) for k in set(after) | set(before)}
        assert stored(d2, d1) == {k: v for k, v in correction.items() if v}
        assert any(c.measure == "refunded" for c in stored(d2, d1))
        for day, corrects in ((d1, d1), (d2, d2), (d2, d1)):
            _assert_tree_sums(day, corrects)
        count = ClearingFigure.objects.count()
        assert not services.day_close(actor=SYSTEM, day=d1).created
        assert not services.day_close(actor=SYSTEM, day=d2).created
        assert ClearingFigure.objects.count() == count
        transaction.set_rollback(True)


@pytest.fixture
def story():
    return story_start()
