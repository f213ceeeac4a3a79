"""Ordering through a showroom: by its public code, and picking up at the salesperson's outlet.

Before: an API order needed the salesperson's internal staff id, which the public showroom does
not publish; and the showroom's own instruction "自提请选择我的门店" could not be followed on the
storefront when the salesperson's outlet was not among the nearest pickup outlets offered.
"""

import re

import pytest

from omnipoint.members.models import Member
from omnipoint.orders.models import Order
from omnipoint.outlets.domain import SYSTEM

from .conftest import assert_error, snapshot

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


def showroom_order(w, **kw):
    return {
        "channel": "showroom",
        "method": "pickup",
        "payment_mode": "at_outlet",
        "lines": [{"sku_id": w.skus[0].pk, "quantity": 1}],
        **kw,
    }


def test_an_order_names_the_showroom_by_its_public_code(client, shop):
    w = shop
    me = w.net.auth("shopper")
    public = client.get(f"{V1}/showrooms/{w.showroom}").json()
    body = showroom_order(w, showroom_code=w.showroom, pickup_outlet_id=public["outlet"]["id"])
    placed = client.post(f"{V1}/orders", body, content_type="application/json", **me)
    assert placed.status_code == 201, placed.content
    assert placed.json()["salesperson_id"] == w.salesperson
    assert placed.json()["pickup_outlet_id"] == w.a.pk == public["outlet"]["id"]

    for bad, status, code in (
        ({"showroom_code": "nosuch"}, 404, "showroom_not_found"),
        ({"showroom_code": w.showroom, "channel": "web"}, 422, "invalid_channel"),
        ({"showroom_code": w.showroom, "salesperson_id": w.sales_c}, 422, "salesperson_mismatch"),
    ):
        before = snapshot()
        resp = client.post(f"{V1}/orders", showroom_order(w, pickup_outlet_id=w.a.pk) | bad,
                           content_type="application/json", **me)  # fmt: skip
        assert_error(resp, status, code)
        assert snapshot() == before


def test_the_storefront_offers_the_salespersons_outlet_for_pickup(client, shop):
    """A Nanjing salesperson's showroom visited from Shanghai: their outlet (C) leads the
    pickup outlets, chosen already, and the order is picked up there."""
    from omnipoint.showrooms.services import showroom_ensure

    w = shop
    code = showroom_ensure(actor=SYSTEM, staff=w.net.staff["sales_c"]).code
    client.force_login(Member.objects.get(pk=w.shopper).user)
    assert client.get(f"/shop/s/{code}/").status_code == 200
    client.post("/shop/cart/add/", {"sku_id": w.skus[0].pk, "quantity": "1"})
    page = client.get("/shop/checkout/").content.decode()
    offered = re.findall(r'name="pickup_outlet_id" value="(\d+)"([^>]*)>', page)
    assert offered and offered[0][0] == str(w.c.pk) and "checked" in offered[0][1], offered[:3]
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    form = {"token": token, "name": "顾客", "mobile": "13800138000", "method": "pickup",
            "pickup_outlet_id": w.c.pk, "payment_mode": "at_outlet"}  # fmt: skip
    assert client.post("/shop/checkout/", form).status_code == 302
    order = Order.objects.latest("pk")
    assert (order.channel, order.salesperson_id, order.pickup_outlet_id) == ("showroom", w.sales_c, w.c.pk)
