"""A signed-in member on the storefront: the tab bar that reaches the member centre, their own
orders with the pickup code and tracking, wallet and points offered at checkout (the same
two-phase tenders the API uses), and the notice when money came for an order already paid."""

import re
from urllib.parse import urlparse

import pytest
from django.test import Client

from omnipoint.ledger.checks import ledger_breaches
from omnipoint.loyalty import selectors as loyalty_selectors
from omnipoint.loyalty import services as loyalty
from omnipoint.loyalty.tests.helpers import member_with_login
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.models import Order
from omnipoint.orders.services import LineRequest, order_place
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.models import Outlet
from omnipoint.payments import sandbox
from omnipoint.payments.models import Payment
from omnipoint.storefront.tests.helpers import pickup_points_around, rich_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "http://testserver"


def pickup_order(net, member, *, payment_mode="at_outlet"):
    return order_place(
        actor=actor_for_user(user=member.user),
        channel="web",
        method="pickup",
        pickup_outlet_id=net.a.pk,
        payment_mode=payment_mode,
        lines=[LineRequest(sku_id=net.skus[0].pk, quantity=1)],
    )


def test_every_page_has_a_tab_bar_that_reaches_the_member_centre(client, network):
    home = client.get("/shop/").content.decode()
    bar = re.search(r'<nav class="tabbar".*?</nav>', home, re.S)
    assert bar, "the storefront has a bottom tab bar"
    assert 'href="/shop/member/"' in bar.group(0) and "我的" in bar.group(0)
    assert 'href="/shop/cart/"' in bar.group(0) and "首页" in bar.group(0)
    member, _ = member_with_login()
    client.force_login(member.user)
    centre = client.get("/shop/member/").content.decode()
    assert re.search(r'href="/shop/member/" aria-current="page"', centre)
    assert 'href="/shop/member/#orders"' in centre  # a member's 订单 tab is their order list
    assert 'href="/shop/track/"' in bar.group(0)  # a guest's, the lookup form


