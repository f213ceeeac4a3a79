"""Earn offline, spend online, in a browser: a member buys at a counter by giving their phone
number; completion credits points; they sign in to the storefront's member centre (mobile and a
one-time code, shown on screen in this demo) and see the points; they pay part of an online
order with points and the rest at the sandbox gateway; returning the counter purchase claws the
points back, as the member centre then shows."""

import pytest

from omnipoint.ledger.checks import ledger_breaches
from omnipoint.loyalty import selectors as loyalty
from omnipoint.loyalty.tests.helpers import clerk, counter_sale, earn_rules, member_with_login, online_order
from omnipoint.orders.models import Order
from omnipoint.orders.services import order_return

from .conftest import shot


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_earn_at_the_counter_spend_online_and_claw_back(phone, live_network, live_server, settings):
    page, net, base = phone, live_network, live_server.url
    settings.SITE_URL = base  # the sandbox gateway's hosted page lives on this same server
    settings.DEMO_MODE = True  # the sign-in code is shown on screen
    earn_rules()
    member, _ = member_with_login("13700000001", "李雷")

    sale = counter_sale(net, "137 0000 0001")  # the walk-in gives their number at outlet A
    assert (sale.state, sale.member_id) == ("completed", member.pk)

    page.goto(f"{base}/shop/member/login/")
    page.fill("input[name=mobile]", "13700000001")
    page.get_by_test_id("get-code").click()
    code = page.get_by_test_id("demo-code").locator("strong").inner_text()
    shot(page, "loyalty-01-demo-code")
    page.fill("input[name=code]", code)
    page.get_by_test_id("sign-in").click()
    page.wait_for_url("**/shop/member/")
    assert page.get_by_test_id("points-balance").inner_text() == "190"  # 95 + 95 offline bonus
    assert page.get_by_test_id(f"order-{sale.number}").is_visible()  # the counter sale, online
    assert page.locator("[data-testid=member-card] svg").is_visible()  # the card's QR
    assert page.get_by_test_id("points").inner_text().startswith("积分")  # one language: Chinese
    shot(page, "loyalty-02-member-centre")
    page.locator("button[name=language][value=en]").click()  # the footer's language switch
    page.wait_for_url("**/shop/member/")
    assert page.get_by_test_id("points").inner_text().startswith("Points")
    assert page.get_by_test_id("points-balance").inner_text() == "190"
    shot(page, "loyalty-02-member-centre-en")
    page.locator("button[name=language][value=zh-hans]").click()
    page.wait_for_url("**/shop/member/")

    order = online_order(net, member)  # 300 yuan for pickup at outlet A
    page.reload()
    row = page.locator(f"form[action$='/member/orders/{order.number}/tender/']")
    row.filter(has=page.get_by_test_id("use-points")).locator("input[name=value]").fill("150")
    page.get_by_test_id("use-points").click()
    page.wait_for_url("**/shop/member/")
    assert page.get_by_test_id(f"due-{order.number}").inner_text() == "298.50"
    assert page.get_by_test_id("points-balance").inner_text() == "40"
    shot(page, "loyalty-03-paid-part-with-points")

    page.get_by_test_id("pay-rest").click()
    page.wait_for_url("**/sandbox/pay/**")
    page.get_by_role("button", name="确认支付").click()
    page.goto(f"{base}/shop/member/")
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("confirmed", "paid")

    order_return(actor=clerk(), order_id=sale.pk, outlet_id=net.a.pk, lines=[(net.skus[0].pk, 1)])
    page.reload()
    assert page.get_by_test_id("points-balance").inner_text() == "0"  # clawed back what was left
    shot(page, "loyalty-04-after-return")
    assert loyalty.points_balance(member=member) == 0
    assert Order.objects.get(pk=sale.pk).payment_state == "refunded"
    assert ledger_breaches() == []
