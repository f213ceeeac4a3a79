"""The storefront through the Django test client: pages, cart, checkout, payment, tracking."""

import re

import pytest

from omnipoint.catalog.models import Sku
from omnipoint.core.models import IdempotencyRecord
from omnipoint.inventory.models import StockLevel
from omnipoint.inventory.services import stock_set_safety
from omnipoint.members.models import Member
from omnipoint.orders.models import Order
from omnipoint.outlets.domain import SYSTEM
from omnipoint.payments import sandbox
from omnipoint.payments.models import Payment

pytestmark = pytest.mark.django_db

MOBILE = "13812345678"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "http://testserver"


def token_of(response) -> str:
    match = re.search(rb'name="token" value="([^"]+)"', response.content)
    assert match, "the checkout form carries a one-time token"
    return match.group(1).decode()


def add(client, sku, quantity="1"):
    return client.post("/shop/cart/add/", {"sku_id": sku.pk, "quantity": quantity})


def cart_of(client) -> dict[str, int]:
    return dict(client.session.get("shop_cart") or {})


def stock_snapshot():
    return sorted(StockLevel.objects.values_list("location_id", "sku_id", "on_hand", "reserved"))


def checkout(client, **form):
    page = client.get("/shop/checkout/")
    assert page.status_code == 200
    data = {"token": token_of(page), "name": "李雷", "mobile": MOBILE, "method": "pickup"} | form
    return client.post("/shop/checkout/", data)


def test_every_page_renders(client, network):
    ac = network.skus[0].product
    home = client.get("/shop/")
    assert home.status_code == 200
    text = home.content.decode()
    assert "空调" in text and "家电" in text and "黄浦区" in text
    assert "¥95.00" in text  # the Shanghai price of the cheapest AC variant, region 310101 by default

    assert client.get("/shop/c/appliances/").status_code == 200
    assert "空调" in client.get("/shop/c/appliances/").content.decode()
    found = client.get("/shop/search/", {"q": "数据线"}).content.decode()
    assert "数据线" in found and "空调" not in found
    assert "没有找到" in client.get("/shop/search/", {"q": "nothing-like-this"}).content.decode()

    product = client.get(f"/shop/p/{ac.pk}/")
    assert product.status_code == 200
    body = product.content.decode()
    assert "¥95.00" in body and "上海价" in body  # the price and why
    assert "1匹" in body and "2匹" in body  # the variants
    assert "黄浦旗舰店" in body  # outlet A is in 黄浦区, nearest to its centre

    assert client.get("/shop/region/").status_code == 200
    assert client.get("/shop/region/", {"parent": "310100"}).status_code == 200
    assert client.get("/shop/cart/").status_code == 200
    assert client.get("/shop/track/").status_code == 200
    assert client.get("/shop/checkout/").status_code == 302  # nothing in the cart yet
    assert client.get("/shop/p/999999/").status_code == 404
    assert client.get("/shop/c/no-such-thing/").status_code == 404


def test_english_when_chosen(client, network):
    client.cookies["django_language"] = "en"
    body = client.get(f"/shop/p/{network.skus[0].product_id}/").content.decode()
    assert "Add to cart" in body and "Available at outlets near you" in body


def test_region_choice_changes_prices(client, network):
    nanjing = client.post("/shop/region/", {"code": "320102", "next": "/shop/"})
    assert nanjing.status_code == 302
    body = client.get(f"/shop/p/{network.skus[0].product_id}/").content.decode()
    assert "¥100.00" in body and "¥95.00" not in body  # the national price outside Shanghai
    assert client.post("/shop/region/", {"code": "320100"}).status_code == 404  # a city, not a district
    assert client.session["shop_region"] == "320102"


