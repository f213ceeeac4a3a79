"""A signed-in member on the storefront: the tab bar that reaches the member centre, their own
orders with the pickup code and tracking, wallet and points offered at checkout (the same
two-phase tenders the API uses), and the notice when money came for an order already paid."""

import re

import pytest

from omnipoint.loyalty import services as loyalty
from omnipoint.loyalty.tests.helpers import member_with_login
from omnipoint.orders.models import Order
from omnipoint.orders.services import LineRequest, order_place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "http://testserver"


def pickup_order(net, member, *, payment_mode="at_outlet"):
    return order_place(
        user=member.user,
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
    assert Order.objects.get(pk=theirs.pk).payments.count() == 0
    assert loyalty.points_balance(member=member) == 0
