"""The showroom and nearby-offers storefront pages and the console page, through the test client."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from omnipoint.inventory.models import StockLevel
from omnipoint.orders.models import Order, PickTask
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.showrooms import services
from omnipoint.showrooms.tests.conftest import complete, place
from omnipoint.storefront.attribution import SESSION_KEY
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db
MOBILE = "13812345678"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "http://testserver"


def token_of(response) -> str:
    match = re.search(rb'name="token" value="([^"]+)"', response.content)
    assert match
    return match.group(1).decode()


def checkout(client, outlet_id):
    page = client.get("/shop/checkout/")
    data = {
        "token": token_of(page),
        "name": "李雷",
        "mobile": MOBILE,
        "method": "pickup",
        "pickup_outlet_id": outlet_id,
        "payment_mode": "at_outlet",
    }
    return client.post("/shop/checkout/", data)


def test_a_showroom_page_shows_the_salesperson_link_and_qr_and_credits_the_checkout(client, network, sales):
    code = services.showroom_ensure(actor=SYSTEM, staff=sales.a).code
    page = client.get(f"/shop/s/{code}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "sales_a 王" in body and network.a.name in body
    assert f"http://testserver/shop/s/{code}/" in body and "<svg" in body
    assert "空调" in body and "数据线" in body
    assert client.session[SESSION_KEY]["staff_id"] == sales.a.pk

    client.post("/shop/cart/add/", {"sku_id": network.skus[2].pk, "quantity": "1"})
    r = checkout(client, network.a.pk)
    order = Order.objects.get()
    assert r.status_code == 302
    assert (order.channel, order.salesperson_id) == ("showroom", sales.a.pk)


def test_without_a_showroom_visit_or_after_it_lapsed_the_checkout_credits_nobody(client, network, sales):
    client.post("/shop/cart/add/", {"sku_id": network.skus[2].pk, "quantity": "1"})
    checkout(client, network.a.pk)
    assert Order.objects.get().channel == "web"

    code = services.showroom_ensure(actor=SYSTEM, staff=sales.a).code
    client.get(f"/shop/s/{code}/")
    session = client.session
    session[SESSION_KEY] = session[SESSION_KEY] | {
        "until": (timezone.now() - timedelta(seconds=1)).isoformat()
    }
    session.save()
    client.post("/shop/cart/add/", {"sku_id": network.skus[2].pk, "quantity": "1"})
    checkout(client, network.a.pk)
    latest = Order.objects.order_by("-pk").first()
    assert latest is not None and (latest.channel, latest.salesperson_id) == ("web", None)


def test_a_tampered_attribution_credits_nobody(client, network, sales):
    session = client.session
    session[SESSION_KEY] = {
        "staff_id": user_of("outlet_clerk").staff.pk,
        "until": "2999-01-01T00:00:00+00:00",
    }
    session.save()
    client.post("/shop/cart/add/", {"sku_id": network.skus[2].pk, "quantity": "1"})
    checkout(client, network.a.pk)
    assert Order.objects.get().salesperson_id is None


def test_an_unknown_showroom_is_a_404_page_and_sets_nothing(client, network, sales):
    r = client.get("/shop/s/nosuch99/")
    assert r.status_code == 404
    assert SESSION_KEY not in client.session


def test_nearby_offers_list_outlets_within_1_km_and_reserve_to_try_in_store(client, network):
    a = network.a
    page = client.get("/shop/nearby/", {"lat": a.lat, "lng": a.lng})
    body = page.content.decode()
    assert page.status_code == 200
    assert a.name in body and "空调" in body and "¥95.00" in body
    assert network.b.name not in body and network.c.name not in body  # B is ~3 km off, C in Nanjing
    assert "试" in body  # "reserve and try in store", in Chinese

    ac = network.skus[0]
    form = client.get("/shop/nearby/try/", {"outlet": a.pk, "sku": ac.pk})
    assert form.status_code == 200
    data = {"token": token_of(form), "outlet": a.pk, "sku": ac.pk, "name": "李雷", "mobile": MOBILE}
    r = client.post("/shop/nearby/try/", data)
    order = Order.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/shop/orders/{order.number}/"
    assert (order.method, order.payment_mode, order.state, order.pickup_outlet_id) == (
        "try_in_store",
        "at_outlet",
        "confirmed",
        a.pk,
    )
    assert order.hold_until is not None
    # The heads-up: a task in the outlet's work queue.
    assert list(PickTask.objects.filter(location=a).values_list("order_id", "state")) == [
        (order.pk, "queued")
    ]
    assert StockLevel.objects.get(location=a, sku=ac).reserved == 1
    # Sending the same form again places nothing more.
    assert client.post("/shop/nearby/try/", data).status_code == 302
    assert Order.objects.count() == 1


def test_nowhere_near_there_are_no_offers(client, network):
    body = client.get("/shop/nearby/", {"lat": 40.0, "lng": 100.0}).content.decode()
    assert 'data-testid="no-offers"' in body


@pytest.mark.parametrize(
    "data,status",
    [
        ({"name": "", "mobile": MOBILE}, 422),
        ({"name": "李雷", "mobile": "12345"}, 422),
    ],
)
def test_a_bad_reservation_is_refused_and_changes_nothing(client, network, data, status):
    a, ac = network.a, network.skus[0]
    form = client.get("/shop/nearby/try/", {"outlet": a.pk, "sku": ac.pk})
    r = client.post("/shop/nearby/try/", {"token": token_of(form), "outlet": a.pk, "sku": ac.pk} | data)
    assert r.status_code == status
    assert not Order.objects.exists() and StockLevel.objects.get(location=a, sku=ac).reserved == 0


def test_reserving_at_an_unknown_outlet_or_sku_is_404(client, network):
    assert client.get("/shop/nearby/try/", {"outlet": 999999, "sku": network.skus[0].pk}).status_code == 404
    assert client.get("/shop/nearby/try/", {"outlet": network.a.pk, "sku": 999999}).status_code == 404
    assert client.get("/shop/nearby/try/", {"outlet": "x", "sku": "y"}).status_code == 404


def login(persona: str) -> Client:
    c = Client()
    c.force_login(user_of(persona))
    return c


def test_the_console_shows_a_salesperson_their_link_orders_and_commission(network, sales):
    services.commission_rule_create(actor=actor_get(user=user_of("hq_admin")), rate=Decimal("0.1"))
    order = complete(place(sales.a, lines=[(network.skus[2].pk, 1)]), clerk_user=user_of("outlet_clerk"))
    other = place(sales.b, lines=[(network.skus[2].pk, 1)])
    page = login("sales_a").get("/console/showroom/")
    body = page.content.decode()
    assert page.status_code == 200
    assert f"/shop/s/{sales.a.showroom.code}/" in body and "<svg" in body
    assert order.number in body and other.number not in body
    assert "¥30.00" in body  # 10% of ¥300
    assert "我的展厅" in body  # the nav link, in Chinese


def test_the_console_shows_managers_their_salespeople_in_scope(network, sales):
    body = login("city_manager").get("/console/showroom/").content.decode()
    assert "sales_a 王" in body and "sales_b 王" in body and "sales_c 王" not in body
    assert login("city_manager").get(f"/console/showroom/{sales.c.pk}/").status_code == 404
    assert login("city_manager").get(f"/console/showroom/{sales.a.pk}/").status_code == 200
    assert login("outlet_clerk").get("/console/showroom/").status_code == 403
    assert login("other_city_clerk").get(f"/console/showroom/{sales.a.pk}/").status_code == 403
    assert login("sales_a").get(f"/console/showroom/{sales.b.pk}/").status_code == 403
