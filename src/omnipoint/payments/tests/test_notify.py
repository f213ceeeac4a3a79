"""Scenario 6: the sandbox gateway's signed notifications are applied once, and forged or
wrong ones are refused, logged, and change nothing."""

from typing import Any

import pytest

from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.models import Order, OrderEvent, PickTask
from omnipoint.outlets.domain import SYSTEM
from omnipoint.payments.models import OrderBalance, Payment, PaymentNotification, SandboxCharge
from omnipoint.payments.sandbox import charge_pay, notification_build
from omnipoint.payments.services import notification_receive, payment_start
from omnipoint.testing import user_of

from .conftest import NOTIFY_URL, notification, place, post_notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(network, shopper):
    return place(shopper.user, network.a, sku=network.skus[0])


@pytest.fixture
def payment(order, shopper):
    return payment_start(actor=actor_for_user(user=shopper.user), order_id=order.pk)


def money_state(order: Order) -> dict[str, Any]:
    order.refresh_from_db()
    return {
        "order": (order.state, order.payment_state),
        "payments": list(
            Payment.objects.filter(order_id=order.pk).values_list("state", "counted", "refunded_amount")
        ),
        "balance": list(OrderBalance.objects.filter(order_id=order.pk).values_list("paid", "refunded")),
        "tasks": PickTask.objects.filter(order=order).count(),
        "events": list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True)),
    }


def test_intent_points_at_the_hosted_page_for_what_remains(order, payment):
    assert payment.amount == order.total == 95_00
    assert payment.state == "pending" and payment.provider == "sandbox"
    assert payment.pay_url == f"http://testserver/sandbox/pay/{payment.provider_ref}/"
    charge = SandboxCharge.objects.get(ref=payment.provider_ref)
    assert (charge.merchant_ref, charge.amount, charge.state) == (payment.number, 95_00, "pending")


def test_duplicate_notifications_are_applied_once(client, order, payment):
    body, signature = notification(payment)
    first = post_notification(client, body, signature)
    again = post_notification(client, body, signature)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"code": "SUCCESS", "message": "成功"}

    state = money_state(order)
    assert state["order"] == ("confirmed", "paid")
    assert state["payments"] == [("succeeded", True, 0)]
    assert state["balance"] == [(95_00, 0)]
    assert state["tasks"] == 1
    assert state["events"].count("paid") == 1 and state["events"].count("confirmed") == 1
    log = list(PaymentNotification.objects.order_by("pk").values_list("verified", "outcome", "payment_id"))
    assert log == [(True, "applied", payment.pk), (True, "duplicate", payment.pk)]


def test_the_gateways_own_notification_is_accepted(order, payment):
    charge = charge_pay(ref=payment.provider_ref)
    body, headers = notification_build(charge)
    assert (
        notification_receive(actor=SYSTEM, provider="sandbox", body=body, headers=headers)["code"]
        == "SUCCESS"
    )
    assert money_state(order)["order"] == ("confirmed", "paid")


@pytest.mark.parametrize("secret", ["wrong-key", ""])
def test_forged_signature_is_refused_logged_and_changes_nothing(client, order, payment, secret):
    before = money_state(order)
    body, signature = notification(payment, secret=secret)
    response = post_notification(client, body, signature)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"
    assert money_state(order) == before
    log = PaymentNotification.objects.get()
    assert (log.verified, log.outcome, log.payment_id, log.signature) == (
        False,
        "bad_signature",
        None,
        signature,
    )
    assert log.body == body.decode()


def test_unsigned_notification_is_refused(client, order, payment):
    body, _ = notification(payment)
    response = client.post(NOTIFY_URL, data=body, content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"
    assert Payment.objects.get().state == "pending"


@pytest.mark.parametrize("amount", [1, 95_01, 0])
def test_wrong_amount_is_refused_logged_and_changes_nothing(client, order, payment, amount):
    before = money_state(order)
    body, signature = notification(payment, amount=amount)
    response = post_notification(client, body, signature)
    assert response.status_code == 422
    assert response.json()["code"] == "amount_mismatch"
    assert money_state(order) == before
    log = PaymentNotification.objects.get()
    assert (log.verified, log.outcome, log.payment_id) == (True, "amount_mismatch", payment.pk)


def test_notification_for_another_transaction_or_unknown_payment_is_refused(client, order, payment):
    body, signature = notification(payment, transaction_id="SBX-someone-else")
    assert post_notification(client, body, signature).json()["code"] == "provider_ref_mismatch"
    payment.number = "PNOSUCH"
    body, signature = notification(payment)
    response = post_notification(client, body, signature)
    assert response.status_code == 404 and response.json()["code"] == "payment_not_found"
    assert Payment.objects.get().state == "pending"
    assert list(PaymentNotification.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "provider_ref_mismatch",
        "payment_not_found",
    ]


def test_malformed_and_unknown_provider_notifications_are_logged(client, order, payment):
    body = b"not json"
    from omnipoint.payments.domain import sign

    from .conftest import SECRET

    assert post_notification(client, body, sign(SECRET, body)).json()["code"] == "malformed_notification"
    response = client.post("/api/v1/payments/notify/nosuch", data=b"{}", content_type="application/json")
    assert response.status_code == 404 and response.json()["code"] == "provider_not_found"
    assert list(PaymentNotification.objects.order_by("pk").values_list("provider", "outcome")) == [
        ("sandbox", "malformed_notification"),
        ("nosuch", "provider_not_found"),
    ]


def test_failed_payment_notification_marks_the_payment_failed(client, order, payment):
    body, signature = notification(payment, state="PAYERROR")
    assert post_notification(client, body, signature).status_code == 200
    assert Payment.objects.get().state == "failed"
    assert money_state(order)["order"] == ("pending", "unpaid")


def test_notify_replays_with_an_idempotency_key(client, order, payment):
    body, signature = notification(payment)
    first = post_notification(client, body, signature, HTTP_IDEMPOTENCY_KEY="n-1")
    again = post_notification(client, body, signature, HTTP_IDEMPOTENCY_KEY="n-1")
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and again.content == first.content
    assert PaymentNotification.objects.count() == 1  # the replay never reached the service
    other, other_sig = notification(payment, amount=1)
    reused = post_notification(client, other, other_sig, HTTP_IDEMPOTENCY_KEY="n-1")
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"


def test_pay_endpoint_replays_with_an_idempotency_key(api, order, shopper):
    body = {"order_id": order.pk}
    headers = {**shopper.auth, "HTTP_IDEMPOTENCY_KEY": "pay-1"}
    first = api.post("/api/v1/payments/intents", body, headers)
    again = api.post("/api/v1/payments/intents", body, headers)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Payment.objects.count() == 1
    assert first.json()["pay_url"].startswith("http://testserver/sandbox/pay/")


def test_member_and_staff_in_scope_may_start_a_payment_others_not(api, network, order, shopper):
    url, body = "/api/v1/payments/intents", {"order_id": order.pk}
    assert api.post(url, body, shopper.auth).status_code == 201
    assert api.post(url, body, network.auth("outlet_clerk")).status_code == 201  # order picked up at A
    refused = api.post(url, body, network.auth("other_city_clerk"))
    assert refused.status_code == 404 and refused.json()["code"] == "order_not_found"
    from .conftest import make_shopper

    stranger = make_shopper("13900000099")
    assert api.post(url, body, stranger.auth).json()["code"] == "order_not_found"
    assert api.post(url, body).status_code == 401
    assert Payment.objects.count() == 1  # the same open intent was returned to the member and the clerk
    assert user_of("outlet_clerk")  # the persona exists
