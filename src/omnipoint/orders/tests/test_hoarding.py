"""No one member holds a shelf (issue 7, item 8): per-SKU limits per order and per member's
open orders on the customer channels, and an unpaid pickup holds for less time than a paid one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from omnipoint.catalog.models import Sku
from omnipoint.inventory.models import Reservation, StockLevel
from omnipoint.inventory.services import stock_receive
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.models import Order
from omnipoint.orders.services import order_cancel
from omnipoint.outlets.domain import SYSTEM
from omnipoint.payments.services import payment_start

from .test_holds import V1

pytestmark = pytest.mark.django_db


def order(api, customer, network, sku, quantity, payment_mode="at_outlet"):
    return api.post(
        f"{V1}/orders",
        {
            "channel": "web",
            "method": "pickup",
            "payment_mode": payment_mode,
            "pickup_outlet_id": network.a.pk,
            "lines": [{"sku_id": sku.pk, "quantity": quantity}],
        },
        customer["auth"],
    )


def test_one_order_takes_no_more_than_the_limit_of_a_sku(api, network, customer, settings):
    sku = network.skus[0]
    stock_receive(actor=SYSTEM, location_id=network.a.pk, sku_id=sku.pk, quantity=500)
    r = order(api, customer, network, sku, 500)
    assert r.status_code == 422 and r.json()["code"] == "quantity_limit", r.json()
    assert r.json()["details"] == {"sku_id": sku.pk, "limit": settings.ORDER_MAX_UNITS_PER_SKU}
    Sku.objects.filter(pk=sku.pk).update(max_per_order=3)
    assert order(api, customer, network, sku, 4).json()["code"] == "quantity_limit"
    assert not Order.objects.exists() and StockLevel.objects.get(location=network.a, sku=sku).reserved == 0
    assert order(api, customer, network, sku, 3).status_code == 201


def test_a_member_holds_no_more_than_the_limit_in_open_orders(api, network, customer):
    sku = network.skus[0]
    Sku.objects.filter(pk=sku.pk).update(max_per_member=5)
    first = order(api, customer, network, sku, 3)
    assert first.status_code == 201
    more = order(api, customer, network, sku, 3)
    assert more.status_code == 409 and more.json()["code"] == "member_quantity_limit", more.json()
    assert more.json()["details"]["open"] == 3
    assert order(api, customer, network, sku, 2).status_code == 201
    order_cancel(actor=SYSTEM, order_id=first.json()["id"], reason="changed mind")
    assert order(api, customer, network, sku, 3).status_code == 201


def test_the_counter_is_not_limited(api, network):
    sku = network.skus[0]
    stock_receive(actor=SYSTEM, location_id=network.a.pk, sku_id=sku.pk, quantity=100)
    body = {
        "channel": "pos",
        "method": "counter",
        "payment_mode": "counter",
        "origin_outlet_id": network.a.pk,
        "lines": [{"sku_id": sku.pk, "quantity": 50}],
    }
    assert api.post(f"{V1}/orders", body, network.auth("outlet_clerk")).status_code == 201


def test_an_unpaid_pickup_holds_for_less_time_than_a_paid_one(api, network, customer, settings, client):
    sku = network.skus[0]
    unpaid = Order.objects.get(pk=order(api, customer, network, sku, 1).json()["id"])
    online = Order.objects.get(pk=order(api, customer, network, sku, 1, payment_mode="online").json()["id"])
    settings.SANDBOX_PAY_SECRET = "s"
    from omnipoint.payments.tests.conftest import pay_at_gateway

    pay_at_gateway(client, payment_start(actor=actor_for_user(user=customer["user"]), order_id=online.pk))
    online.refresh_from_db()
    assert online.payment_state == "paid"

    def lasts(o):
        (hold,) = Reservation.objects.filter(owner_kind="order", owner_ref__startswith=f"order:{o.pk}:")
        return hold.expires_at - timezone.now()

    slack = timedelta(minutes=1)
    assert abs(lasts(unpaid) - timedelta(hours=settings.ORDER_PICKUP_UNPAID_HOLD_HOURS)) < slack
    assert abs(lasts(online) - timedelta(hours=settings.ORDER_PICKUP_HOLD_HOURS)) < slack
    assert settings.ORDER_PICKUP_UNPAID_HOLD_HOURS < settings.ORDER_PICKUP_HOLD_HOURS
