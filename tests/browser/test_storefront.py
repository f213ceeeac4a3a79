"""Buy online, pick up at the outlet, in a real browser on a phone-sized screen.

A customer standing next to outlet B browses the storefront, searches, opens a product, sees
the outlets near them (B first), adds it to the cart, checks out for pickup at B paying online
in the sandbox gateway, pays on its hosted page and comes back to the tracking page, which
shows the pickup code and its QR.
"""

import pytest
from tests.browser.conftest import customer_context, shot

from omnipoint.orders.models import Order


@pytest.fixture
def customer_phone(browser, live_network):  # type: ignore[no-untyped-def]
    """A phone whose browser says it stands at outlet B (the shared ``browser`` fixture's
    Chromium, with location permission granted)."""
    context = customer_context(browser, scale=2, at=live_network.b)
    yield context.new_page()
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buy_online_pick_up_at_outlet_b_paying_in_the_sandbox(
    customer_phone, live_network, live_server, settings
):
    page, network, base = customer_phone, live_network, live_server.url
    settings.SITE_URL = base  # the sandbox gateway's hosted page lives on this same server

    page.goto(f"{base}/shop/")
    assert page.get_by_role("heading", name="推荐商品").is_visible()
    shot(page, "storefront-01-home")

    page.get_by_role("searchbox").fill("空调")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/shop/search/**")
    assert page.locator(".card").count() == 1
    shot(page, "storefront-02-search")

    page.locator(".card a").first.click()
    # The page asks the browser where it is and reloads with the point: B is nearest.
    page.wait_for_url("**lat=**")
    nearby = page.get_by_test_id("nearby").locator("li")
    assert nearby.first.locator(".o-name").inner_text() == network.b.name
    assert nearby.first.locator(".stock").inner_text() == "有货"
    assert page.get_by_test_id("price").inner_text() == "¥95.00"
    shot(page, "storefront-03-product")

    page.get_by_role("button", name="加入购物车").click()
    page.wait_for_url("**/shop/cart/")
    assert page.get_by_test_id("cart-count").inner_text() == "1"
    page.get_by_role("link", name="去结算").click()
    page.wait_for_url("**/shop/checkout/**")

    points = page.get_by_test_id("pickup-points").locator("li")
    assert points.first.locator(".o-name").inner_text() == network.b.name  # nearest to the customer
    points.first.locator("input[type=radio]").check()
    page.get_by_label("姓名").fill("韩梅梅")
    page.get_by_label("手机号码").fill("139 0000 1234")
    page.get_by_label("在线支付（沙箱）").check()
    shot(page, "storefront-04-checkout")
    page.get_by_test_id("place-order").click()

    page.wait_for_url("**/sandbox/pay/**")
    shot(page, "storefront-05-sandbox")
    page.get_by_role("button", name="确认支付").click()
    page.get_by_role("link", name="返回商户").click()

    page.wait_for_url("**/shop/orders/**")
    code = page.get_by_test_id("pickup-code").inner_text()
    assert page.get_by_test_id("pickup-outlet").inner_text() == network.b.name
    assert page.locator(".qr svg").is_visible()
    shot(page, "storefront-06-tracking")

    order = Order.objects.get()
    assert (order.channel, order.method, order.pickup_outlet_id) == ("web", "pickup", network.b.pk)
    assert order.payment_state == "paid" and order.state == "confirmed"
    assert code == order.pickup_code and order.customer_mobile == "13900001234"
