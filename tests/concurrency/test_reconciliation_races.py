"""Repairing a lost notification while the real notification arrives at the same moment (real
threads, PostgreSQL): the order is paid exactly once, the repair recorded once; two imports of
one day at once leave one run."""

import pytest

from omnipoint.core.errors import ConflictError
from omnipoint.orders.models import Order, OrderEvent
from omnipoint.payments.models import OrderBalance, Payment, PaymentNotification, Refund
from omnipoint.payments.sandbox import statement_build
from omnipoint.reconciliation import services
from omnipoint.reconciliation.models import Difference, ReconRun, Resolution
from omnipoint.reconciliation.tests.world import day_build, notify

from .threads import raised, run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def sandbox_on(settings):
    from omnipoint.payments.tests.conftest import SECRET

    settings.SANDBOX_GATEWAY, settings.SANDBOX_PAY_SECRET, settings.SITE_URL = (
        True,
        SECRET,
        "http://testserver",
    )


def test_repair_and_the_real_notification_at_once_pay_the_order_once(network):
    w = day_build(net=network, paid=0, lost=1, refunds=0)
    (payment,) = w.lost
    run = services.statement_import(actor=w.hq, day=w.day, content=statement_build(day=w.day)).run
    (lost,) = Difference.objects.filter(run=run)

    def repair():  # type: ignore[no-untyped-def]
        return services.difference_repair(actor=w.hq, difference_id=lost.pk)

    results = run_together([repair, notify(payment), repair, notify(payment)])
    errors = raised(results)
    assert all(isinstance(e, ConflictError) and e.code == "already_resolved" for e in errors), errors
    assert len(errors) <= 1
    order = Order.objects.get(pk=payment.order_id)
    assert (order.state, order.payment_state) == ("confirmed", "paid")
    assert OrderBalance.objects.get(order_id=order.pk).paid == order.total == payment.amount
    assert Payment.objects.get(pk=payment.pk).counted and not Refund.objects.exists()
    assert OrderEvent.objects.filter(order=order, kind="paid").count() == 1
    outcomes = sorted(PaymentNotification.objects.values_list("outcome", flat=True))
    (resolution,) = Resolution.objects.all()
    assert (resolution.reason, resolution.difference_id) == ("repaired", lost.pk)
    assert sorted([*outcomes, resolution.outcome]).count("applied") == 1


def test_two_imports_of_one_day_at_once_leave_one_run(network):
    w = day_build(net=network, paid=2, lost=1, refunds=1)
    content = statement_build(day=w.day)
    results = run_together(
        [lambda: services.statement_import(actor=w.hq, day=w.day, content=content) for _ in range(3)]
    )
    assert not raised(results), raised(results)
    assert sorted(r.created for r in results) == [False, False, True]
    (run,) = ReconRun.objects.all()
    assert run.lines == 4 and Difference.objects.filter(run=run).count() == 1
