"""Payments under real concurrency on PostgreSQL: real threads, real transactions, one
connection each. The same notification delivered many times at once is applied once; racing
refunds never exceed the payment; a payment and a cancel or the timeout never both win."""

from datetime import timedelta
from typing import Any

import pytest
from tests.concurrency.threads import raised, run_together

from omnipoint.core.errors import DomainError
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.models import Order, OrderEvent, PickTask
from omnipoint.orders.services import order_cancel, orders_expire_unpaid
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.models import OrderBalance, Payment, PaymentNotification, Refund, SandboxCharge
from omnipoint.payments.sandbox import SIGNATURE_HEADER
from omnipoint.payments.services import notification_receive, payment_refund, payment_start, refund_to_tenders
from omnipoint.testing import user_of

from .conftest import make_shopper, notification, place

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def started(network: Any, *, n: int = 0, paid_at_gateway: bool = True) -> tuple[Order, Payment]:
    shopper = make_shopper(f"139000001{n:02d}")
    order = place(shopper.user, network.a, sku=network.skus[0])
    payment = payment_start(actor=actor_for_user(user=shopper.user), order_id=order.pk)
    if paid_at_gateway:  # the gateway's side, as its hosted page would leave it
        SandboxCharge.objects.filter(ref=payment.provider_ref).update(state="paid")
    return order, payment


def deliver(payment: Payment) -> Any:
    body, signature = notification(payment)
    return lambda: notification_receive(
        actor=SYSTEM, provider="sandbox", body=body, headers={SIGNATURE_HEADER: signature}
    )


def test_the_same_notification_from_ten_threads_is_applied_once(live_network):
    order, payment = started(live_network)
    results = run_together([deliver(payment) for _ in range(10)])

    assert raised(results) == []
    assert all(r == {"code": "SUCCESS", "message": "成功"} for r in results)
    outcomes = sorted(PaymentNotification.objects.values_list("outcome", flat=True))
    assert outcomes == ["applied"] + ["duplicate"] * 9
    payment.refresh_from_db()
    assert (payment.state, payment.counted, payment.refunded_amount) == ("succeeded", True, 0)
    assert OrderBalance.objects.get(order_id=order.pk).paid == order.total
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("confirmed", "paid")
    assert OrderEvent.objects.filter(order=order, kind="paid").count() == 1
    assert PickTask.objects.filter(order=order).count() == 1


def test_racing_refunds_never_exceed_the_payment(live_network):
    order, payment = started(live_network)
    deliver(payment)()
    actor = actor_get(user=user_of("outlet_clerk"))

    def by_staff() -> Any:
        return payment_refund(actor=actor, payment_id=payment.pk, amount=20_00, reason="race")

    def by_return() -> Any:
        return refund_to_tenders(actor=SYSTEM, order_id=order.pk, amount=20_00, reason="race")

    results = run_together([by_staff, by_return] * 6)

    errors = raised(results)
    assert all(isinstance(e, DomainError) and e.code == "refund_exceeds_payment" for e in errors), errors
    assert len(errors) == 12 - 4  # 95.00 holds four refunds of 20.00
    payment.refresh_from_db()
    refunds = list(Refund.objects.filter(payment=payment).values_list("amount", flat=True))
    assert payment.refunded_amount == sum(refunds) == 80_00 == len(refunds) * 20_00
    assert SandboxCharge.objects.get(ref=payment.provider_ref).refunded == 80_00
    assert OrderBalance.objects.get(order_id=order.pk).refunded == 80_00
    assert Order.objects.get(pk=order.pk).payment_state == "partly_refunded"


def test_payment_at_the_deadline_never_loses_to_the_timeout(live_network):
    for n in range(3):
        order, payment = started(live_network, n=n)
        deadline = order.payment_deadline + timedelta(seconds=1)
        results = run_together(
            [deliver(payment), lambda d=deadline: orders_expire_unpaid(actor=SYSTEM, now=d)]
        )
        assert raised(results) == []
        order.refresh_from_db()
        payment.refresh_from_db()
        assert (order.state, order.payment_state) == ("confirmed", "paid")
        assert (payment.state, payment.refunded_amount) == ("succeeded", 0)


def test_a_payment_racing_a_cancel_is_always_given_back(live_network):
    for n in range(3):
        order, payment = started(live_network, n=n)
        results = run_together(
            [deliver(payment), lambda o=order: order_cancel(actor=SYSTEM, order_id=o.pk, reason="race")]
        )
        assert raised(results) == []
        order.refresh_from_db()
        payment.refresh_from_db()
        assert order.state == "cancelled"
        assert (payment.state, payment.refunded_amount) == ("succeeded", payment.amount)
        assert SandboxCharge.objects.get(ref=payment.provider_ref).refunded == payment.amount
