"""An order leaves the outlet only paid as its payment mode requires (issue 7, items 5, 11):
a refund needs an explicit amount or "full", a full refund cancels an open order, hand-over and
delivery refuse a refunded order, and cash on delivery is taken when it is delivered."""

import pytest

from omnipoint.inventory.checks import inventory_breaches
from omnipoint.inventory.models import StockLevel
from omnipoint.orders.models import Order, PickTask
from omnipoint.orders.services import task_advance
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.models import Payment
from omnipoint.payments.services import payment_capture
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def level(outlet, sku):
    return StockLevel.objects.get(location=outlet, sku=sku)


def ready_paid_pickup(api, network, customer, quantity=2):
    sku = network.skus[0]
    r = api.post(
        f"{V1}/orders",
        {
            "channel": "web",
            "method": "pickup",
            "payment_mode": "at_outlet",
            "pickup_outlet_id": network.a.pk,
            "lines": [{"sku_id": sku.pk, "quantity": quantity}],
        },
        customer["auth"],
    )
    order = Order.objects.get(pk=r.json()["id"])
    clerk = actor_get(user=user_of("outlet_clerk"))
    task = PickTask.objects.get(order=order, purpose="pickup")
    for step in ("claim", "picked", "ready"):
        task_advance(actor=clerk, task_id=task.pk, step=step)
    payment = payment_capture(actor=clerk, order_id=order.pk, method="at_outlet")
    return order, payment, sku


@pytest.mark.parametrize("body", ["true", "[]", "1", '"x"', "null", "{}", '{"reason": "x"}'])
def test_a_refund_without_an_amount_or_full_refunds_nothing(api, network, customer, body):
    order, payment, _ = ready_paid_pickup(api, network, customer)
    r = api.raw("post", f"{V1}/payments/{payment.pk}/refund", body, network.auth("outlet_clerk"))
    assert 400 <= r.status_code < 500, r.content
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.refunded_amount == 0 and (order.state, order.payment_state) == ("ready", "paid")


def test_a_full_refund_cancels_the_open_order_and_releases_its_holds(api, network, customer):
    order, payment, sku = ready_paid_pickup(api, network, customer)
    both = api.post(
        f"{V1}/payments/{payment.pk}/refund", {"amount": 1, "full": True}, network.auth("outlet_clerk")
    )
    assert both.status_code == 422 and both.json()["code"] == "invalid_amount"
    r = api.post(f"{V1}/payments/{payment.pk}/refund", {"full": True}, network.auth("outlet_clerk"))
    assert r.status_code == 201 and r.json()["amount"] == order.total, r.json()
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("cancelled", "refunded")
    assert level(network.a, sku).reserved == 0
    assert inventory_breaches() == []


def test_a_partly_refunded_order_is_not_handed_over(api, network, customer):
    order, payment, sku = ready_paid_pickup(api, network, customer)
    r = api.post(f"{V1}/payments/{payment.pk}/refund", {"amount": 1_00}, network.auth("outlet_clerk"))
    assert r.status_code == 201
    pickup = api.post(
        f"{V1}/pickups", {"outlet_id": network.a.pk, "code": order.pickup_code}, network.auth("outlet_clerk")
    )
    assert pickup.status_code == 409 and pickup.json()["code"] == "order_refunded", pickup.json()
    order.refresh_from_db()
    assert order.state == "ready" and level(network.a, sku).on_hand == 10


def delivery(api, customer, network, payment_mode):
    r = api.post(
        f"{V1}/orders",
        {
            "channel": "web",
            "method": "delivery",
            "payment_mode": payment_mode,
            "region_code": "310101",
            "address": "南京东路1号",
            "lat": network.a.lat + 0.005,
            "lng": network.a.lng,
            "lines": [{"sku_id": network.skus[2].pk, "quantity": 1}],
        },
        customer["auth"],
    )
    assert r.status_code == 201, r.json()
    order = Order.objects.get(pk=r.json()["id"])
    return order


def ship(order):
    hq = actor_get(user=user_of("hq_admin"))
    for task in PickTask.objects.filter(order=order, purpose="ship"):
        for step in ("picked", "handed_over"):
            task_advance(actor=hq, task_id=task.pk, step=step)
    order.refresh_from_db()
    assert order.state == "shipped"


def test_delivering_a_cash_on_delivery_order_takes_the_cash(api, network, customer):
    order = delivery(api, customer, network, "on_delivery")
    ship(order)
    r = api.post(f"{V1}/orders/{order.pk}/deliver", {}, network.auth("hq_admin"))
    assert r.status_code == 200, r.json()
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("completed", "paid")
    cod = Payment.objects.get(order_id=order.pk)
    assert (cod.method, cod.amount, cod.state) == ("cod", order.total, "succeeded")


def test_a_refunded_delivery_is_not_delivered(api, network, customer):
    order = delivery(api, customer, network, "on_delivery")
    ship(order)
    cod = payment_capture(actor=actor_get(user=user_of("hq_admin")), order_id=order.pk, method="cod")
    assert (
        api.post(f"{V1}/payments/{cod.pk}/refund", {"amount": 1_00}, network.auth("hq_admin")).status_code
        == 201
    )
    r = api.post(f"{V1}/orders/{order.pk}/deliver", {}, network.auth("hq_admin"))
    assert r.status_code == 409 and r.json()["code"] == "order_refunded", r.json()
    order.refresh_from_db()
    assert order.state == "shipped"
