"""Pay at the outlet, cash on delivery and split tender: the tenders of an order add up to its
total, never more; refused tenders change nothing."""

from typing import Any

import pytest

from omnipoint.core.errors import DomainError
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.models import Order
from omnipoint.orders.services import LineRequest, order_cancel, order_hand_over, order_place, task_advance
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.models import OrderBalance, Payment, Refund, SandboxCharge
from omnipoint.payments.sandbox import charge_pay
from omnipoint.payments.services import payment_capture, payment_start, payments_sync
from omnipoint.testing import user_of

from .conftest import notification, place, post_notification

pytestmark = pytest.mark.django_db


def clerk(persona: str = "outlet_clerk") -> Any:
    return actor_get(user=user_of(persona))


def snapshot(order: Order) -> tuple[Any, ...]:
    order.refresh_from_db()
    return (
        order.state,
        order.payment_state,
        list(
            Payment.objects.filter(order_id=order.pk)
            .order_by("pk")
            .values_list("method", "amount", "state", "counted")
        ),
        list(OrderBalance.objects.filter(order_id=order.pk).values_list("paid", "refunded")),
        Refund.objects.count(),
    )


def refused(expected: str, fn: Any, **kwargs: Any) -> None:
    with pytest.raises(DomainError) as exc:
        fn(**kwargs)
    assert exc.value.code == expected, exc.value.as_dict()


def test_split_tender_cash_at_the_outlet_plus_online_adds_up_and_confirms(client, network, shopper):
    order = place(shopper.user, network.a, sku=network.skus[0])  # 95.00, online, pickup at A
    cash = payment_capture(actor=clerk(), order_id=order.pk, method="cash", amount=45_00)
    assert (cash.state, cash.counted, cash.provider) == ("succeeded", True, "cash")
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("pending", "unpaid")  # 50.00 still to pay

    online = payment_start(actor=actor_for_user(user=shopper.user), order_id=order.pk)
    assert online.amount == 50_00  # what remains
    assert post_notification(client, *notification(online)).status_code == 200

    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("confirmed", "paid")
    succeeded = Payment.objects.filter(order_id=order.pk, state="succeeded")
    assert sum(p.amount for p in succeeded) == order.total
    assert OrderBalance.objects.get(order_id=order.pk).paid == order.total


def test_split_tender_through_the_api(api, client, network, shopper):
    order = place(shopper.user, network.a, sku=network.skus[1], quantity=2)  # 400.00
    response = api.post(
        "/api/v1/payments/capture",
        {"order_id": order.pk, "method": "at_outlet", "amount": 150_00},
        network.auth("outlet_clerk"),
    )
    assert response.status_code == 201, response.json()
    response = api.post("/api/v1/payments/intents", {"order_id": order.pk}, shopper.auth)
    assert response.status_code == 201 and response.json()["amount"] == 250_00
    online = Payment.objects.get(pk=response.json()["id"])
    post_notification(client, *notification(online))
    listed = api.get("/api/v1/payments", network.auth("outlet_clerk"), order_id=order.pk)
    assert listed.status_code == 200
    assert [(p["method"], p["amount"], p["state"]) for p in listed.json()] == [
        ("at_outlet", 150_00, "succeeded"),
        ("online", 250_00, "succeeded"),
    ]
    assert api.get("/api/v1/payments", network.auth("other_city_clerk"), order_id=order.pk).status_code == 404


def test_a_tender_beyond_what_remains_is_refused(network, shopper):
    order = place(shopper.user, network.a, sku=network.skus[0])
    payment_capture(actor=clerk(), order_id=order.pk, method="cash", amount=45_00)
    before = snapshot(order)
    refused("overpayment", payment_capture, actor=clerk(), order_id=order.pk, method="cash", amount=50_01)
    refused(
        "overpayment", payment_start, actor=actor_for_user(user=shopper.user), order_id=order.pk, amount=50_01
    )
    assert snapshot(order) == before
    assert SandboxCharge.objects.count() == 0


def test_overpayment_api_gives_the_code(api, network, shopper):
    order = place(shopper.user, network.a, sku=network.skus[0])
    response = api.post(
        "/api/v1/payments/capture",
        {"order_id": order.pk, "method": "cash", "amount": 95_01},
        network.auth("outlet_clerk"),
    )
    assert response.status_code == 409 and response.json()["code"] == "overpayment"
    assert Payment.objects.count() == 0


def test_paid_twice_online_the_second_is_refunded_at_once(client, network, shopper):
    """Two intents for the whole order, both paid at the gateway: the money is real, so the
    second is taken and sent straight back, never counted."""
    order = place(shopper.user, network.a, sku=network.skus[0])
    first = payment_start(actor=actor_for_user(user=shopper.user), order_id=order.pk)
    second = payment_start(actor=actor_for_user(user=shopper.user), order_id=order.pk, amount=94_00)
    SandboxCharge.objects.filter(ref=second.provider_ref).update(amount=94_00)
    post_notification(client, *notification(first))
    charge_pay(ref=second.provider_ref)
    payments_sync(actor=SYSTEM, order_id=order.pk)  # the second charge is found paid
    second.refresh_from_db()
    assert (second.state, second.counted, second.refunded_amount) == ("succeeded", False, 94_00)
    assert "already paid" in second.note
    assert SandboxCharge.objects.get(ref=second.provider_ref).refunded == 94_00
    order.refresh_from_db()
    assert order.payment_state == "paid"
    assert OrderBalance.objects.get(order_id=order.pk).paid == 95_00


