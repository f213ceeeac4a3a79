"""Buy online, pick up at outlet B (issue 3, scenario 2), and a counter sale, in a real browser.

A customer orders on the storefront for pickup at B and pays in the sandbox gateway. B's clerk
has the work queue open on a handheld: the task appears without a reload; the clerk claims it,
marks it picked, then ready, and hands it over against the customer's code. A code for another
outlet, the used code and repeated wrong codes are refused. Then a clerk at A sells at the
counter for cash and prints the receipt.
"""

import re

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import DESKTOP, PHONE, customer_context, log_in, shot

from omnipoint.inventory.models import StockLevel
from omnipoint.orders import services
from omnipoint.orders.models import Order, OrderState, PickTask
from omnipoint.outlets.domain import GUEST, SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.outlets.services import staff_create
from omnipoint.testing import user_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def customer_phone(browser, live_network):  # type: ignore[no-untyped-def]
    """A customer's phone whose browser says it stands at outlet B."""
    context = customer_context(browser, at=live_network.b)
    yield context.new_page()
    context.close()


@pytest.fixture
def b_clerk(live_network):  # type: ignore[no-untyped-def]
    return staff_create(
        actor=SYSTEM,
        username="b_clerk",
        password="omnipoint",
        display_name="B 店员",
        role="outlet_clerk",
        outlet=live_network.b,
    )


def ready_pickup(outlet, sku, persona_user):  # type: ignore[no-untyped-def]
    """Another customer's order, paid at the outlet, already on the shelf at ``outlet``."""
    order = services.order_place(
        actor=GUEST,
        channel="web",
        method="pickup",
        pickup_outlet_id=outlet.pk,
        payment_mode="at_outlet",
        mobile="13900009999",
        lines=[services.LineRequest(sku.pk, 1)],
    )
    actor = actor_get(user=persona_user)
    task = PickTask.objects.get(order=order)
    services.task_advance(actor=actor, task_id=task.pk, step="picked")
    services.task_advance(actor=actor, task_id=task.pk, step="ready")
    return Order.objects.get(pk=order.pk)


def customer_orders_for_pickup_at_b(page, base: str) -> str:  # type: ignore[no-untyped-def]
    """The storefront checkout, as in test_storefront: returns the pickup code shown."""
    page.goto(f"{base}/shop/search/?q=空调")
    page.locator(".card a").first.click()
    page.wait_for_url("**lat=**")
    page.get_by_role("button", name="加入购物车").click()
    page.wait_for_url("**/shop/cart/")
    page.get_by_role("link", name="去结算").click()
    page.wait_for_url("**/shop/checkout/**")
    page.get_by_test_id("pickup-points").locator("li").first.locator("input[type=radio]").check()
    page.get_by_label("姓名").fill("韩梅梅")
    page.get_by_label("手机号码").fill("139 0000 1234")
    page.get_by_label("在线支付（沙箱）").check()
    page.get_by_test_id("place-order").click()
    page.wait_for_url("**/sandbox/pay/**")
    page.get_by_role("button", name="确认支付").click()
    page.get_by_role("link", name="返回商户").click()
    page.wait_for_url("**/shop/orders/**")
    return page.get_by_test_id("pickup-code").inner_text()


