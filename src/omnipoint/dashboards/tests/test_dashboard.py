"""A manager's dashboard over a closed day and today: the closed day's figures are its close's,
today's are live from the facts, each node sees its subtree, and the API, the console home and
its CSV say the same."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from omnipoint.clearing import services
from omnipoint.clearing.domain import Measure, business_today
from omnipoint.clearing.models import ClearingFigure
from omnipoint.clearing.tests.story import (
    counter_sale,
    days_ago,
    move_to_day,
    pickup_paid_at_outlet,
    story_start,
)
from omnipoint.dashboards import charts, selectors
from omnipoint.dashboards.domain import Period
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def books():
    story = story_start()
    yesterday = days_ago(1)
    since = timezone.now()
    counter_sale(story, "A", 0, 2, "cash")
    counter_sale(story, "C", 1, 1, "cash")
    pickup_paid_at_outlet(story, "hotline", "B", 2)
    move_to_day(since, yesterday)
    services.day_close(actor=SYSTEM, day=yesterday)
    counter_sale(story, "A", 2, 1, "cash")  # today, live
    return story, Period(yesterday, business_today(timezone.now()))


def _dash(persona, period, node=""):
    return selectors.dashboard_get(actor=actor_get(user=user_of(persona)), period=period, node_key=node)


def _closed(node, day, measure):
    rows = ClearingFigure.objects.filter(node=node, corrects=day, measure=measure)
    return sum(rows.values_list("value", flat=True))


def test_closed_days_are_the_close_and_today_is_live(books):
    story, period = books
    d = _dash("hq_admin", period)
    closed, today = d.days
    assert closed.closed and not today.closed
    assert closed.sales == _closed("hq", period.first, Measure.SALES) > 0
    assert closed.orders == 3 and today.orders == 1
    assert d.tiles.sales == closed.sales + today.sales and d.tiles.orders == 4
    assert d.tiles.average_order == round(d.tiles.sales / 4)
    assert d.tiles.net == d.tiles.paid == sum(d.by_method.values())
    assert set(d.by_method) == {"cash", "at_outlet"} and set(d.by_channel) == {"pos", "hotline"}
    assert (d.tiles.customers, d.tiles.repeat_customers, d.tiles.repeat_rate) == (1, 1, 1.0)
    assert [r.code for r in d.ranking][0] == "SH-A" and {r.code for r in d.ranking} == {
        "SH-A",
        "SH-B",
        "NJ-C",
    }
    assert sum(r.sales for r in d.ranking) == d.tiles.sales


def test_each_node_sees_its_subtree_and_its_parts_add_up(books):
    story, period = books
    hq = _dash("hq_admin", period)
    shanghai = _dash("city_manager", period)
    nanjing = _dash("hq_admin", period, node=f"outlet:{story.net.c.pk}")
    assert {r.code for r in shanghai.ranking} == {"SH-A", "SH-B"}
    assert shanghai.tiles.sales + nanjing.tiles.sales == hq.tiles.sales
    assert [x.sales for x in shanghai.days] == [
        a.sales - b.sales for a, b in zip(hq.days, nanjing.days, strict=True)
    ]
    clerk = _dash("outlet_clerk", period)
    assert clerk.node.key == f"outlet:{story.net.a.pk}" and clerk.ranking == []
    assert clerk.tiles.orders == 2 and {p.sku_code for p in clerk.top_products} <= {
        s.code for s in story.net.skus
    }


def test_the_home_page_its_csv_and_the_api_agree(books, client):
    story, period = books
    client.force_login(user_of("city_manager"))
    query = f"?first={period.first}&last={period.last}"
    api = client.get(f"/api/v1/dashboards{query}").json()
    page = client.get(f"/console/{query}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    d = _dash("city_manager", period)
    for tile in charts.tiles(d):
        assert (
            f'data-figure="{tile.key}"><span class="muted">{tile.label}</span><strong>{tile.text}</strong>'
            in page
        )
    assert api["tiles"]["sales"] == d.tiles.sales and [x["sales"] for x in api["days"]] == [
        x.sales for x in d.days
    ]
    assert 'id="dash-charts"' in page and 'data-chart="sales_by_day"' in page
    csv = client.get(f"/console/dashboard/ranking.csv{query}").content.decode("utf-8-sig").splitlines()
    assert csv[0] == "网点,编码,订单数,销售额" and len(csv) == 3


def test_a_bad_period_or_node_is_refused_with_a_code(books, client):
    story, period = books
    client.force_login(user_of("outlet_clerk"))
    for query, status, code in (
        ("?first=2026/12/01", 422, "invalid_day"),
        ("?last=2999-01-01", 422, "day_in_future"),
        (f"?first={period.last}&last={period.first}", 422, "invalid_range"),
        ("?first=2000-01-01", 422, "range_too_long"),
        (f"?node=outlet:{story.net.c.pk}", 404, "node_not_found"),
    ):
        r = client.get(f"/api/v1/dashboards{query}")
        assert (r.status_code, r.json()["code"]) == (status, code), query
    page = client.get("/console/?last=2999-01-01")
    assert page.status_code == 200 and "尚未到来" in page.content.decode()
    assert client.get(f"/console/dashboard/top_products.csv?node=outlet:{story.net.c.pk}").status_code == 404
    assert client.get("/console/dashboard/nothing.csv").status_code == 404


def test_a_login_without_a_staff_role_sees_no_dashboard(books, client):
    client.force_login(get_user_model().objects.create_user("shopper", password="x" * 12))
    assert client.get("/api/v1/dashboards").status_code == 403
    assert client.get("/console/dashboard/sales_by_day.csv").status_code == 403


def test_open_differences_and_overdue_tickets_are_counted_at_the_node(settings, client):
    """A lost notification at A and one at C, a complaint at A late for its first response and
    one at C in time: each manager counts their node's, HQ every one and any node's; a clerk's
    dashboard has no differences (no books), a clerk's tickets are their outlet's."""
    from datetime import timedelta

    from omnipoint.aftersales import services as tickets
    from omnipoint.aftersales.models import Ticket
    from omnipoint.members.selectors import actor_for_user
    from omnipoint.payments import sandbox
    from omnipoint.payments import services as payments
    from omnipoint.payments.tests.conftest import SECRET, make_shopper, place
    from omnipoint.reconciliation import services as recon
    from omnipoint.reconciliation.tests.world import day_build, to_yesterday

    settings.SANDBOX_GATEWAY, settings.SANDBOX_PAY_SECRET = True, SECRET
    settings.SITE_URL = "http://testserver"
    day = day_build(paid=1, lost=1, refunds=0)  # the lost one is picked up at A
    net, shopper = day.net, make_shopper("13910000399")
    at_c = place(shopper.user, net.c, sku=net.skus[0])
    sandbox.charge_pay(
        ref=payments.payment_start(actor=actor_for_user(user=shopper.user), order_id=at_c.pk).provider_ref
    )
    to_yesterday(day.day)
    recon.statement_import(actor=SYSTEM, day=day.day, content=sandbox.statement_build(day=day.day))
    for order in (day.lost[0].order_id, at_c.pk):
        tickets.ticket_open(actor=SYSTEM, order_id=order, kind="complaint", description="无人接听")
    Ticket.objects.filter(outlet=net.a).update(respond_by=timezone.now() - timedelta(hours=1))
    today = business_today(timezone.now())
    period = Period(today, today)

    def counts(persona, node=""):
        d = _dash(persona, period, node)
        return d.tiles.pending_differences, d.tiles.overdue_tickets, d.overdue.open if d.overdue else None

    assert counts("hq_admin") == (2, 1, 2)
    assert counts("hq_admin", f"outlet:{net.c.pk}") == (1, 0, 1)
    assert counts("city_manager") == counts("outlet_manager") == (1, 1, 1)
    assert counts("outlet_clerk") == (None, 1, 1) and counts("other_city_clerk") == (None, 0, 1)
    assert _dash("hq_admin", period).differences["lost_notification"] == 2

    client.force_login(user_of("city_manager"))
    api = client.get("/api/v1/dashboards").json()
    assert (api["tiles"]["pending_differences"], api["overdue"]["by_kind"]["complaint"]) == (1, 1)
    page = client.get("/console/").content.decode()
    assert '<span class="muted">待处理对账差异</span><strong>1</strong>' in page
    assert '<span class="muted">超时工单</span><strong>1</strong><a href="/console/tickets/overdue/">' in page
    assert "/console/reconciliation/" not in page  # finance at HQ reconciles, not the city
