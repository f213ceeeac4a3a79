"""Bill payment under real concurrency on PostgreSQL: one agent float spent from many threads,
one bill paid from two outlets at once, and the biller's confirmation racing the reversal. After
each: nothing below zero, the books balance (check_ledger), and each bill paid once at most."""

import pytest

from omnipoint.billpay import sandbox, services
from omnipoint.billpay.domain import PayState
from omnipoint.billpay.models import BillPayment, SandboxBill
from omnipoint.billpay.tests.conftest import POWER, build_bills
from omnipoint.core.errors import DomainError
from omnipoint.ledger.checks import ledger_breaches
from omnipoint.ledger.domain import AccountKind
from omnipoint.ledger.models import Account
from omnipoint.ledger.selectors import balance
from omnipoint.outlets.domain import SYSTEM

from .threads import raised, run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture
def quiet_biller(settings):
    settings.SANDBOX_BILLER_AUTOCONFIRM = False
    settings.SANDBOX_BILLER_FAULTS = {}
    return settings


def test_one_agent_float_spent_from_many_threads_never_goes_below_zero(network, quiet_biller):
    bills = build_bills(network, float_fen=0)
    accounts = [bills.power.account(i) for i in range(16)]
    amounts = {a: bills.power.lookup(a).amount for a in accounts}
    funded = sum(sorted(amounts.values())[:6])  # covers six of the cheapest, fewer of the dearer
    services.float_fund(actor=SYSTEM, outlet_id=bills.agent.pk, amount=funded, key="opening")

    def pay(account):
        return services.bill_pay(
            actor=bills.agent_clerk,
            outlet_id=bills.agent.pk,
            biller=POWER,
            account=account,
            amount=amounts[account],
        )

    results = run_together([lambda a=a: pay(a) for a in accounts])
    refused = raised(results)
    assert all(isinstance(e, DomainError) and e.code == "float_short" for e in refused), refused
    paid = [r for r in results if not isinstance(r, BaseException)]
    assert paid and all(p.state == PayState.HELD for p in paid)
    left = balance(kind=AccountKind.AGENT_FLOAT, owner_id=bills.agent.pk)
    assert left == funded - sum(p.amount for p in paid) >= 0
    float_account = Account.objects.get(kind=AccountKind.AGENT_FLOAT, owner_id=bills.agent.pk)
    assert float_account.credits_posted - float_account.debits_posted - float_account.debits_pending >= 0
    refused_accounts = set(accounts) - {p.account for p in paid}
    assert all(amounts[a] > left for a in refused_accounts)  # each refused bill really did not fit
    assert BillPayment.objects.count() == len(paid)
    assert ledger_breaches() == []


def test_one_bill_paid_from_two_outlets_at_once_is_paid_once(network, quiet_biller):
    bills = build_bills(network)
    account = bills.power.account(0)
    amount = bills.power.lookup(account).amount
    at = [(bills.agent_clerk, bills.agent), (bills.clerk_a, bills.net.a)] * 4

    def pay(actor, outlet):
        return services.bill_pay(
            actor=actor, outlet_id=outlet.pk, biller=POWER, account=account, amount=amount
        )

    results = run_together([lambda a=a, o=o: pay(a, o) for a, o in at])
    refused = raised(results)
    assert all(isinstance(e, DomainError) and e.code in {"bill_already_paid", "nothing_due"} for e in refused)
    assert len(results) - len(refused) == 1
    assert BillPayment.objects.exclude(state=PayState.REVERSED).count() == 1
    assert SandboxBill.objects.count() == 1
    assert ledger_breaches() == []


