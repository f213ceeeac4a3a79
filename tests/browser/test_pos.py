"""The counter on a phone-sized screen (360 and 390 px): the SKU picker with variant, price and
stock; a refused checkout back on the basket naming each short SKU; the member's card, a
coupon, the wallet and short cash refused; then a sale paid by the sandbox QR on the gateway's
hosted page, which the counter's page learns of by itself."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser.conftest import PHONE, log_in, shot

from omnipoint.loyalty import services as loyalty
from omnipoint.loyalty.models import TopupPackage
from omnipoint.marketing.services import coupon_issue, coupon_template_create
from omnipoint.members.services import member_get_or_create
from omnipoint.orders.models import Order, OrderState
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.testing import user_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NARROW = {"width": 360, "height": 780}


def both_widths(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Screenshots at 360 and 390 px; nothing may stick out sideways at either."""
    for label, size in (("360", NARROW), ("390", PHONE)):
        page.set_viewport_size(size)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], (name, label)
        shot(page, f"pos-{name}-{label}")
    page.set_viewport_size(PHONE)


def test_counter_sale_with_card_coupon_wallet_and_cash(live_server, live_network, phone):
    net, base, page = live_network, live_server.url, phone
    cable, ac = net.skus[2], net.skus[0]
    member = member_get_or_create(actor=SYSTEM, mobile="13700000001", name="李雷")
    clerk = actor_get(user=user_of("outlet_clerk"))
    package = TopupPackage.objects.create(name="充100", pay_amount=100_00, bonus_amount=0)
    loyalty.wallet_topup_at_counter(
        actor=clerk, member_id=member.pk, outlet_id=net.a.pk, client_key="till-1", package_id=package.pk
    )
    hq, now = actor_get(user=user_of("hq_admin")), timezone.now()
    template = coupon_template_create(
        actor=hq, code="POS20", name="柜台立减", kind="fixed", value=20_00,
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=30),
    )  # fmt: skip
    coupon = coupon_issue(actor=hq, template_id=template.pk, member_id=member.pk)

    log_in(page, base, "outlet_clerk")
    page.click("header nav >> text=收银")
    page.fill("input[name=q]", "空调")
    page.click("#scan button[type=submit]")
    picks = page.get_by_test_id("sku-picks")
    row = picks.locator(f"li[data-sku='{ac.code}']")
    expect(row.get_by_test_id("pick-price")).to_have_text("¥95.00")
    expect(row.get_by_test_id("pick-stock")).to_have_text("库存 10")
    both_widths(page, "picker")
    row.locator("button").click()
    page.fill("input[name=q]", cable.barcode)
    page.fill("input[name=qty]", "11")  # one more than outlet A has
    page.press("input[name=q]", "Enter")
    expect(page.locator("table.cart tbody tr")).to_have_count(2)

    page.click("form.checkout button[type=submit]")
    expect(page).to_have_url(f"{base}/console/pos/")
    expect(page.locator("p.error")).to_contain_text(f"{cable.code}：可用 10，需要 11")
    both_widths(page, "short")
    assert not Order.objects.exists()

    page.locator(f"input[aria-label='数量 {cable.code}']").fill("1")
    page.locator(f"input[aria-label='数量 {cable.code}']").press("Enter")  # a plain form: Enter sends it
    expect(page.get_by_test_id("subtotal")).to_have_text("¥395.00")
    page.fill("input[name=customer]", member.card_code)  # the card's QR, scanned
    page.fill("input[name=coupons]", coupon.code)
    page.click("form.checkout button[type=submit]")
    expect(page.get_by_test_id("total")).to_have_text("¥375.00")  # 395 - 20
    expect(page.get_by_test_id("member")).to_contain_text("储值 ¥100.00")
    order = Order.objects.get()

    page.get_by_test_id("pay-wallet").locator("input[name=amount]").fill("100")
    page.get_by_test_id("pay-wallet").locator("button").click()
    expect(page.get_by_test_id("remaining")).to_have_text("¥275.00")
    page.fill("input[name=given]", "200")
    page.click("text=收取现金")
    expect(page.locator("p.error")).to_contain_text("实收 ¥200.00 少于应付 ¥275.00")
    both_widths(page, "cash-short")
    page.fill("input[name=given]", "300")
    page.click("text=收取现金")
    expect(page).to_have_url(re.compile(rf"/console/pos/{order.pk}/receipt/$"))
    expect(page.get_by_test_id("change")).to_have_text("¥25.00")
    both_widths(page, "receipt")
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED


def test_counter_sale_paid_by_the_sandbox_qr(live_server, live_network, browser, settings):
    settings.SITE_URL = live_server.url  # the sandbox gateway's hosted page lives on this server
    net, base = live_network, live_server.url
    context = browser.new_context(viewport=NARROW, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, base, "outlet_clerk")
    page.goto(f"{base}/console/pos/")
    page.fill("input[name=q]", net.skus[2].code)
    page.press("input[name=q]", "Enter")
    page.click("form.checkout button[type=submit]")
    page.click("text=在线支付")
    online = page.get_by_test_id("pay-online")
    expect(online.locator(".qr svg")).to_be_visible()
    both_widths(page, "qr")
    pay_url = page.get_by_test_id("pay-link").get_attribute("href")

    customer = context.browser.new_context(viewport=PHONE, locale="zh-CN").new_page()  # type: ignore[union-attr]
    customer.goto(pay_url)
    customer.get_by_role("button", name="确认支付").click()
    customer.context.close()
    expect(page).to_have_url(re.compile(r"/console/pos/\d+/receipt/$"))  # the page polls the gateway
    assert Order.objects.get().state == OrderState.COMPLETED
    context.close()
