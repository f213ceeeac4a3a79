"""A virtual item's provider confirmation racing our timeout on PostgreSQL: each top-up ends
fulfilled once or refunded once, never both, and the books balance."""

from datetime import timedelta

import pytest

from omnipoint.ledger.checks import ledger_breaches
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.models import Order, OrderEvent, OrderReturn
from omnipoint.orders.services import LineRequest, order_place
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.models import OrderBalance
from omnipoint.payments.services import payment_capture
from omnipoint.testing import services_and_virtual, user_of
from omnipoint.virtuals import sandbox
from omnipoint.virtuals.models import SandboxTopUp, VirtualFulfilment
from omnipoint.virtuals.services import virtual_callback_receive, virtual_send, virtuals_settle_overdue

from .threads import raised, run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]
ROUNDS = 6


def _paid_top_up(outlet_id: int, topup_id: int, n: int) -> Order:
    clerk = user_of("outlet_clerk")
    order = order_place(
        actor=actor_for_user(user=clerk),
        channel="pos",
        method="counter",
        payment_mode="counter",
        origin_outlet_id=outlet_id,
        lines=[LineRequest(sku_id=topup_id, quantity=1, target=f"1390013{9100 + n:04d}")],
    )
    payment_capture(actor=actor_get(user=clerk), order_id=order.pk, method="cash")
    return order


def test_a_confirmation_racing_the_timeout_settles_each_top_up_once(network, settings):
    settings.SANDBOX_VIRTUAL_AUTOCONFIRM = False
    _, topup = services_and_virtual(network)
    orders = [_paid_top_up(network.a.pk, topup.pk, n) for n in range(ROUNDS)]
    for row in VirtualFulfilment.objects.order_by("pk"):
        assert virtual_send(actor=SYSTEM, fulfilment_id=row.pk) == "requested"

    def confirm(row: VirtualFulfilment) -> str:
        settled = sandbox.topup_settle(merchant_ref=row.merchant_ref)
        if settled is None:
            return "dropped"
        body, headers = sandbox.callback_build(settled)
        return virtual_callback_receive(actor=SYSTEM, provider="sandbox", body=body, headers=headers)

    rows = list(VirtualFulfilment.objects.order_by("pk"))
    late = max(r.deadline for r in rows) + timedelta(seconds=1)
    workers = [lambda r=r: confirm(r) for r in rows]
    workers += [lambda: virtuals_settle_overdue(actor=SYSTEM, now=late) for _ in range(2)]
    results = run_together(workers)
    assert raised(results) == []
    for order, row in zip(orders, rows, strict=True):
        row.refresh_from_db()
        order.refresh_from_db()
        balance = OrderBalance.objects.get(order_id=order.pk)
        carrier = SandboxTopUp.objects.get(merchant_ref=row.merchant_ref).state
        events = list(
            OrderEvent.objects.filter(order=order, kind__startswith="virtual_").values_list("kind", flat=True)
        )
        given_back = OrderReturn.objects.filter(order=order).count()
        if row.state == "fulfilled":
            assert (carrier, balance.refunded, given_back, events) == ("done", 0, 0, ["virtual_fulfilled"])
            assert order.payment_state == "paid"
        else:
            assert row.state == "refused" and row.reason == "timed_out"
            assert (carrier, balance.refunded, given_back, events) == (
                "reversed",
                50_00,
                1,
                ["virtual_refused"],
            )
            assert order.payment_state == "refunded"
    assert ledger_breaches() == []