def test_paying_a_paid_order_is_refused(network, shopper):
    order = place(shopper.user, network.a, sku=network.skus[0])
    payment_capture(actor=clerk(), order_id=order.pk, method="cash")
    before = snapshot(order)
    refused("already_paid", payment_capture, actor=clerk(), order_id=order.pk, method="cash", amount=1)
    refused("already_paid", payment_start, actor=actor_for_user(user=shopper.user), order_id=order.pk)
    assert snapshot(order) == before


def test_paying_a_cancelled_order_is_refused(api, network, shopper):
    order = place(shopper.user, network.a, sku=network.skus[0])
    order_cancel(actor=SYSTEM, order_id=order.pk, reason="changed my mind")
    before = snapshot(order)
    response = api.post("/api/v1/payments/intents", {"order_id": order.pk}, shopper.auth)
    assert response.status_code == 409 and response.json()["code"] == "order_wrong_state"
    response = api.post(
        "/api/v1/payments/capture", {"order_id": order.pk, "method": "cash"}, network.auth("outlet_clerk")
    )
    assert response.status_code == 409 and response.json()["code"] == "order_wrong_state"
    assert snapshot(order) == before


def test_pay_at_the_outlet_then_hand_over(network, shopper):
    order = place(shopper.user, network.a, sku=network.skus[0], payment_mode="at_outlet")
    assert order.state == "confirmed" and order.payment_state == "unpaid"
    task = order.tasks.get()
    task_advance(actor=clerk(), task_id=task.pk, step="picked")
    task_advance(actor=clerk(), task_id=task.pk, step="ready")
    refused("payment_due", order_hand_over, actor=clerk(), outlet_id=network.a.pk, code=order.pickup_code)
    payment_capture(actor=clerk(), order_id=order.pk, method="at_outlet")
    done = order_hand_over(actor=clerk(), outlet_id=network.a.pk, code=order.pickup_code)
    assert (done.state, done.payment_state) == ("completed", "paid")


def test_cash_on_delivery_is_taken_for_delivery_orders_only(network, shopper):
    city = clerk("city_manager")
    delivery = order_place(
        actor=actor_for_user(user=shopper.user),
        channel="web",
        method="delivery",
        payment_mode="on_delivery",
        region_code="310101",
        address="南京东路1号",
        lat=network.a.lat,
        lng=network.a.lng,
        lines=[LineRequest(sku_id=network.skus[0].pk, quantity=1)],
    )
    refused("invalid_method", payment_capture, actor=city, order_id=delivery.pk, method="at_outlet")
    cod = payment_capture(actor=city, order_id=delivery.pk, method="cod")
    assert cod.amount == delivery.total and cod.state == "succeeded"
    pickup = place(shopper.user, network.a, sku=network.skus[0], payment_mode="at_outlet")
    refused("invalid_method", payment_capture, actor=city, order_id=pickup.pk, method="cod")


def test_counter_sale_paid_in_cash_completes(network):
    user = user_of("outlet_clerk")
    order = order_place(
        actor=actor_for_user(user=user),
        channel="pos",
        method="counter",
        payment_mode="counter",
        origin_outlet_id=network.a.pk,
        lines=[LineRequest(sku_id=network.skus[2].pk, quantity=2)],
    )
    payment_capture(actor=clerk(), order_id=order.pk, method="cash")
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("completed", "paid")


def test_capture_needs_scope_a_staff_method_and_a_sane_amount(network, shopper):
    order = place(shopper.user, network.a, sku=network.skus[0])
    before = snapshot(order)
    refused(
        "order_not_found", payment_capture, actor=clerk("other_city_clerk"), order_id=order.pk, method="cash"
    )
    refused("invalid_method", payment_capture, actor=clerk(), order_id=order.pk, method="online")
    refused("method_unavailable", payment_capture, actor=clerk(), order_id=order.pk, method="wallet")
    refused("invalid_amount", payment_capture, actor=clerk(), order_id=order.pk, method="cash", amount=0)
    refused("invalid_amount", payment_capture, actor=clerk(), order_id=order.pk, method="cash", amount=-5)
    refused("order_not_found", payment_capture, actor=clerk(), order_id=10**12, method="cash")
    assert snapshot(order) == before


def test_capture_api_refuses_bad_input(api, network, shopper):
    order = place(shopper.user, network.a, sku=network.skus[0])
    auth = network.auth("outlet_clerk")
    for body, code in [
        ({"order_id": order.pk, "method": "cash", "amount": 0}, "invalid_input"),
        ({"order_id": order.pk, "method": "cheque"}, "invalid_method"),
        ({"order_id": 0, "method": "cash"}, "invalid_input"),
    ]:
        response = api.post("/api/v1/payments/capture", body, auth)
        assert 400 <= response.status_code < 500 and response.json()["code"] == code, (body, response.json())
    assert Payment.objects.count() == 0
