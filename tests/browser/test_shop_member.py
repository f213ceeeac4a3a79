"""The storefront as a signed-in member on a phone, at 360 and 390 px: the bottom tab bar
reaches 我的 from every page; checkout lists the three nearest of twenty pickup outlets (the rest
behind "more") and fits a bounded height; it offers the member's points and wallet, which pay
part of the order through the two-phase tenders while the gateway takes the rest; the order page
shows the pickup code; and paying again on an older pay page says the money went back."""

import pytest
from django.test import Client
from huey.contrib.djhuey import HUEY
from tests.browser.conftest import SHOTS, customer_context, shot

from omnipoint.ledger.checks import ledger_breaches
from omnipoint.loyalty import selectors as loyalty_selectors
from omnipoint.orders.models import Order
from omnipoint.payments.models import Payment
from omnipoint.storefront.tests.helpers import pickup_points_around, rich_member

CHECKOUT_MAX_PX = 2000  # 3,148 px before the fix, mostly twenty outlet radio buttons


@pytest.fixture
def huey_immediate():
    """The sandbox gateway's notification runs at once (after commit), as the running demo's
    queue worker would a moment later."""
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


def signed_in_phone(browser, live_server, net, member, width):  # type: ignore[no-untyped-def]
    """A phone at ``width`` px standing at outlet B, with the member's session (signing in is
    the sign-in page's own test)."""
    client = Client()
    client.force_login(member.user)
    context = customer_context(browser, width=width, height=780, scale=2, at=net.b)
    session = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    return context.new_page()


def height(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("document.documentElement.scrollHeight"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [360, 390])
def test_member_reaches_the_centre_pays_with_points_and_wallet_and_sees_the_pickup_code(
    browser, live_network, live_server, settings, huey_immediate, width
):
    net, base = live_network, live_server.url
    settings.SITE_URL = base  # the sandbox gateway's hosted page lives on this same server
    pickup_points_around(net.b, 18, step=0.003)  # with A and B, twenty pickup outlets
    member = rich_member()
    page = signed_in_phone(browser, live_server, net, member, width)

    page.goto(f"{base}/shop/?lat={net.b.lat}&lng={net.b.lng}")
    bar = page.get_by_test_id("tabbar")
    box = bar.bounding_box()
    assert box and abs(box["y"] + box["height"] - 780) < 1 and box["width"] == width  # at the bottom
    assert [t.strip() for t in bar.locator("span").all_inner_texts()] == ["首页", "购物车", "订单", "我的"]
    page.screenshot(path=str(SHOTS / f"shop-member-{width}-01-home-screen.png"))  # as the phone shows it
    page.get_by_test_id("tab-me").click()
    page.wait_for_url("**/shop/member/")
    assert page.get_by_test_id("points-balance").inner_text() == "1500"

    page.goto(f"{base}/shop/p/{net.skus[0].product_id}/?sku={net.skus[0].pk}")
    page.get_by_role("button", name="加入购物车").click()
    page.wait_for_url("**/shop/cart/")
    page.get_by_role("link", name="去结算").click()
    page.wait_for_url("**/shop/checkout/**")
    shown = page.get_by_test_id("pickup-points").locator("li")
    assert shown.count() == 3 and shown.first.locator(".o-name").inner_text() == net.b.name
    assert page.get_by_test_id("more-outlets").locator("summary").inner_text() == "还有 17 家门店"
    assert height(page) <= CHECKOUT_MAX_PX, f"checkout is {height(page)} px tall at {width} px"
    tenders = page.get_by_test_id("tenders")
    assert "使用 1500 积分，抵扣 ¥15.00" in tenders.inner_text()
    assert "余额 ¥50.00" in tenders.inner_text()
    shot(page, f"shop-member-{width}-02-checkout")

    page.get_by_test_id("more-outlets").locator("summary").click()  # the list, with distance and hours
    more = page.get_by_test_id("more-outlets").locator("li")
    assert more.count() == 17 and "营业 09:00-21:00" in more.first.inner_text()
    assert more.first.locator(".o-dist").is_visible()
    shot(page, f"shop-member-{width}-03-more-outlets")
    page.get_by_test_id("more-outlets").locator("summary").click()

    page.get_by_test_id("use-points").check()  # prices the form again
    page.wait_for_selector("[data-testid=pay-online]")
    page.get_by_test_id("use-wallet").check()
    page.wait_for_function("document.querySelector('[data-testid=pay-online]').textContent === '¥30.00'")
    assert page.get_by_test_id("use-points").is_checked() and page.get_by_test_id("use-wallet").is_checked()
    shot(page, f"shop-member-{width}-04-points-and-wallet")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # the tab bar leaves the button free
    place = page.get_by_test_id("place-order").bounding_box()
    assert place and place["y"] + place["height"] <= bar.bounding_box()["y"]  # type: ignore[index]
    page.screenshot(path=str(SHOTS / f"shop-member-{width}-04-checkout-bottom-screen.png"))
    page.get_by_test_id("place-order").click()

    page.wait_for_url("**/sandbox/pay/**")
    assert page.locator(".amount").inner_text() == "¥30.00"  # only the rest goes to the gateway
    page.get_by_role("button", name="确认支付").click()
    page.get_by_role("link", name="返回商户").click()
    page.wait_for_url("**/shop/orders/**")
    order = Order.objects.get()
    assert page.get_by_test_id("pickup-code").inner_text() == order.pickup_code
    assert (order.state, order.payment_state, order.member_id) == ("confirmed", "paid", member.pk)
    assert sorted((p.method, p.amount) for p in Payment.objects.filter(order_id=order.pk)) == [
        ("online", 30_00),
        ("points", 15_00),
        ("wallet", 50_00),
    ]
    assert (
        loyalty_selectors.points_balance(member=member) == 0
        and loyalty_selectors.wallet_balance(member=member)["total"] == 0
    )
    assert ledger_breaches() == []
    shot(page, f"shop-member-{width}-05-order-with-pickup-code")

    page.get_by_test_id("tab-orders").click()  # a member's 订单: their order list
    page.wait_for_url("**/shop/member/#orders")
    assert page.get_by_test_id(f"code-{order.number}").inner_text() == order.pickup_code
    shot(page, f"shop-member-{width}-06-centre-with-pickup-code")
    page.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [360, 390])
