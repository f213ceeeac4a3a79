"""Refunds go back to the original tenders, most recent first, never past what each paid;
the order's payment_state follows."""

from typing import Any

import pytest

from omnipoint.core.errors import DomainError
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.models import Order
from omnipoint.orders.services import order_cancel
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.models import OrderBalance, Payment, Refund, SandboxCharge
from omnipoint.payments.services import payment_capture, payment_refund, payment_start, refund_to_tenders
from omnipoint.testing import user_of

from .conftest import pay_at_gateway, place

pytestmark = pytest.mark.django_db


def clerk(persona: str = "outlet_clerk") -> Any:
    return actor_get(user=user_of(persona))


@pytest.fixture
def split_order(client, network, shopper):
    """95.00 paid 45.00 in cash at A, then 50.00 online: the online tender is the most recent."""
    order = place(shopper.user, network.a, sku=network.skus[0])
    cash = payment_capture(actor=clerk(), order_id=order.pk, method="cash", amount=45_00)
    online = payment_start(actor=actor_for_user(user=shopper.user), order_id=order.pk)
    pay_at_gateway(client, online)
    cash.refresh_from_db()
    online.refresh_from_db()
    order.refresh_from_db()
    assert order.payment_state == "paid"
    return order, cash, online


def refunded(payment: Payment) -> int:
    payment.refresh_from_db()
    return payment.refunded_amount


def test_refund_goes_back_to_each_tender_most_recent_first(split_order):
    order, cash, online = split_order
    first = refund_to_tenders(actor=SYSTEM, order_id=order.pk, amount=30_00, reason="return 1")
    assert [(r.payment_id, r.amount) for r in first] == [(online.pk, 30_00)]
    order.refresh_from_db()
    assert order.payment_state == "partly_refunded"

    rest = refund_to_tenders(actor=SYSTEM, order_id=order.pk, amount=None, reason="return 2")
    assert [(r.payment_id, r.amount) for r in rest] == [(online.pk, 20_00), (cash.pk, 45_00)]
    assert (refunded(online), refunded(cash)) == (50_00, 45_00)
    assert SandboxCharge.objects.get(ref=online.provider_ref).refunded == 50_00  # through the gateway
    assert all(r.state == "succeeded" and r.provider_ref for r in Refund.objects.all())
    assert Refund.objects.get(payment=cash).provider_ref.startswith("cash-refund-")
    order.refresh_from_db()
    assert order.payment_state == "refunded"
    assert refund_to_tenders(actor=SYSTEM, order_id=order.pk, amount=None, reason="nothing left") == []


def test_refund_beyond_what_was_paid_changes_nothing(split_order):
    order, cash, online = split_order
    refund_to_tenders(actor=SYSTEM, order_id=order.pk, amount=10_00, reason="part")
    with pytest.raises(DomainError) as exc:
        refund_to_tenders(actor=SYSTEM, order_id=order.pk, amount=85_01, reason="too much")
    assert exc.value.code == "refund_exceeds_payment"
    assert (refunded(online), refunded(cash)) == (10_00, 0)
    assert Refund.objects.count() == 1
    assert OrderBalance.objects.get(order_id=order.pk).refunded == 10_00


def test_staff_refund_one_tender_in_part_through_the_api(api, split_order, network):
    order, cash, online = split_order
    url = f"/api/v1/payments/{cash.pk}/refund"
    response = api.post(url, {"amount": 20_00, "reason": "scratched box"}, network.auth("outlet_clerk"))
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == 20_00 and response.json()["payment_id"] == cash.pk
    too_much = api.post(url, {"amount": 25_01}, network.auth("outlet_clerk"))
    assert too_much.status_code == 409 and too_much.json()["code"] == "refund_exceeds_payment"
    out_of_scope = api.post(url, {"amount": 1}, network.auth("other_city_clerk"))
    assert out_of_scope.status_code == 404 and out_of_scope.json()["code"] == "payment_not_found"
    rest = api.post(url, {"full": True}, network.auth("outlet_clerk"))  # all that is left of the cash tender
    assert rest.status_code == 201 and rest.json()["amount"] == 25_00
    assert (refunded(cash), refunded(online)) == (45_00, 0)
    order.refresh_from_db()
    assert order.payment_state == "partly_refunded"
    missing = api.post("/api/v1/payments/999999/refund", {"full": True}, network.auth("outlet_clerk"))
    assert missing.status_code == 404


def test_refund_api_replays_with_an_idempotency_key(api, split_order, network):
    order, cash, online = split_order
    headers = {**network.auth("outlet_clerk"), "HTTP_IDEMPOTENCY_KEY": "refund-1"}
    url = f"/api/v1/payments/{online.pk}/refund"
    first = api.post(url, {"amount": 10_00}, headers)
    again = api.post(url, {"amount": 10_00}, headers)
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Refund.objects.count() == 1 and refunded(online) == 10_00


def test_cancelling_a_paid_order_refunds_every_tender(split_order):
    order, cash, online = split_order
    order_cancel(actor=SYSTEM, order_id=order.pk, reason="customer changed mind")
    assert (refunded(online), refunded(cash)) == (50_00, 45_00)
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("cancelled", "refunded")


def test_cancelling_a_partly_paid_order_gives_the_cash_back(network, shopper):
    order = place(shopper.user, network.a, sku=network.skus[0])
    cash = payment_capture(actor=clerk(), order_id=order.pk, method="cash", amount=45_00)
    order_cancel(actor=SYSTEM, order_id=order.pk, reason="gave up")
    assert refunded(cash) == 45_00
    order.refresh_from_db()
    assert order.payment_state == "refunded"


def test_a_tender_of_an_order_still_awaiting_payment_is_not_refunded_piecemeal(network, shopper):
    order = place(shopper.user, network.a, sku=network.skus[0])
    cash = payment_capture(actor=clerk(), order_id=order.pk, method="cash", amount=45_00)
    with pytest.raises(DomainError) as exc:
        payment_refund(actor=clerk(), payment_id=cash.pk, amount=10_00)
    assert exc.value.code == "order_not_paid"
    assert refunded(cash) == 0 and Order.objects.get(pk=order.pk).payment_state == "unpaid"


def test_a_pending_payment_is_not_refunded(network, shopper):
    order = place(shopper.user, network.a, sku=network.skus[0])
    online = payment_start(actor=actor_for_user(user=shopper.user), order_id=order.pk)
    with pytest.raises(DomainError) as exc:
        payment_refund(actor=clerk(), payment_id=online.pk, full=True)
    assert exc.value.code == "payment_not_succeeded"
    assert Refund.objects.count() == 0
