"""A city manager signs in and sees their dashboard on the console home: the charts drawn by
ECharts (a canvas in each), the tiles holding the API's figures, at phone width in Chinese and
in English (screenshots), nothing wider than the phone."""

import pytest
from django.test import Client
from django.utils import timezone
from tests.browser.conftest import PHONE, log_in, shot

from omnipoint.clearing import services
from omnipoint.clearing.tests.story import days_ago, move_to_day
from omnipoint.core.money import Money
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.services import LineRequest, order_place
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.services import payment_capture
from omnipoint.testing import user_of

WIDER = """() => [...document.querySelectorAll('body *')].filter(e => !e.closest('.scroll'))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(e => e.tagName + '.' + e.className + ' ' + (e.id || '')).slice(0, 8)"""
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sell(outlet, sku, qty: int) -> None:
    sale = order_place(
        actor=actor_for_user(user=user_of("hq_admin")), channel="pos", method="counter", payment_mode="counter",
        origin_outlet_id=outlet.pk, lines=[LineRequest(sku.pk, qty)],
    )  # fmt: skip
    payment_capture(actor=actor_get(user=user_of("hq_admin")), order_id=sale.pk, method="cash")


def test_a_manager_sees_their_dashboard_drawn_with_the_apis_figures(live_server, live_network, browser):
    net, base = live_network, live_server.url
    since = timezone.now()
    _sell(net.a, net.skus[0], 2)
    _sell(net.b, net.skus[2], 1)
    move_to_day(since, days_ago(1))
    services.day_close(actor=SYSTEM, day=days_ago(1))
    _sell(net.a, net.skus[2], 1)  # today, live
    api = Client().get("/api/v1/dashboards", **net.auth("city_manager")).json()
    assert api["tiles"]["orders"] == 3 and api["days"][-2]["closed"] and not api["days"][-1]["closed"]

    for lang, locale in (("zh", "zh-CN"), ("en", "en-US")):
        context = browser.new_context(viewport=PHONE, locale=locale, is_mobile=True, has_touch=True)
        context.set_default_timeout(10_000)
        page = context.new_page()
        log_in(page, base, "city_manager")
        for chart in ("sales_by_day", "by_channel", "by_method", "ranking", "top_products"):
            page.wait_for_selector(f"[data-chart='{chart}'] canvas")
        tiles = page.eval_on_selector_all(
            "[data-figure]",
            "els => Object.fromEntries(els.map(e => [e.dataset.figure, e.querySelector('strong').textContent]))",
        )
        t = api["tiles"]
        assert tiles["sales"] == str(Money(t["sales"])) and tiles["orders"] == str(t["orders"])
        assert tiles["average_order"] == str(Money(t["average_order"])) and tiles["net"] == str(
            Money(t["net"])
        )
        assert tiles["stock_outs"] == str(t["stock_outs"])
        assert (
            page.locator("h2#dash-title").inner_text().startswith("经营看板" if lang == "zh" else "Dashboard")
        )
        shot(page, f"dashboard_{lang}_phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, page.evaluate(
            WIDER
        )
        context.close()
