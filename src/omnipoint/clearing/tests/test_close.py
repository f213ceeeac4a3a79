"""The business-day close through the real services: figures equal to a naive computation,
idempotent re-runs, locked days, days in order, and a late refund booked as an adjustment."""

from datetime import timedelta

import pytest
from django.utils import timezone

from omnipoint.clearing import services
from omnipoint.clearing.domain import Cell, Measure, business_today
from omnipoint.clearing.models import ClearingFigure, ClearingRun
from omnipoint.core.errors import ConflictError, PermissionDeniedError, ValidationError
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.models import Payment
from omnipoint.testing import user_of

from .story import (
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


@pytest.fixture
def story():
    return story_start()


def _day_one(story, day):
    since = timezone.now()
    counter_sale(story, "A", 0, 2, "cash", credited=True)
    counter_sale(story, "C", 1, 1, "split", coupon=True)
    counter_sale(story, "B", 2, 1, "points", coupon=True)
    pickup_paid_at_outlet(story, "hotline", "A", 2)
    refund_part(story, 0)
    refund_part(story, 3)  # the points sale's points
    refund_part(story, 1)  # the wallet part of the split sale
    return_one(story, 0, "B")  # of the credited sale: commission reversed
    topup_at_counter(story, "A", "till-1")
    topup_online(story, 88_00)
    points_lapse(story, "one")
    move_to_day(since, day)


def test_a_day_closes_to_the_naive_figures(story):
    d1 = days_ago(2)
    _day_one(story, d1)
    result = services.day_close(actor=SYSTEM, day=d1)
    assert result.created
    expected = naive_figures(d1)
    assert stored(d1, d1) == expected
    assert {c.measure for c in expected} >= {
        Measure.ORDERS, Measure.PAID, Measure.REFUNDED, Measure.POINTS_ISSUED, Measure.POINTS_SPENT,
        Measure.WALLET_SPENT, Measure.TOPUP_PRINCIPAL, Measure.POINTS_CLAWED_BACK, Measure.POINTS_EXPIRED,
        Measure.COMMISSION_ACCRUED, Measure.DISCOUNT_COUPONS, Measure.DISCOUNT_PROMOTIONS, Measure.COMMISSION_REVERSED, Measure.POINTS_RETURNED, Measure.WALLET_RETURNED,
    }  # fmt: skip
    online = Cell(None, "web", "online", Measure.TOPUP_PRINCIPAL)
    assert expected[online] == 88_00 and stored(d1, d1, levels=("unassigned",)) == {
        k: v for k, v in expected.items() if k.outlet_id is None
    }
    hq_online = ClearingFigure.objects.get(day=d1, node="hq", channel="web", measure=Measure.TOPUP_PRINCIPAL)
    assert hq_online.value == 88_00
    hq = {
        r.measure: r.value
        for r in ClearingFigure.objects.filter(day=d1, node="hq", channel="pos", method="cash")
    }
    cash = sum(
        v for c, v in expected.items() if c.channel == "pos" and c.method == "cash" and c.measure == "paid"
    )
    assert hq["paid"] == cash


def test_closing_again_is_idempotent_and_a_changed_day_is_locked(story):
    d1 = days_ago(2)
    _day_one(story, d1)
    first = services.day_close(actor=SYSTEM, day=d1)
    count = ClearingFigure.objects.count()
    again = services.day_close(actor=SYSTEM, day=d1)
    assert (again.run.pk, again.created, ClearingFigure.objects.count()) == (first.run.pk, False, count)

    since = timezone.now()
    refund_part(story, 1)  # recorded now, but it belongs to the closed day
    move_to_day(since, d1, hour=20)
    with pytest.raises(ConflictError) as refused:
        services.day_close(actor=SYSTEM, day=d1)
    assert refused.value.code == "day_locked"
    assert ClearingFigure.objects.count() == count


def test_a_late_refund_lands_in_the_next_day_as_an_adjustment(story):
    d1, d2 = days_ago(3), days_ago(2)
    _day_one(story, d1)
    services.day_close(actor=SYSTEM, day=d1)
    before = naive_figures(d1)

    since = timezone.now()
    counter_sale(story, "A", 2, 1, "cash")
    move_to_day(since, d2)
    since = timezone.now()
    refund_part(story, 0)  # late: recorded after d1 was closed, for a d1 payment
    move_to_day(since, d1, hour=23)

    services.day_close(actor=SYSTEM, day=d2)
    assert stored(d2, d2) == naive_figures(d2)
    after = naive_figures(d1)
    correction = {k: after.get(k, 0) - before.get(k, 0) for k in set(after) | set(before)}
    assert stored(d2, d1) == {k: v for k, v in correction.items() if v}
    assert any(c.measure == Measure.REFUNDED and v == 1_00 for c, v in stored(d2, d1).items())
    # d1's books, close and adjustment together, now say what its facts say: re-running it is a no-op
    assert services.day_close(actor=SYSTEM, day=d1).created is False


def test_days_close_once_over_and_in_order(story):
    today = business_today(timezone.now())
    for day, code in ((today, "day_not_over"), (today + timedelta(days=3), "day_not_over")):
        with pytest.raises(ValidationError) as refused:
            services.day_close(actor=SYSTEM, day=day)
        assert refused.value.code == code
    services.day_close(actor=SYSTEM, day=days_ago(5))
    for day, code in ((days_ago(3), "previous_day_open"), (days_ago(6), "before_first_close")):
        with pytest.raises(ConflictError) as refused:
            services.day_close(actor=SYSTEM, day=day)
        assert refused.value.code == code
    assert list(ClearingRun.objects.values_list("day", flat=True)) == [days_ago(5)]
    results = services.days_close_due(actor=SYSTEM)
    assert [r.run.day for r in results] == [days_ago(4), days_ago(3), days_ago(2), days_ago(1)]


def test_a_clerk_may_not_close_a_day(story):
    with pytest.raises(PermissionDeniedError):
        services.day_close(actor=actor_get(user=user_of("outlet_clerk")), day=days_ago(1))
    assert not ClearingRun.objects.exists()


def test_the_manager_of_an_outlet_closes_the_day_too(story):
    d1 = days_ago(1)
    since = timezone.now()
    sale = counter_sale(story, "A", 0, 1, "cash")
    move_to_day(since, d1)
    result = services.day_close(actor=actor_get(user=user_of("outlet_manager")), day=d1)
    assert result.created and result.run.closed_by_id == user_of("outlet_manager").pk
    cell = Cell(story.net.a.pk, "pos", "cash", Measure.PAID)
    assert stored(d1, d1)[cell] == Payment.objects.get(order_id=sale.pk).amount


def test_the_scheduled_task_closes_yesterday_after_two(story, monkeypatch):
    from omnipoint.clearing import tasks

    monkeypatch.setattr(tasks, "close_is_due", lambda now: False)
    assert tasks.close_yesterday.call_local() == []
    monkeypatch.setattr(tasks, "close_is_due", lambda now: True)
    assert tasks.close_yesterday.call_local() == [str(days_ago(1))]
    assert ClearingRun.objects.get().task == "clearing.close_yesterday"
    assert tasks.close_yesterday.call_local() == []


def test_a_late_sale_and_payment_land_in_the_next_day_too(story):
    d1, d2 = days_ago(2), days_ago(1)
    services.day_close(actor=SYSTEM, day=d1)
    since = timezone.now()
    sale = counter_sale(story, "B", 1, 1, "cash")  # its notification, say, came after the close
    move_to_day(since, d1, hour=23)
    services.day_close(actor=SYSTEM, day=d2)
    paid = Payment.objects.get(order_id=sale.pk).amount
    correction = stored(d2, d1)
    assert correction[Cell(story.net.b.pk, "pos", "cash", Measure.PAID)] == paid
    assert correction[Cell(story.net.b.pk, "pos", "", Measure.ORDERS)] == 1
    assert correction == naive_figures(d1) and stored(d2, d2) == {}
    hq = ClearingFigure.objects.get(day=d2, corrects=d1, node="hq", measure=Measure.NET)
    assert hq.value == paid