def test_outlets_near_the_browser_location_nearest_first_with_badges(client, network):
    sku = network.skus[0]
    stock_set_safety(actor=SYSTEM, location_id=network.b.pk, sku_id=sku.pk, safety_stock=7)
    r = client.get(f"/shop/p/{sku.product_id}/", {"sku": sku.pk, "lat": network.b.lat, "lng": network.b.lng})
    nearby = r.content.decode().split('data-testid="nearby"')[1].split("</ul>")[0]
    names = re.findall(r'<span class="o-name">([^<]+)</span>', nearby)
    assert names[0] == network.b.name  # the browser is at B
    assert network.c.name not in names  # Nanjing is far away
    first = nearby.split("</li>")[0]
    assert "仅剩3件" in first  # 10 on hand, 7 kept for B's counter
    assert "有货" in nearby
    assert client.session["shop_geo"] == [network.b.lat, network.b.lng]


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "1.5", "100", ""])
def test_cart_refuses_bad_quantities(client, network, bad):
    add(client, network.skus[2], "2")
    before = cart_of(client)
    r = add(client, network.skus[0], bad)
    assert r.status_code == 422
    assert "1 到 99" in r.content.decode()
    update = client.post("/shop/cart/update/", {"sku_id": network.skus[2].pk, "quantity": bad})
    assert update.status_code == 422
    assert cart_of(client) == before


def test_cart_add_update_remove(client, network):
    cable, ac = network.skus[2], network.skus[0]
    assert add(client, cable, "2").status_code == 302
    assert add(client, cable, "1").status_code == 302
    assert add(client, ac).status_code == 302
    assert cart_of(client) == {str(cable.pk): 3, str(ac.pk): 1}
    page = client.get("/shop/cart/").content.decode()
    assert "¥995.00" in page  # 3 x 300.00 + 95.00
    client.post("/shop/cart/update/", {"sku_id": cable.pk, "quantity": "5"})
    client.post("/shop/cart/remove/", {"sku_id": ac.pk})
    assert cart_of(client) == {str(cable.pk): 5}
    assert add(client, type("Sku", (), {"pk": 999999})()).status_code == 404
    assert cart_of(client) == {str(cable.pk): 5}


def test_checkout_lists_pickup_points_by_distance_with_stock_badges(client, network):
    add(client, network.skus[2], "12")  # more than any one outlet has: every badge says transfer
    page = client.get("/shop/checkout/", {"lat": network.b.lat, "lng": network.b.lng}).content.decode()
    points = page.split('data-testid="pickup-points"')[1].split("</ul>")[0]
    names = re.findall(r'<span class="o-name">([^<]+)</span>', points)
    assert names == [network.b.name, network.a.name]  # pickup points only (not the warehouse), nearest first
    assert points.count("需调货") == 2
    client.post("/shop/cart/update/", {"sku_id": network.skus[2].pk, "quantity": "1"})
    page = client.get("/shop/checkout/").content.decode()
    assert page.split('data-testid="pickup-points"')[1].split("</ul>")[0].count("有货") == 2


def test_checkout_places_a_pickup_order_paid_at_the_outlet(client, network):
    cable = network.skus[2]
    add(client, cable, "2")
    r = checkout(client, pickup_outlet_id=network.b.pk, payment_mode="at_outlet", mobile="+86 138-1234-5678")
    order = Order.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/shop/orders/{order.number}/"
    assert (order.channel, order.method, order.payment_mode) == ("web", "pickup", "at_outlet")
    assert order.pickup_outlet_id == network.b.pk
    assert order.customer_mobile == MOBILE and order.customer_name == "李雷"
    assert order.state == "confirmed" and order.total == 2 * 300_00
    assert StockLevel.objects.get(location=network.b, sku=cable).reserved == 2
    assert cart_of(client) == {}

    tracking = client.get(r["Location"])
    body = tracking.content.decode()
    assert tracking.status_code == 200
    assert order.pickup_code in body and "<svg" in body  # the code and its QR
    assert network.b.name in body and "下单" in body


