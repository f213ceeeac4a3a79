"""Bills paid online by the gateway are matched like order payments: one notified matches, one
whose notification was lost is repaired through billpay's own step; matching the day again keeps
the imported lines and the resolutions, and finds nothing twice."""

from datetime import datetime, time

import pytest

from omnipoint.billpay import services as billpay
from omnipoint.billpay.domain import PayState
from omnipoint.billpay.models import BillPayment
from omnipoint.billpay.tests.conftest import POWER, build_bills
from omnipoint.members.services import member_get_or_create, member_user_ensure
from omnipoint.outlets.domain import SYSTEM, MemberActor
from omnipoint.payments.sandbox import charge_pay, statement_build
from omnipoint.reconciliation import selectors, services
from omnipoint.reconciliation.domain import BUSINESS_TZ, DiffKind
from omnipoint.reconciliation.models import Difference, StatementLine

from .world import day_build, notify, to_yesterday

pytestmark = pytest.mark.django_db


def _bill_online(bills, member, i):
    account = bills.power.account(i)
    payment = billpay.bill_pay_gateway(
        actor=member, biller=POWER, account=account, amount=bills.power.lookup(account).amount
    )
    charge_pay(ref=payment.gateway_ref)  # the payer pays on the gateway's page
    return payment


def test_bills_paid_online_match_and_a_lost_one_is_repaired_then_the_day_matched_again(settings):
    settings.SANDBOX_BILLER_AUTOCONFIRM, settings.SANDBOX_BILLER_FAULTS = False, {}
    w = day_build(paid=1, lost=0, refunds=0)  # an order paid online, notified
    bills = build_bills(w.net)
    m = member_user_ensure(actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile="13800138000"))
    member = MemberActor(user_id=m.user_id, member_id=m.pk)
    heard, lost, late = (_bill_online(bills, member, i) for i in range(3))
    notify_bill = billpay.bill_gateway_sync(actor=SYSTEM, number=heard.number)  # its money is in
    assert notify_bill.state == PayState.HELD
    to_yesterday(w.day)
    BillPayment.objects.update(created_at=datetime.combine(w.day, time(12), tzinfo=BUSINESS_TZ))

    run = services.statement_import(actor=w.hq, day=w.day, content=statement_build(day=w.day)).run
    found = {d.merchant_ref: (d.kind, d.bill_id) for d in Difference.objects.filter(run=run)}
    assert found == {
        lost.number: (DiffKind.LOST_NOTIFICATION, lost.pk),
        late.number: (DiffKind.LOST_NOTIFICATION, late.pk),
    }  # not "unknown here": the bills are ours
    assert (run.lines, run.matched) == (4, 2)
    lines = list(StatementLine.objects.values_list("pk", "amount", "fee", "state"))

    by_ref = {d.merchant_ref: d.pk for d in Difference.objects.filter(run=run)}
    repaired = services.difference_repair(actor=w.hq, difference_id=by_ref[lost.number])
    assert (repaired.reason, repaired.outcome) == ("repaired", "bill_held")
    assert BillPayment.objects.get(pk=lost.pk).state == PayState.HELD  # the biller is asked next
    services.difference_resolve(
        actor=w.hq, difference_id=by_ref[late.number], reason="timing", note="次日补单"
    )
    notify(w.paid[0])()  # a late duplicate of the order's notification changes nothing

    again = services.run_rematch(actor=w.hq, day=w.day)
    run.refresh_from_db()
    assert (again.before, again.after, run.matched) == (0, 0, 3)  # the repaired bill matches now
    assert run.rematched_by_id == w.hq.user_id and run.rematched_at is not None
    assert selectors.kind_counts(run)[DiffKind.LOST_NOTIFICATION] == (2, 0)  # resolved, kept, once
    assert list(StatementLine.objects.values_list("pk", "amount", "fee", "state")) == lines
    paid = {t.measure: t for t in selectors.three_way(run)}["paid"]
    assert paid.statement == paid.ours + late.amount  # the late bill is still only the provider's
