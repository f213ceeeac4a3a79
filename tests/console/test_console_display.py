"""What the console shows, worded and timed as staff read it: the handheld queue's waiting
task in one sentence with the time in Shanghai (the routing stores UTC)."""

from zoneinfo import ZoneInfo

import pytest
from django.utils.dateparse import parse_datetime
from tests.console.test_console_orders import login, web_pickup

from omnipoint.inventory.services import stock_adjust
from omnipoint.outlets.domain import SYSTEM

pytestmark = pytest.mark.django_db


def test_a_waiting_task_says_when_it_is_expected_in_shanghai_time(client, network):
    sku = network.skus[1]
    stock_adjust(actor=SYSTEM, location_id=network.b.pk, sku_id=sku.pk, delta=-10, reason="empty B")
    order = web_pickup(network.b, sku, quantity=3)  # the goods come from another location
    at = parse_datetime(order.routing["expected_ready_at"])
    assert at is not None and at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    local = at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")

    page = login(client, "city_manager").get(f"/console/queue/?outlet={network.b.pk}")
    html = page.content.decode()
    assert f"等待调拨到货，预计 {local} 备好。" in html
    assert "账面数" not in html
    detail = client.get(f"/console/orders/{order.pk}/").content.decode()
    assert f'<span data-testid="expected-ready">{local}</span>' in detail