def test_checkout_online_goes_to_the_sandbox_and_back_to_tracking(client, network):
    add(client, network.skus[0])
    r = checkout(client, pickup_outlet_id=network.a.pk, payment_mode="online")
    order = Order.objects.get()
    payment = Payment.objects.get(order_id=order.pk)
    assert r.status_code == 302 and r["Location"] == payment.pay_url
    assert "/sandbox/pay/" in payment.pay_url
    pending = client.get(f"/shop/orders/{order.number}/").content.decode()
    assert order.pickup_code not in pending  # not before it is paid
    assert "去支付" in pending

    sandbox.charge_pay(ref=payment.provider_ref)  # the customer pays on the hosted page
    back = client.get(f"/shop/orders/{order.number}/")  # the page's return link
    order.refresh_from_db()
    assert order.payment_state == "paid" and order.state == "confirmed"
    assert order.pickup_code in back.content.decode()


def test_double_submit_places_one_order(client, network):
    add(client, network.skus[2])
    page = client.get("/shop/checkout/")
    data = {
        "token": token_of(page),
        "name": "李雷",
        "mobile": MOBILE,
        "method": "pickup",
        "pickup_outlet_id": network.a.pk,
        "payment_mode": "at_outlet",
    }
    first = client.post("/shop/checkout/", data)
    second = client.post("/shop/checkout/", data)
    assert Order.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/shop/orders/{Order.objects.get().number}/"
    assert StockLevel.objects.get(location=network.a, sku=network.skus[2]).reserved == 1


def test_a_checkout_whose_worker_died_can_be_sent_again(client, network):
    """The earlier scheme committed the token's claim before placing the order: a worker that
    died in between left the form refused as "being placed" (409) for good. The checkout now
    claims through core.idempotency like the API, and such a claim is cleared, not waited on."""
    from omnipoint.storefront.checkout import PATH, _client

    add(client, network.skus[2])
    page = client.get("/shop/checkout/")
    token = token_of(page)
    IdempotencyRecord.objects.create(
        client=_client(client.session.session_key), key=token, method="POST", path=PATH, request_hash="x"
    )
    data = {
        "token": token,
        "name": "李雷",
        "mobile": MOBILE,
        "method": "pickup",
        "pickup_outlet_id": network.a.pk,
        "payment_mode": "at_outlet",
    }
    r = client.post("/shop/checkout/", data)
    assert r.status_code == 302 and Order.objects.count() == 1
    assert r["Location"] == f"/shop/orders/{Order.objects.get().number}/"
    assert client.post("/shop/checkout/", data)["Location"] == r["Location"]
    assert Order.objects.count() == 1


def test_a_stale_form_places_nothing(client, network):
    add(client, network.skus[2])
    client.get("/shop/checkout/")
    r = client.post(
        "/shop/checkout/",
        {
            "token": "forged",
            "name": "李雷",
            "mobile": MOBILE,
            "method": "pickup",
            "pickup_outlet_id": network.a.pk,
        },
    )
    assert r.status_code == 409 and Order.objects.count() == 0


def test_out_of_stock_checkout_shows_the_error_and_changes_nothing(client, network):
    Sku.objects.filter(pk=network.skus[2].pk).update(max_per_order=99, max_per_member=99)  # not the limit
    add(client, network.skus[2], "31")  # 30 in Shanghai (A, B, W); Nanjing is beyond routing range
    before = stock_snapshot()
    r = checkout(client, pickup_outlet_id=network.a.pk, payment_mode="at_outlet")
    assert r.status_code == 409
    assert "库存不足" in r.content.decode()
    assert Order.objects.count() == 0 and Member.objects.count() == 0
    assert stock_snapshot() == before
    assert cart_of(client) == {str(network.skus[2].pk): 31}
    assert not IdempotencyRecord.objects.exists()  # the token is free for the corrected form
    add_less = client.post("/shop/cart/update/", {"sku_id": network.skus[2].pk, "quantity": "3"})
    assert add_less.status_code == 302
    retry = client.post(
        "/shop/checkout/",
        {
            "token": token_of(r),
            "name": "李雷",
            "mobile": MOBILE,
            "method": "pickup",
            "pickup_outlet_id": network.a.pk,
            "payment_mode": "at_outlet",
        },
    )
    assert retry.status_code == 302 and Order.objects.count() == 1


