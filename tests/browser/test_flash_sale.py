"""A flash sale end to end: a city manager sets a pool aside in the console, a member grabs a
unit on their phone and checks it out, another takes the rest, the page puts the first in line
and tells them when units come back, and ending the sale hands what is left back to the outlets."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from omnipoint.flashsales import services
from omnipoint.flashsales.models import FlashSale
from omnipoint.flashsales.tests.helpers import buyer
from omnipoint.inventory.checks import inventory_breaches
from omnipoint.inventory.models import StockLevel
from omnipoint.inventory.services import reservations_expire
from omnipoint.outlets.domain import SYSTEM

from .conftest import customer_context, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pool_set_aside_taken_then_handed_back(browser, live_network, live_server, desktop):
    net, base = live_network, live_server.url
    log_in(desktop, base, "city_manager")
    desktop.goto(f"{base}/console/flash/")
    local = timezone.localtime()
    desktop.fill("input[name=name]", "数据线秒杀")
    desktop.select_option("select[name=sku]", label="CABLE-1M")
    desktop.fill("input[name=starts_at]", (local - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"))
    desktop.fill("input[name=ends_at]", (local + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    desktop.fill("input[name=limit]", "2")
    desktop.get_by_test_id("q-SH-A").fill("2")
    desktop.get_by_test_id("q-SH-B").fill("1")
    desktop.get_by_test_id("flash-form").locator("button[type=submit]").click()
    expect(desktop.get_by_test_id("flash-available")).to_have_text("3")
    sale = FlashSale.objects.get()
    cable = net.skus[2]
    assert StockLevel.objects.get(location=net.a, sku=cable).on_hand == 8

    first, _ = buyer(1)
    client = Client()
    client.force_login(first.user)
    context = customer_context(browser)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    phone = context.new_page()
    phone.goto(f"{base}/shop/flash/")
    phone.get_by_test_id("flash-sale-link").click()
    expect(phone.get_by_test_id("stand")).to_have_attribute("data-stand", "your_turn")
    phone.get_by_test_id("flash-claim").click()
    expect(phone.get_by_test_id("stand")).to_have_attribute("data-stand", "claimed")
    phone.get_by_test_id("flash-order").click()
    phone.wait_for_url(f"{base}/shop/orders/**")

    services.flash_claim(actor=buyer(2)[1], sale_id=sale.pk, quantity=2)  # the rest, under load
    phone.goto(f"{base}/shop/flash/{sale.pk}/")
    expect(phone.get_by_test_id("stand")).to_have_attribute("data-stand", "full")
    phone.get_by_test_id("flash-claim").click()  # join the line
    expect(phone.get_by_test_id("stand")).to_have_attribute("data-stand", "in_line")
    shot(phone, "flash-in-line-phone")
    reservations_expire(actor=SYSTEM, now=timezone.now() + timedelta(hours=1))  # the rest lapses
    expect(phone.get_by_test_id("stand")).to_have_attribute("data-stand", "your_turn")  # told by polling

    desktop.goto(f"{base}/console/flash/{sale.pk}/")
    desktop.get_by_test_id("flash-end").click()
    expect(desktop.get_by_test_id("flash-returned")).to_have_text("2")
    expect(desktop.get_by_test_id("returned-SH-A")).to_have_text("1")
    expect(desktop.get_by_test_id("returned-SH-B")).to_have_text("1")
    shot(desktop, "flash-handed-back-desktop")
    assert StockLevel.objects.get(location=net.a, sku=cable).on_hand == 9
    assert StockLevel.objects.get(location=net.b, sku=cable).on_hand == 10
    assert inventory_breaches() == []
    context.close()