def test_clerk_at_b_sees_the_task_appear_readies_it_and_hands_it_over(
    live_server, live_network, phone, customer_phone, b_clerk, settings
):
    net, base, clerk = live_network, live_server.url, phone
    settings.SITE_URL = base  # the sandbox gateway's hosted page lives on this same server

    log_in(clerk, base, "b_clerk")
    clerk.click("header nav >> text=作业队列")
    expect(clerk.locator("h1")).to_contain_text(net.b.name)
    expect(clerk.locator("#queue .empty")).to_be_visible()
    clerk.evaluate("window.__samePage = true")

    code = customer_orders_for_pickup_at_b(customer_phone, base)
    order = Order.objects.get()
    assert (order.pickup_outlet_id, order.payment_state, order.state) == (net.b.pk, "paid", "confirmed")

    # The task appears by itself: the queue polls its fragment, the page is not reloaded.
    card = clerk.locator(f"li.task[data-order='{order.number}']")
    expect(card).to_be_visible(timeout=10_000)
    assert clerk.evaluate("window.__samePage === true")
    expect(card.locator(".state")).to_have_text("排队中")
    expect(card).to_contain_text("AC-1P-W")
    shot(clerk, "queue-phone-new-task")

    card.locator("button[data-step=claim]").click()
    expect(card.locator(".state")).to_have_text("已领取")
    card.locator("button[data-step=picked]").click()
    expect(card.locator(".state")).to_have_text("已拣货")
    card.locator("button[data-step=ready]").click()
    expect(card.locator(".state")).to_have_text("待提货")
    shot(clerk, "queue-phone-ready")
    assert Order.objects.get(pk=order.pk).state == OrderState.READY

    # The customer shows the code; the clerk types (or scans) it.
    card.locator("a.button").click()
    expect(clerk.locator("input[name=code]")).to_be_focused()
    clerk.fill("input[name=code]", code)
    clerk.click("#handover button[type=submit]")
    expect(clerk.locator(".handed")).to_contain_text(order.number)
    expect(clerk.locator(".messages")).to_contain_text("已交付")
    shot(clerk, "pickup-handed-over")
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    assert StockLevel.objects.get(location=net.b, sku=net.skus[0]).on_hand == 9

    # The same code again: used.
    clerk.fill("input[name=code]", code)
    clerk.click("#handover button[type=submit]")
    expect(clerk.locator("p.error")).to_contain_text("已提货")

    # A code that waits at another outlet (A): not valid here.
    at_a = ready_pickup(net.a, net.skus[1], user_of("outlet_clerk"))
    clerk.fill("input[name=code]", at_a.pickup_code)
    clerk.click("#handover button[type=submit]")
    expect(clerk.locator("p.error")).to_contain_text("本网点没有待提货订单使用此提货码")
    assert Order.objects.get(pk=at_a.pk).state == OrderState.READY

    # Wrong codes for an order at B: after five, even the right code is refused.
    at_b = ready_pickup(net.b, net.skus[1], b_clerk.user)
    wrong = "000000" if at_b.pickup_code != "000000" else "111111"
    for _ in range(5):
        clerk.fill("input[name=number]", at_b.number)
        clerk.fill("input[name=code]", wrong)
        clerk.click("#handover button[type=submit]")
        expect(clerk.locator("p.error")).to_contain_text("本网点没有待提货订单使用此提货码")
    clerk.fill("input[name=number]", at_b.number)
    clerk.fill("input[name=code]", at_b.pickup_code)
    clerk.click("#handover button[type=submit]")
    expect(clerk.locator("p.error")).to_contain_text("已锁定")
    shot(clerk, "pickup-locked")
    assert Order.objects.get(pk=at_b.pk).state == OrderState.READY


def test_clerk_sells_at_the_counter_for_cash_and_prints_the_receipt(live_server, live_network, desktop):
    net, base, page = live_network, live_server.url, desktop
    cable, ac = net.skus[2], net.skus[0]
    log_in(page, base, "outlet_clerk")
    page.click("header nav >> text=收银")
    expect(page.locator("input[name=q]")).to_be_focused()

    page.fill("input[name=q]", cable.barcode)  # as scanned
    page.fill("input[name=qty]", "2")
    page.press("input[name=q]", "Enter")
    expect(page.locator(f"table.cart tr[data-sku='{cable.code}']")).to_be_visible()
    page.fill("input[name=q]", "空调")  # a name: choose the SKU
    page.click("#scan button[type=submit]")
    page.click(f"ul.picks button:has-text('{ac.code}')")
    expect(page.locator("table.cart tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("subtotal")).to_have_text("¥695.00")  # 2 x 300 + 95 (Shanghai price)
    page.fill("input[name=customer]", "139 0000 5678")
    page.click("form.checkout button[type=submit]")

    expect(page.get_by_test_id("total")).to_have_text("¥695.00")
    order = Order.objects.get()
    assert (order.channel, order.method, order.state) == ("pos", "counter", "pending")
    page.fill("input[name=given]", "700")
    page.click("text=收取现金")

    expect(page).to_have_url(re.compile(rf"/console/pos/{order.pk}/receipt/$"))
    receipt = page.get_by_test_id("receipt")
    expect(receipt.get_by_test_id("order-number")).to_have_text(order.number)
    expect(receipt.get_by_test_id("total")).to_have_text("¥695.00")
    expect(receipt.get_by_test_id("cash-given")).to_have_text("¥700.00")
    expect(receipt.get_by_test_id("change")).to_have_text("¥5.00")
    expect(receipt).to_contain_text("柜台现金")
    shot(page, "pos-receipt")
    page.set_viewport_size(PHONE)
    shot(page, "pos-receipt-phone")
    page.set_viewport_size(DESKTOP)

    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    assert StockLevel.objects.get(location=net.a, sku=cable).on_hand == 8  # left the outlet at once
    assert StockLevel.objects.get(location=net.a, sku=ac).on_hand == 9