def test_paying_again_on_an_older_pay_page_tells_the_customer(
    browser, live_network, live_server, settings, huey_immediate, width
):
    net, base = live_network, live_server.url
    settings.SITE_URL = base
    member = rich_member(wallet=0)
    page = signed_in_phone(browser, live_server, net, member, width)

    page.goto(f"{base}/shop/p/{net.skus[0].product_id}/?sku={net.skus[0].pk}&lat={net.b.lat}&lng={net.b.lng}")
    page.get_by_role("button", name="加入购物车").click()
    page.wait_for_url("**/shop/cart/")
    page.goto(f"{base}/shop/checkout/")
    page.get_by_test_id("place-order").click()  # all 95 yuan online; the pay page is left open
    page.wait_for_url("**/sandbox/pay/**")
    first = page.url
    order = Order.objects.get()

    page.goto(f"{base}/shop/member/")  # then pays part with points and the rest on a new page
    row = page.get_by_test_id(f"order-{order.number}")
    row.locator("form", has=page.get_by_test_id("use-points")).locator("input[name=value]").fill("1500")
    row.get_by_test_id("use-points").click()
    page.wait_for_url("**/shop/member/")
    page.get_by_test_id(f"order-{order.number}").get_by_test_id("pay-rest").click()
    page.wait_for_url("**/sandbox/pay/**")
    assert page.url != first and page.locator(".amount").inner_text() == "¥80.00"
    page.get_by_role("button", name="确认支付").click()
    page.get_by_role("link", name="返回商户").click()
    page.wait_for_url("**/shop/member/")
    order.refresh_from_db()
    assert order.payment_state == "paid"

    page.goto(first)  # the first page, still open in another tab: paid again
    page.get_by_role("button", name="确认支付").click()
    assert page.get_by_test_id("refunded").inner_text().startswith("已退款 ¥95.00")
    shot(page, f"shop-member-{width}-07-sandbox-refunded")
    page.get_by_role("link", name="返回商户").click()
    page.wait_for_url("**/shop/orders/**")
    assert (
        page.get_by_test_id("returned").inner_text()
        == "您在本订单付清后又支付了 ¥95.00，这笔钱已原路全额退回。"
    )
    assert page.get_by_test_id("pickup-code").inner_text() == order.pickup_code
    shot(page, f"shop-member-{width}-08-order-told-of-the-refund")
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("confirmed", "paid")
    assert ledger_breaches() == []
    page.context.close()