def test_a_confirmation_racing_the_reversal_ends_paid_once_or_reversed(network, quiet_biller):
    bills = build_bills(network)
    outcomes = set()
    for i in range(6):
        account = bills.power.account(i)
        quiet_biller.SANDBOX_BILLER_FAULTS = {account: "slow"}  # accepted, confirmed only when we say
        payment = services.bill_pay(
            actor=bills.agent_clerk, outlet_id=bills.agent.pk, biller=POWER, account=account,
            amount=bills.power.lookup(account).amount,
        )  # fmt: skip
        before = balance(kind=AccountKind.AGENT_FLOAT, owner_id=bills.agent.pk) + payment.amount
        BillPayment.objects.filter(pk=payment.pk).update(deadline=payment.created_at)

        def biller_confirms(p=payment):
            row = sandbox.bill_confirm(bill_ref=p.bill_ref)
            if row is None:
                return "reversed first"
            body, headers = sandbox.callback_build(row)
            try:
                return services.callback_receive(actor=SYSTEM, biller=POWER, body=body, headers=headers)
            except DomainError as e:
                return e.code

        results = run_together(
            [biller_confirms, lambda p=payment: services.payment_settle(actor=SYSTEM, payment_id=p.pk)]
        )
        assert not raised(results), raised(results)
        payment.refresh_from_db()
        row = SandboxBill.objects.get(bill_ref=payment.bill_ref)
        float_now = balance(kind=AccountKind.AGENT_FLOAT, owner_id=bills.agent.pk)
        if payment.state == PayState.PAID:
            assert row.state == "paid" and float_now == before - payment.amount
        else:
            assert payment.state == PayState.REVERSED and row.state == "reversed" and float_now == before
            assert results[0] in {"reversed first", "payment_reversed"}
        outcomes.add(payment.state)
        assert ledger_breaches() == []
    assert outcomes <= {PayState.PAID, PayState.REVERSED}


def test_a_gateway_notification_racing_the_deadline_ends_paid_once_or_refunded(network, quiet_biller):
    """A bill paid online: the payer pays at the gateway just as the sweep gives the payment
    up. Either the money is in first (held, then paid by the biller once) or the sweep is (the
    payment reversed and the charge refunded in full): never both, never neither."""
    from omnipoint.members.services import member_get_or_create
    from omnipoint.outlets.domain import MemberActor
    from omnipoint.payments.models import SandboxCharge
    from omnipoint.payments.sandbox import charge_pay, notification_build
    from omnipoint.payments.services import notification_receive

    bills = build_bills(network)
    member = member_get_or_create(actor=SYSTEM, mobile="13800138000")
    outcomes = set()
    for i in range(6):
        account = bills.power.account(i)
        payment = services.bill_pay_gateway(
            actor=MemberActor(user_id=None, member_id=member.pk), biller=POWER, account=account,
            amount=bills.power.lookup(account).amount,
        )  # fmt: skip
        BillPayment.objects.filter(pk=payment.pk).update(deadline=payment.created_at)

        def payer_pays(p=payment):
            charge = charge_pay(ref=p.gateway_ref)
            body, headers = notification_build(charge)
            return notification_receive(actor=SYSTEM, provider="sandbox", body=body, headers=headers)

        def sweep(p=payment):
            return services.payment_settle(actor=SYSTEM, payment_id=p.pk)

        results = run_together([payer_pays, sweep] if i % 2 else [sweep, payer_pays])
        assert not raised(results), raised(results)
        payment.refresh_from_db()
        if payment.state == PayState.HELD:  # the money won: the biller takes it once
            row = sandbox.bill_confirm(bill_ref=payment.bill_ref)
            body, headers = sandbox.callback_build(row)
            services.callback_receive(actor=SYSTEM, biller=POWER, body=body, headers=headers)
            payment.refresh_from_db()
        charge = SandboxCharge.objects.get(ref=payment.gateway_ref)
        if payment.state == PayState.PAID:
            assert charge.refunded == 0 and payment.refunded_at is None
            assert SandboxBill.objects.get(bill_ref=payment.bill_ref).state == "paid"
        else:
            assert payment.state == PayState.REVERSED and charge.refunded == charge.amount
            assert not SandboxBill.objects.filter(bill_ref=payment.bill_ref, state="paid").exists()
        outcomes.add(payment.state)
        assert ledger_breaches() == []
    assert balance(kind=AccountKind.BILLER_PAYABLE) == sum(
        BillPayment.objects.filter(state=PayState.PAID).values_list("amount", flat=True)
    )
