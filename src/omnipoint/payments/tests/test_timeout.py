"""The payment timeout: an unpaid online order past its deadline is cancelled and its hold
released, but the provider is asked first, so a payment made at the deadline wins; and a
notification that arrives after the cancel is refunded automatically."""

from datetime import timedelta

import pytest

from omnipoint.inventory.models import StockLevel
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.models import Order
from omnipoint.orders.services import orders_expire_unpaid
from omnipoint.orders.tasks import expire_unpaid_orders
from omnipoint.outlets.domain import SYSTEM
from omnipoint.payments.models import OrderBalance, Payment, PaymentNotification, Refund, SandboxCharge
from omnipoint.payments.sandbox import charge_pay, notification_build
from omnipoint.payments.services import payment_start

from .conftest import post_notification

pytestmark = pytest.mark.django_db


def available(network) -> int:
    row = StockLevel.objects.get(location=network.a, sku=network.skus[0])
    return row.on_hand - row.reserved


def after_deadline(order: Order):  # type: ignore[no-untyped-def]
    return order.payment_deadline + timedelta(seconds=1)


@pytest.fixture
def order(network, shopper):
    from .conftest import place

    start = available(network)
    order = place(shopper.user, network.a, sku=network.skus[0])
    assert available(network) == start - 1  # held for the order
    return order


def test_unpaid_online_order_past_its_deadline_is_cancelled_and_released(network, order, shopper):
    payment = payment_start(actor=actor_for_user(user=shopper.user), order_id=order.pk)  # started, never paid
    assert orders_expire_unpaid(actor=SYSTEM, now=order.payment_deadline - timedelta(seconds=1)) == 0
    assert orders_expire_unpaid(actor=SYSTEM, now=after_deadline(order)) == 1
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("cancelled", "unpaid")
    assert available(network) == 10  # the hold went back
    payment.refresh_from_db()
    assert payment.state == "pending" and Refund.objects.count() == 0


def test_the_periodic_task_runs_the_timeout(network, order, settings):
    settings.ORDER_PAYMENT_TIMEOUT_SECONDS = 0
    Order.objects.filter(pk=order.pk).update(payment_deadline=order.created_at)
    assert expire_unpaid_orders.call_local() == 1
    assert Order.objects.get(pk=order.pk).state == "cancelled"
    assert available(network) == 10


def test_payment_made_just_before_the_deadline_wins_over_the_timeout(network, order, shopper):
    payment = payment_start(actor=actor_for_user(user=shopper.user), order_id=order.pk)
    charge_pay(ref=payment.provider_ref)  # paid at the gateway; its notification is not delivered yet
    assert orders_expire_unpaid(actor=SYSTEM, now=after_deadline(order)) == 0
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("confirmed", "paid")
    assert available(network) == 9  # still held for the customer
    payment.refresh_from_db()
    assert (payment.state, payment.refunded_amount) == ("succeeded", 0)
    assert Refund.objects.count() == 0

    # The notification arrives afterwards: acknowledged, applied once already.
    body, headers = notification_build(SandboxCharge.objects.get(ref=payment.provider_ref))
    from django.test import Client

    response = post_notification(Client(), body, headers["X-Sandbox-Signature"])
    assert response.status_code == 200
    assert PaymentNotification.objects.get().outcome == "duplicate"
    assert OrderBalance.objects.get(order_id=order.pk).paid == order.total


def test_failed_charge_does_not_save_the_order(network, order, shopper):
    from omnipoint.payments.sandbox import charge_fail

    payment = payment_start(actor=actor_for_user(user=shopper.user), order_id=order.pk)
    charge_fail(ref=payment.provider_ref)
    assert orders_expire_unpaid(actor=SYSTEM, now=after_deadline(order)) == 1
    payment.refresh_from_db()
    assert payment.state == "failed"
    assert Order.objects.get(pk=order.pk).state == "cancelled"


def test_notification_after_the_cancel_is_refunded_automatically(client, network, order, shopper):
    payment = payment_start(actor=actor_for_user(user=shopper.user), order_id=order.pk)
    assert orders_expire_unpaid(actor=SYSTEM, now=after_deadline(order)) == 1  # nothing paid yet: cancelled
    charge = charge_pay(ref=payment.provider_ref)  # the customer pays on a page left open
    body, headers = notification_build(charge)
    response = post_notification(client, body, headers["X-Sandbox-Signature"])
    assert response.status_code == 200  # acknowledged, or the gateway would keep retrying

    payment.refresh_from_db()
    assert (payment.state, payment.counted, payment.refunded_amount) == ("succeeded", False, order.total)
    assert "cancelled" in payment.note
    refund = Refund.objects.get()
    assert (refund.payment_id, refund.amount, refund.state) == (payment.pk, order.total, "succeeded")
    assert "cancelled" in refund.reason
    assert SandboxCharge.objects.get(pk=charge.pk).refunded == order.total
    order.refresh_from_db()
    assert order.state == "cancelled"
    assert available(network) == 10
    assert PaymentNotification.objects.get().outcome == "refunded_cancelled"


def test_paying_after_the_deadline_is_refused(order, shopper):
    from omnipoint.core.errors import DomainError

    Order.objects.filter(pk=order.pk).update(payment_deadline=order.created_at)
    with pytest.raises(DomainError) as exc:
        payment_start(actor=actor_for_user(user=shopper.user), order_id=order.pk)
    assert exc.value.code == "payment_expired"
    assert Payment.objects.count() == 0