def test_checkout_over_the_quantity_limit_says_so_in_chinese(client, network, settings):
    add(client, network.skus[2], str(settings.ORDER_MAX_UNITS_PER_SKU + 1))
    r = checkout(client, pickup_outlet_id=network.a.pk, payment_mode="at_outlet")
    assert r.status_code == 422
    assert f"每单最多 {settings.ORDER_MAX_UNITS_PER_SKU} 件" in r.content.decode()
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    "form, message",
    [
        ({"mobile": "12345"}, "11 位"),
        ({"name": ""}, "姓名"),
        ({"pickup_outlet_id": ""}, "提货网点"),
        ({"pickup_outlet_id": "999999"}, "提货网点"),
        ({"method": "delivery", "address": ""}, "收货地址"),
        ({"method": "delivery", "address": "南京东路1号", "payment_mode": "at_outlet"}, "付款方式"),
    ],
)
def test_bad_checkout_input_is_refused_and_changes_nothing(client, network, form, message):
    add(client, network.skus[2])
    before = stock_snapshot()
    r = checkout(client, **({"pickup_outlet_id": network.a.pk, "payment_mode": "at_outlet"} | form))
    assert 400 <= r.status_code < 500
    assert message in r.content.decode()
    assert Order.objects.count() == 0 and stock_snapshot() == before


def test_delivery_checkout_uses_the_district_and_the_browser_location(client, network):
    add(client, network.skus[2])
    client.get("/shop/checkout/", {"lat": network.a.lat, "lng": network.a.lng})
    r = checkout(client, method="delivery", address="南京东路1号", payment_mode="online")
    order = Order.objects.get()
    assert r.status_code == 302 and r["Location"] == Payment.objects.get(order_id=order.pk).pay_url
    assert order.method == "delivery" and order.address == "南京东路1号"
    assert (order.lat, order.lng) == (network.a.lat, network.a.lng)
    assert order.pickup_outlet_id is None


def test_tracking_needs_the_right_mobile(client, network, django_user_model):
    add(client, network.skus[2])
    checkout(client, pickup_outlet_id=network.a.pk, payment_mode="at_outlet")
    order = Order.objects.get()

    from django.test import Client

    stranger = Client()
    assert stranger.get(f"/shop/orders/{order.number}/").status_code == 302  # asks for the mobile
    wrong = stranger.post("/shop/track/", {"number": order.number, "mobile": "13900000000"})
    assert wrong.status_code == 404 and order.pickup_code not in wrong.content.decode()
    assert stranger.post("/shop/track/", {"number": "nope", "mobile": MOBILE}).status_code == 404
    assert stranger.get(f"/shop/orders/{order.number}/").status_code == 302
    right = stranger.post("/shop/track/", {"number": order.number, "mobile": "138 1234 5678"})
    assert right.status_code == 302 and right["Location"] == f"/shop/orders/{order.number}/"
    page = stranger.get(right["Location"])
    assert page.status_code == 200 and order.pickup_code in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_double_click_racing_in_parallel_places_one_order(settings):
    """Two submissions of one checkout form at the same moment, from two web workers."""
    import threading

    from django.db import connection
    from django.test import Client

    from omnipoint.testing import build_network

    settings.SITE_URL = "http://testserver"
    network = build_network()
    first = Client()
    add(first, network.skus[2])
    data = {
        "token": token_of(first.get("/shop/checkout/")),
        "name": "李雷",
        "mobile": MOBILE,
        "method": "pickup",
        "pickup_outlet_id": network.a.pk,
        "payment_mode": "at_outlet",
    }
    start, results = threading.Barrier(2), []

    def submit() -> None:
        twin = Client()
        twin.cookies = first.cookies  # the same browser session
        try:
            start.wait()
            results.append(twin.post("/shop/checkout/", data))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and Order.objects.count() == 1
    number = Order.objects.get().number
    for r in results:
        assert (r.status_code == 302 and r["Location"] == f"/shop/orders/{number}/") or r.status_code == 409
    assert StockLevel.objects.get(location=network.a, sku=network.skus[2]).reserved == 1
