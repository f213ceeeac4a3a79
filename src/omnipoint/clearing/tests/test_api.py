"""The books through the API: a closed day's figures at each node, and bad input refused with a
stable code, changing nothing."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from omnipoint.clearing.domain import Measure, business_today
from omnipoint.clearing.models import ClearingFigure, ClearingRun, CounterShift

from .story import counter_sale, days_ago, move_to_day, naive_figures, refund_part, story_start

pytestmark = pytest.mark.django_db
V1 = "/api/v1/clearing"


@pytest.fixture
def story():
    return story_start()


def _books() -> tuple:
    return (
        list(ClearingRun.objects.values_list("day", "closed_at")),
        list(ClearingFigure.objects.order_by("pk").values_list()),
        list(CounterShift.objects.order_by("pk").values_list()),
    )


def _post(client, url, persona, story, body=None):
    return client.post(
        url, json.dumps(body or {}), content_type="application/json", **story.net.auth(persona)
    )


def _refused(resp, status: int, code: str) -> None:
    assert resp.status_code == status, resp.content[:300]
    assert resp.json()["code"] == code, resp.json()


def test_a_closed_day_reads_the_same_at_every_level(client, story):
    d1 = days_ago(1)
    since = timezone.now()
    counter_sale(story, "A", 0, 2, "cash")
    counter_sale(story, "C", 1, 1, "split")
    refund_part(story, 0)
    move_to_day(since, d1)
    resp = _post(client, f"{V1}/days/{d1}/close", "hq_admin", story)
    assert resp.status_code == 201, resp.content
    naive = naive_figures(d1)
    assert resp.json()["totals"]["net"] == sum(v for c, v in naive.items() if c.measure == Measure.NET)
    a = client.get(
        f"{V1}/days/{d1}", {"node": f"outlet:{story.net.a.pk}"}, **story.net.auth("outlet_manager")
    )
    mine = client.get(f"{V1}/days/{d1}", **story.net.auth("outlet_manager"))
    assert a.json() == mine.json() and a.json()["node"]["level"] == "outlet"
    paid_at_a = sum(
        v for c, v in naive.items() if c.outlet_id == story.net.a.pk and c.measure == Measure.PAID
    )
    assert a.json()["totals"]["paid"] == paid_at_a
    assert {(f["channel"], f["method"]) for f in a.json()["figures"] if f["measure"] == "paid"} == {
        ("pos", "cash")
    }
    again = _post(client, f"{V1}/days/{d1}/close", "city_manager", story)
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["node"]["key"] == "/31/3101/"


def test_bad_input_is_refused_and_changes_nothing(client, story):
    closed, today = days_ago(3), business_today(timezone.now())
    assert _post(client, f"{V1}/days/{closed}/close", "hq_admin", story).status_code == 201
    shift = _post(client, f"{V1}/shifts", "outlet_clerk", story, {"outlet_id": story.net.a.pk}).json()["id"]
    since = timezone.now()
    counter_sale(story, "A", 0, 1, "cash")
    move_to_day(since, closed, hour=22)  # a late fact for the closed day
    before = _books()
    for url, status, code in [
        (f"{V1}/days/{today}/close", 422, "day_not_over"),
        (f"{V1}/days/{today + timedelta(days=30)}/close", 422, "day_not_over"),
        (f"{V1}/days/2026-02-30/close", 422, "invalid_day"),
        (f"{V1}/days/yesterday/close", 422, "invalid_day"),
        (f"{V1}/days/{closed}/close", 409, "day_locked"),
        (f"{V1}/days/{closed + timedelta(days=2)}/close", 409, "previous_day_open"),
        (f"{V1}/days/{closed - timedelta(days=1)}/close", 409, "before_first_close"),
    ]:
        _refused(_post(client, url, "hq_admin", story), status, code)
    for query, persona, status, code in [
        ({"node": "outlet:999999"}, "hq_admin", 404, "node_not_found"),
        ({"node": "999999"}, "hq_admin", 404, "node_not_found"),
        ({"node": "nonsense"}, "hq_admin", 404, "node_not_found"),
        ({"node": f"outlet:{story.net.c.pk}"}, "city_manager", 404, "node_not_found"),
        ({"node": "hq"}, "outlet_manager", 404, "node_not_found"),
        ({}, "outlet_clerk", 403, "forbidden"),
    ]:
        _refused(client.get(f"{V1}/days/{closed}", query, **story.net.auth(persona)), status, code)
    _refused(
        client.get(f"{V1}/days/{closed - timedelta(days=1)}", **story.net.auth("hq_admin")),
        404,
        "day_not_closed",
    )
    _refused(client.get(f"{V1}/days/12-01-2026", **story.net.auth("hq_admin")), 422, "invalid_day")
    for body in ({"declared_cash": -1}, {"declared_cash": True}, {"declared_cash": "100"}, {"cash": 1}, {}):
        _refused(
            _post(client, f"{V1}/shifts/{shift}/close", "outlet_clerk", story, body), 422, "invalid_input"
        )
    _refused(
        _post(client, f"{V1}/shifts", "outlet_clerk", story, {"outlet_id": story.net.w.pk}),
        404,
        "outlet_not_found",
    )
    _refused(
        _post(client, f"{V1}/shifts/{shift}/close", "other_city_clerk", story, {"declared_cash": 0}),
        404,
        "shift_not_found",
    )
    assert _books() == before
