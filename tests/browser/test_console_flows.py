"""A clerk's day in the console, in a real browser: sign in, switch language, find stock,
move it between outlets, count it."""

import re

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import log_in, shot

from omnipoint.inventory.models import StockLevel, Transfer, TransferState
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.services import staff_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_signs_in_and_switches_language(live_server, live_network, phone):
    page = phone
    page.goto(f"{live_server.url}/console/")
    expect(page).to_have_url(re.compile(r"/console/login/\?next="))
    expect(page.locator("h1")).to_have_text("登录")
    shot(page, "login-zh")
    log_in(page, live_server.url, "outlet_clerk")
    expect(page.locator("h1")).to_have_text("工作台")
    expect(page.locator("main")).to_contain_text(live_network.a.name)
    expect(page.locator("header nav")).to_contain_text("调拨")
    shot(page, "home-zh")

    page.select_option("select[name=language]", "en")
    expect(page.locator("h1")).to_have_text("Console")
    expect(page.locator("header nav")).to_contain_text("Transfers")
    expect(page.locator("body")).not_to_contain_text("调拨")
    shot(page, "home-en")

    page.select_option("select[name=language]", "zh-hans")
    expect(page.locator("h1")).to_have_text("工作台")


def test_stock_lookup_finds_a_sku_at_nearby_outlets(live_server, live_network, phone):
    page = phone
    log_in(page, live_server.url, "outlet_clerk")
    page.click("header nav >> text=库存查询")
    page.evaluate("window.__samePage = true")
    page.fill("input[name=radius]", "50")
    page.fill("input[name=q]", live_network.skus[0].barcode)  # as scanned
    rows = page.locator("table.nearby tbody tr")
    expect(rows).to_have_count(3)  # a, b and the warehouse; Nanjing is far away
    assert page.evaluate("window.__samePage === true")  # HTMX swapped the results in place
    expect(rows.first).to_have_attribute("data-outlet", "SH-A")
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.outlet)")) == {"SH-A", "SH-B", "SH-W"}
    expect(page.locator("table.mystock tbody tr")).to_have_count(1)  # my own stock rows only
    expect(page).to_have_url(re.compile(r"q=6900000000011"))
    shot(page, "stock-lookup-phone")

    page.fill("input[name=q]", "空调")  # a name: pick one of its SKUs
    expect(page.locator("ul.picks li")).to_have_count(2)
    page.click("ul.picks >> text=AC-2P-W")
    expect(page.locator("#results h2").first).to_contain_text("AC-2P-W")


def test_transfer_dispatched_at_a_and_received_short_at_b(live_server, live_network, phone):
    net, page = live_network, phone
    sku = net.skus[0]
    log_in(page, live_server.url, "outlet_clerk")
    page.goto(f"{live_server.url}/console/transfers/new/")
    page.select_option("select[name=destination]", str(net.b.pk))
    page.locator("input[name=sku]").first.fill(sku.code)
    page.locator("input[name=qty]").first.fill("4")
    shot(page, "transfer-new")
    page.click("text=创建调拨单")
    expect(page.locator("h1")).to_contain_text("草稿")
    page.click("button:has-text('发货')")
    expect(page.locator("h1")).to_contain_text("在途")
    shot(page, "transfer-in-transit")
    transfer = Transfer.objects.get()
    assert transfer.state == TransferState.IN_TRANSIT

    page.goto(f"{live_server.url}/console/stock/?q={sku.code}")
    expect(page.locator("table.mystock tr[data-outlet=SH-A] td").nth(1)).to_have_text("6")

    page.click("text=退出登录")
    staff_create(
        actor=SYSTEM,
        username="b_clerk",
        password="counter",
        display_name="浦东营业员",
        role="outlet_clerk",
        outlet=net.b,
    )
    log_in(page, live_server.url, "b_clerk", "counter")
    expect(page.locator("main")).to_contain_text(net.b.name)
    page.click(f"main a[href='/console/transfers/{transfer.pk}/']")  # on my home page: open transfers
    page.fill(f"input[name=received_{sku.pk}]", "3")
    page.click("button:has-text('确认收货')")
    expect(page.locator("h1")).to_contain_text("短收")
    expect(page.locator(f"tr[data-sku='{sku.code}'] td").nth(3)).to_have_text("3")
    shot(page, "transfer-received-short")

    page.goto(f"{live_server.url}/console/stock/?q={sku.code}")
    expect(page.locator("table.mystock tr[data-outlet=SH-B] td").nth(1)).to_have_text("13")
    assert StockLevel.objects.get(location=net.b, sku=sku).on_hand == 13


def test_cycle_count_posts_a_correction(live_server, live_network, desktop):
    net, page = live_network, desktop
    cable, ac2 = net.skus[2], net.skus[1]
    log_in(page, live_server.url, "outlet_manager")
    page.click("header nav >> text=盘点")
    page.fill("textarea[name=skus]", f"{cable.code} {ac2.barcode}")
    page.click("text=开始盘点")
    expect(page.locator("table.lines tbody tr")).to_have_count(2)
    for code, counted in [(cable.barcode, "7"), (ac2.code, "10")]:
        page.fill("input[name=sku]", code)
        page.fill("input[name=counted]", counted)
        page.press("input[name=counted]", "Enter")
        expect(page.locator(".messages")).to_contain_text(counted)
    shot(page, "count-open")
    page.click("text=盘点过账")
    expect(page.locator("h1")).to_contain_text("已过账")
    row = page.locator(f"tr[data-sku='{cable.code}'] td")
    expect(row.nth(2)).to_have_text("10")  # expected
    expect(row.nth(3)).to_have_text("7")  # counted
    expect(row.nth(4)).to_have_text("-3")  # correction
    expect(page.locator(f"tr[data-sku='{ac2.code}'] td").nth(4)).to_have_text("0")
    shot(page, "count-posted")
    assert StockLevel.objects.get(location=net.a, sku=cable).on_hand == 7

    page.click("header nav >> text=网点")
    expect(page.locator("ul.outlets li")).to_have_count(1)
    page.click("header nav >> text=调拨")
    shot(page, "outlets-and-transfers-desktop")
