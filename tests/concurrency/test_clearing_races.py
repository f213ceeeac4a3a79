"""Two closes of one business day at once (real threads, PostgreSQL): one run, one set of
figures, equal to what the day's facts say; a clerk's shift opened and closed by racing
requests: one shift, closed once."""

import pytest
from django.utils import timezone

from omnipoint.clearing import services
from omnipoint.clearing.models import ClearingFigure, ClearingRun, CounterShift
from omnipoint.clearing.tests.story import (
    counter_sale,
    days_ago,
    move_to_day,
    naive_figures,
    stored,
    story_start,
)
from omnipoint.core.errors import ConflictError
from omnipoint.outlets.domain import SystemActor
from omnipoint.outlets.selectors import actor_get
from omnipoint.testing import user_of

from .threads import raised, run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def test_two_closes_of_one_day_at_once_leave_one_result(regions):
    story = story_start()
    day = days_ago(1)
    since = timezone.now()
    counter_sale(story, "A", 0, 2, "cash")
    counter_sale(story, "C", 1, 1, "split")
    move_to_day(since, day)

    results = run_together(
        [lambda i=i: services.day_close(actor=SystemActor(task=f"close-{i}"), day=day) for i in range(4)]
    )
    assert not raised(results), raised(results)
    assert sorted(r.created for r in results) == [False, False, False, True]
    assert len({r.run.pk for r in results}) == 1
    assert ClearingRun.objects.count() == 1
    assert stored(day, day) == naive_figures(day)
    rows = list(ClearingFigure.objects.values_list("node", "channel", "method", "measure"))
    assert len(rows) == len(set(rows))


def test_a_clerk_opens_one_shift_and_closes_it_once_however_often_at_once(network):
    clerk = actor_get(user=user_of("outlet_clerk"))
    opened = run_together(
        [lambda: services.shift_open(actor=clerk, outlet_id=network.a.pk) for _ in range(4)]
    )
    errors = raised(opened)
    assert len(errors) == 3 and all(getattr(e, "code", "") == "shift_already_open" for e in errors), errors
    shift = CounterShift.objects.get()

    closed = run_together(
        [lambda i=i: services.shift_close(actor=clerk, shift_id=shift.pk, declared_cash=i) for i in range(4)]
    )
    errors = raised(closed)
    assert len(errors) == 3 and all(isinstance(e, ConflictError) for e in errors), errors
    shift.refresh_from_db()
    assert shift.closed_at is not None and shift.declared_cash in range(4)