def test_a_member_opens_their_own_order_with_its_pickup_code(client, network):
    member, _ = member_with_login()
    order = pickup_order(network, member)
    assert order.state == "confirmed" and order.pickup_code
    client.force_login(member.user)

    page = client.get(f"/shop/orders/{order.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert order.pickup_code in html and 'data-testid="timeline"' in html

    centre = client.get("/shop/member/").content.decode()
    assert f'href="/shop/orders/{order.number}/"' in centre  # the centre links to the order
    assert f'data-testid="code-{order.number}">{order.pickup_code}<' in centre


def test_another_members_order_stays_behind_the_lookup_form(client, network):
    member, _ = member_with_login()
    other, _ = member_with_login("13700000002", "韩梅梅")
    theirs = pickup_order(network, other)
    client.force_login(member.user)
    page = client.get(f"/shop/orders/{theirs.number}/")
    assert page.status_code == 302 and page["Location"].startswith("/shop/track/")
    assert theirs.pickup_code not in client.get("/shop/member/").content.decode()
    paying = client.post(f"/shop/orders/{theirs.number}/pay/")
    assert paying.status_code == 302 and paying["Location"].startswith("/shop/track/")
    assert Payment.objects.filter(order_id=theirs.pk).count() == 0
    assert loyalty_selectors.points_balance(member=member) == 0


def test_a_points_lot_names_the_order_it_was_earned_on_and_no_other_reference(client, network):
    member, _ = member_with_login()
    loyalty.points_award(
        actor=SYSTEM, member_id=member.pk, points=500, key="wheel", reference="game 幸运大转盘"
    )
    loyalty.points_award(
        actor=SYSTEM, member_id=member.pk, points=300, key="earned", reference="order:2612050000000001"
    )
    client.force_login(member.user)
    lots = client.get("/shop/member/").content.decode().split('data-testid="lots"')[1].split("</ul>")[0]
    assert "2612050000000001" in lots and "order:" not in lots
    assert "game" not in lots  # the game's own reference is not the customer's to read


# --- checkout: the nearest outlets, points and wallet ------------------------------------------


def token_of(response) -> str:
    match = re.search(rb'name="token" value="([^"]+)"', response.content)
    assert match
    return match.group(1).decode()


def test_checkout_lists_the_nearest_outlets_and_the_rest_behind_more(client, network):
    pickup_points_around(network.b, 17, step=0.002)
    client.post("/shop/cart/add/", {"sku_id": network.skus[0].pk, "quantity": "1"})
    html = client.get("/shop/checkout/", {"lat": network.b.lat, "lng": network.b.lng}).content.decode()
    shown = html.split('data-testid="pickup-points"')[1].split("</ul>")[0]
    assert re.findall(r'<span class="o-name">([^<]+)</span>', shown) == [
        network.b.name,
        "浦东第1邮政所",
        "浦东第2邮政所",
    ]
    more = html.split('data-testid="more-outlets"')[1].split("</details>")[0]
    assert more.count('name="pickup_outlet_id"') == 16  # 19 pickup points within reach, 3 shown
    assert "还有 16 家门店" in more and "营业 09:00-21:00" in more  # distance and opening hours too

    far = Outlet.objects.get(code="SH-P10")  # chosen from "more": it is listed at once from then on
    page = client.post(
        "/shop/checkout/", {"action": "preview", "method": "pickup", "pickup_outlet_id": far.pk}
    ).content.decode()
    shown = page.split('data-testid="pickup-points"')[1].split("</ul>")[0]
    assert far.name in shown and f'value="{far.pk}" checked' in shown


def test_checkout_offers_a_members_points_and_wallet(client, network):
    member = rich_member()
    client.force_login(member.user)
    client.post("/shop/cart/add/", {"sku_id": network.skus[0].pk, "quantity": "1"})  # 95 yuan
    html = client.get("/shop/checkout/").content.decode()
    tenders = html.split('data-testid="tenders"')[1].split("</div>")[0]
    assert "使用 1500 积分，抵扣 ¥15.00（共 1500 积分）" in tenders
    assert "使用储值余额支付（余额 ¥50.00）" in tenders

    priced = client.post(
        "/shop/checkout/",
        {
            "action": "preview",
            "method": "pickup",
            "pickup_outlet_id": network.a.pk,
            "use_points": "1",
            "use_wallet": "1",
        },
    ).content.decode()
    assert re.search(r'data-testid="pay-online">¥30.00<', priced)

    guest = Client()  # a guest is offered nothing of the kind
    guest.post("/shop/cart/add/", {"sku_id": network.skus[0].pk, "quantity": "1"})
    assert 'data-testid="tenders"' not in guest.get("/shop/checkout/").content.decode()


def place(client, network, **form):
    page = client.get("/shop/checkout/")
    data = {"token": token_of(page), "name": "李雷", "mobile": "13700000001", "method": "pickup"}
    return client.post(
        "/shop/checkout/", data | {"pickup_outlet_id": network.a.pk, "payment_mode": "online"} | form
    )


def test_points_and_wallet_pay_part_at_checkout_and_the_gateway_the_rest(client, network):
    member = rich_member()
    client.force_login(member.user)
    client.post("/shop/cart/add/", {"sku_id": network.skus[0].pk, "quantity": "1"})
    r = place(client, network, use_points="1", use_wallet="1")
    order = Order.objects.get()
    tenders = {p.method: (p.amount, p.state) for p in Payment.objects.filter(order_id=order.pk)}
    assert tenders == {
        "points": (15_00, "succeeded"),
        "wallet": (50_00, "succeeded"),
        "online": (30_00, "pending"),
    }
    online = Payment.objects.get(order_id=order.pk, method="online")
    assert r.status_code == 302 and r["Location"] == online.pay_url
    # Two-phase: the points and wallet are held, not yet taken, until the order is paid in full.
    assert (
        loyalty_selectors.points_balance(member=member) == 0
        and loyalty_selectors.wallet_balance(member=member)["total"] == 0
    )
    assert (
        loyalty_selectors.hold_state(key=Payment.objects.get(order_id=order.pk, method="wallet").provider_ref)
        == "pending"
    )

    sandbox.charge_pay(ref=online.provider_ref)
    page = client.get(f"/shop/orders/{order.number}/").content.decode()
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("confirmed", "paid") and order.pickup_code in page
    assert (
        loyalty_selectors.hold_state(key=Payment.objects.get(order_id=order.pk, method="wallet").provider_ref)
        == "posted"
    )
    assert ledger_breaches() == []


def test_a_wallet_that_covers_the_order_pays_it_without_the_gateway(client, network):
    member = rich_member(points=0, wallet=200_00)
    client.force_login(member.user)
    client.post("/shop/cart/add/", {"sku_id": network.skus[0].pk, "quantity": "1"})
    r = place(client, network, use_wallet="1")
    order = Order.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/shop/orders/{order.number}/"
    assert (order.state, order.payment_state) == ("confirmed", "paid")
    assert [(p.method, p.amount) for p in Payment.objects.filter(order_id=order.pk)] == [("wallet", 95_00)]
    assert loyalty_selectors.wallet_balance(member=member)["total"] == 105_00
    assert "已用积分和储值付款" in client.get(r["Location"]).content.decode()


def test_points_and_wallet_are_not_used_unless_ticked_nor_when_paying_at_the_outlet(client, network):
    member = rich_member()
    client.force_login(member.user)
    client.post("/shop/cart/add/", {"sku_id": network.skus[0].pk, "quantity": "1"})
    place(client, network, payment_mode="at_outlet", use_points="1", use_wallet="1")
    client.post("/shop/cart/add/", {"sku_id": network.skus[0].pk, "quantity": "1"})
    place(client, network)
    assert Payment.objects.exclude(method="online").count() == 0
    assert loyalty_selectors.points_balance(member=member) == 1500


# --- paying twice --------------------------------------------------------------------------


def test_paying_again_on_an_older_pay_page_is_refunded_and_the_customer_told(client, network):
    member = rich_member(wallet=0)
    client.force_login(member.user)
    client.post("/shop/cart/add/", {"sku_id": network.skus[0].pk, "quantity": "1"})
    first = place(client, network)["Location"]  # the gateway's page for all 95 yuan; left open
    order = Order.objects.get()
    client.post(f"/shop/member/orders/{order.number}/tender/", {"method": "points", "value": "1500"})
    second = client.post(f"/shop/member/orders/{order.number}/pay/")["Location"]  # the other 80
    assert second != first
    client.post(urlparse(second).path, {"action": "pay"})
    client.get("/shop/member/")  # back at the shop: paid
    order.refresh_from_db()
    assert order.payment_state == "paid"

    # The customer finds the first page in another tab and pays it too.
    assert client.post(urlparse(first).path, {"action": "pay"}).status_code == 302
    page = client.get(f"/shop/orders/{order.number}/").content.decode()
    notice = re.search(r'data-testid="returned">([^<]+)<', page)
    assert notice and notice.group(1) == "您在本订单付清后又支付了 ¥95.00，这笔钱已原路全额退回。"
    centre = client.get("/shop/member/").content.decode()
    assert f'data-testid="returned-{order.number}">您在本订单付清后又支付了 ¥95.00' in centre
    assert "已退款 ¥95.00" in client.get(urlparse(first).path).content.decode()  # the gateway says so too

    again = Payment.objects.get(pay_url=first)
    assert (again.state, again.counted, again.refunded_amount) == ("succeeded", False, 95_00)
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("confirmed", "paid")
    assert ledger_breaches() == []
