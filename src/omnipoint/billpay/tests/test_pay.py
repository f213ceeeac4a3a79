"""Paying a bill at the counter, through the services: held, asked, captured or reversed; the
agent's float on the ledger; one bill paid once; retries; the biller's signed callback."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from omnipoint.billpay import sandbox, selectors, services
from omnipoint.billpay.domain import PayState
from omnipoint.billpay.models import BillerCallback, BillPayment, SandboxBill
from omnipoint.core.errors import DomainError
from omnipoint.ledger.domain import AccountKind
from omnipoint.ledger.models import Posting
from omnipoint.ledger.selectors import balance
from omnipoint.outlets.domain import SYSTEM

from .conftest import POWER, agent_outlet

pytestmark = pytest.mark.django_db


def due(bills, i):
    account = bills.power.account(i)
    return account, bills.power.lookup(account).amount


def pay(bills, i, *, at="agent", key=""):
    account, amount = due(bills, i)
    actor, outlet = (bills.agent_clerk, bills.agent) if at == "agent" else (bills.clerk_a, bills.net.a)
    return services.bill_pay(
        actor=actor, outlet_id=outlet.pk, biller=POWER, account=account, amount=amount, key=key
    )


def confirm(payment):
    row = sandbox.bill_confirm(bill_ref=payment.bill_ref)
    body, headers = sandbox.callback_build(row)
    return services.callback_receive(actor=SYSTEM, biller=POWER, body=body, headers=headers)


def float_of(bills):
    return balance(kind=AccountKind.AGENT_FLOAT, owner_id=bills.agent.pk)


def test_the_same_account_owes_the_same_bill_on_every_run(bills):
    account = bills.power.account(0)
    a, b = bills.power.lookup(account), bills.power.lookup(account)
    assert a == b and a.amount > 0 and "*" in a.masked_name and a.bill_ref.endswith(a.period)


def test_a_counter_payment_is_held_then_paid_by_the_biller_callback(bills):
    payment = pay(bills, 0, at="counter")
    assert payment.state == PayState.HELD and payment.biller_ref
    assert confirm(payment) == "paid"
    payment.refresh_from_db()
    assert payment.state == PayState.PAID and payment.why["kind"] == "bill.confirmed"
    assert balance(kind=AccountKind.BILLER_PAYABLE) == payment.amount
    assert bills.power.lookup(payment.account).amount == 0  # nothing due any more


def test_an_agent_payment_holds_the_float_and_captures_it_with_a_rebate(bills):
    before = float_of(bills)
    payment = pay(bills, 0)
    assert float_of(bills) == before - payment.amount  # held: not spendable twice
    confirm(payment)
    payment.refresh_from_db()
    assert payment.state == PayState.PAID and payment.rebate == 20
    assert float_of(bills) == before - payment.amount
    assert balance(kind=AccountKind.AGENT_REBATE, owner_id=bills.agent.pk) == 20
    call_command("check_ledger")


def test_a_short_float_refuses_the_payment_and_changes_nothing(bills):
    account, amount = due(bills, 0)
    poor = agent_outlet("SH-K2")
    services.outlet_enrol(actor=SYSTEM, outlet_id=poor.pk)
    services.float_fund(actor=SYSTEM, outlet_id=poor.pk, amount=amount - 1, key="opening")
    before = snapshot()
    with pytest.raises(DomainError) as e:
        services.bill_pay(actor=SYSTEM, outlet_id=poor.pk, biller=POWER, account=account, amount=amount)
    assert e.value.code == "float_short" and e.value.status == 409
    assert e.value.details == {"available": amount - 1, "needed": amount}
    assert snapshot() == before


def snapshot():
    return (
        list(BillPayment.objects.values_list("pk", "state")),
        list(SandboxBill.objects.values_list("pk", "state")),
        list(Posting.objects.values_list("pk", flat=True)),
    )


def test_one_bill_is_paid_once_and_a_retry_returns_the_first(bills):
    first = pay(bills, 0, at="counter", key="k1")
    account = first.account
    again = services.bill_pay(
        actor=bills.clerk_a,
        outlet_id=bills.net.a.pk,
        biller=POWER,
        account=account,
        amount=first.amount,
        key="k1",
    )
    assert again.pk == first.pk
    with pytest.raises(DomainError) as e:  # the biller says nothing is due while it is held
        services.bill_pay(
            actor=bills.agent_clerk,
            outlet_id=bills.agent.pk,
            biller=POWER,
            account=account,
            amount=first.amount,
        )
    assert e.value.code == "nothing_due"
    with pytest.raises(DomainError) as e:
        services.bill_pay(
            actor=bills.clerk_a, outlet_id=bills.net.a.pk, biller=POWER, account=account, amount=5, key="k1"
        )
    assert e.value.code == "idempotency_key_reused"
    assert BillPayment.objects.count() == 1


def test_our_unique_bill_reference_refuses_a_second_payment_even_if_the_biller_forgets(bills, monkeypatch):
    first = pay(bills, 0, at="counter")
    monkeypatch.setattr(
        SandboxBill.objects, "filter", lambda **kw: SandboxBill.objects.none()
    )  # a forgetful biller
    account = first.account
    with pytest.raises(DomainError) as e:
        services.bill_pay(
            actor=bills.agent_clerk,
            outlet_id=bills.agent.pk,
            biller=POWER,
            account=account,
            amount=first.amount,
        )
    assert e.value.code == "bill_already_paid"
    monkeypatch.undo()
    assert BillPayment.objects.count() == 1


def test_a_refusal_by_the_biller_reverses_and_gives_the_float_back(bills, settings):
    account, _ = due(bills, 0)
    settings.SANDBOX_BILLER_FAULTS = {account: "amount_changed"}
    before = float_of(bills)
    payment = pay(bills, 0)
    assert payment.state == PayState.REVERSED and payment.why == {
        "kind": "bill.amount_changed", "params": {"reason": "amount_changed"}
    }  # fmt: skip
    assert float_of(bills) == before
    settings.SANDBOX_BILLER_FAULTS = {}
    assert pay(bills, 0).state == PayState.HELD  # the bill is free to pay again


@pytest.mark.parametrize("fault", ["closed"])
def test_a_closed_account_is_refused_before_anything_is_held(bills, settings, fault):
    account, _ = due(bills, 0)
    settings.SANDBOX_BILLER_FAULTS = {account: fault}
    with pytest.raises(DomainError) as e:
        services.bill_pay(
            actor=bills.agent_clerk, outlet_id=bills.agent.pk, biller=POWER, account=account, amount=100
        )
    assert e.value.code == "account_closed" and not BillPayment.objects.exists()


def overdue(payment):
    BillPayment.objects.filter(pk=payment.pk).update(deadline=timezone.now() - timedelta(seconds=1))


def test_a_biller_timeout_is_reversed_after_the_deadline_once_the_biller_agrees(bills, settings):
    account, _ = due(bills, 0)
    settings.SANDBOX_BILLER_FAULTS = {account: "timeout"}
    before = float_of(bills)
    payment = pay(bills, 0)
    assert payment.state == PayState.HELD
    assert services.payments_settle_overdue(actor=SYSTEM) == 0  # not yet past its deadline
    overdue(payment)
    assert services.payments_settle_overdue(actor=SYSTEM) == 1
    payment.refresh_from_db()
    assert payment.state == PayState.REVERSED and payment.why["kind"] == "bill.timed_out"
    assert float_of(bills) == before and SandboxBill.objects.get().state == "reversed"
    assert sandbox.bill_confirm(bill_ref=payment.bill_ref) is None  # the biller can no longer book it
    call_command("check_ledger")


def test_a_confirmation_that_beats_the_reversal_wins(bills, settings):
    """The biller books the bill after our deadline but before the sweep asks it to reverse:
    the sweep finds it paid and captures; the callback arriving later changes nothing."""
    account, _ = due(bills, 0)
    settings.SANDBOX_BILLER_FAULTS = {account: "slow"}
    payment = pay(bills, 0)
    overdue(payment)
    row = sandbox.bill_confirm(bill_ref=payment.bill_ref)
    assert services.payment_settle(actor=SYSTEM, payment_id=payment.pk) == "paid"
    body, headers = sandbox.callback_build(row)
    assert services.callback_receive(actor=SYSTEM, biller=POWER, body=body, headers=headers) == "paid"
    payment.refresh_from_db()
    assert payment.state == PayState.PAID
    assert (
        Posting.objects.filter(reference=f"bill:{payment.number}", code="bill_pay").count() == 2
    )  # hold + post
    call_command("check_ledger")


def test_forged_expired_and_replayed_callbacks_are_refused_and_change_nothing(bills):
    payment = pay(bills, 0)
    row = sandbox.bill_confirm(bill_ref=payment.bill_ref)
    body, headers = sandbox.callback_build(row)
    forged = body.replace(b'"PAID"', b'"PAID" ')
    old_body, old_headers = sandbox.callback_build(row, ts=int(timezone.now().timestamp()) - 3600)
    cases = [
        (forged, headers, "bad_signature"),
        (body, {**headers, sandbox.SIGNATURE_HEADER: "0" * 64}, "bad_signature"),
        (old_body, old_headers, "callback_expired"),
    ]
    for b, h, code in cases:
        with pytest.raises(DomainError) as e:
            services.callback_receive(actor=SYSTEM, biller=POWER, body=b, headers=h)
        assert e.value.code == code
    payment.refresh_from_db()
    assert payment.state == PayState.HELD and not BillerCallback.objects.exists()
    assert services.callback_receive(actor=SYSTEM, biller=POWER, body=body, headers=headers) == "paid"
    with pytest.raises(DomainError) as e:
        services.callback_receive(actor=SYSTEM, biller=POWER, body=body, headers=headers)
    assert e.value.code == "callback_replayed" and BillerCallback.objects.count() == 1
    other = json.loads(body) | {"biller": "sbx-nj-water"}
    raw = json.dumps(other).encode()
    with pytest.raises(DomainError) as e:
        services.callback_receive(
            actor=SYSTEM,
            biller="sbx-nj-water",
            body=raw,
            headers={sandbox.SIGNATURE_HEADER: sandbox.sign(raw)},
        )
    assert e.value.code == "payment_not_found"


def test_the_daily_statement_lists_the_bills_the_biller_took(bills):
    payment = pay(bills, 0, at="counter")
    confirm(payment)
    lines = bills.power.statement_lines(bills.power.statement(day=timezone.localdate()))
    assert [(x.merchant_ref, x.amount, x.bill_ref) for x in lines] == [
        (payment.number, payment.amount, payment.bill_ref)
    ]
    assert (
        bills.power.statement_lines(bills.power.statement(day=timezone.localdate() - timedelta(days=1))) == []
    )


def test_month_end_true_up_pays_the_month_at_the_tier_it_reached(bills):
    from omnipoint.billpay.domain import RebateSchedule, RebateTier

    schedule = RebateSchedule("count", (RebateTier(0, 20), RebateTier(2, 50)))
    services.outlet_enrol(actor=SYSTEM, outlet_id=bills.agent.pk, schedule=schedule)
    for i in range(3):
        confirm(pay(bills, i))
    assert [p.rebate for p in BillPayment.objects.order_by("pk")] == [20, 50, 50]
    month = timezone.localdate().strftime("%Y-%m")
    assert services.rebates_true_up(actor=SYSTEM, month=month) == {bills.agent.pk: 30}
    assert services.rebates_true_up(actor=SYSTEM, month=month) == {bills.agent.pk: 30}  # booked once
    assert balance(kind=AccountKind.AGENT_REBATE, owner_id=bills.agent.pk) == 150
    day = selectors.agent_day(actor=bills.agent_clerk, outlet_id=bills.agent.pk)
    assert (day.today_count, day.rebate_month, day.progress.tier) == (3, 120, 1)


def test_a_member_pays_online_from_the_wallet_held_then_captured_or_given_back(bills, settings):
    from omnipoint.loyalty.selectors import wallet_balance
    from omnipoint.loyalty.services import wallet_topup
    from omnipoint.members.services import member_get_or_create, member_user_ensure
    from omnipoint.outlets.domain import MemberActor

    member = member_user_ensure(actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile="13800138000"))
    wallet_topup(actor=SYSTEM, member_id=member.pk, key="seed", amount=700_00)
    me = MemberActor(user_id=member.user_id, member_id=member.pk)

    def left():
        return wallet_balance(member=member)["total"]

    account, amount = due(bills, 0)
    payment = services.bill_pay_online(actor=me, biller=POWER, account=account, amount=amount)
    assert (payment.state, payment.mode, payment.member_id) == (PayState.HELD, "member_wallet", member.pk)
    assert left() == 700_00 - amount
    confirm(payment)
    payment.refresh_from_db()
    assert payment.state == PayState.PAID and left() == 700_00 - amount
    assert balance(kind=AccountKind.BILLER_PAYABLE) == amount
    others = [due(bills, i) for i in range(1, 16)]
    other, other_amount = next((a, amt) for a, amt in others if amt <= left())
    settings.SANDBOX_BILLER_FAULTS = {other: "amount_changed"}
    refused = services.bill_pay_online(actor=me, biller=POWER, account=other, amount=other_amount)
    assert refused.state == PayState.REVERSED and left() == 700_00 - amount  # given back
    settings.SANDBOX_BILLER_FAULTS = {}
    dear = next((a, amt) for a, amt in others if amt > left())
    before = snapshot()
    with pytest.raises(DomainError) as e:
        services.bill_pay_online(actor=me, biller=POWER, account=dear[0], amount=dear[1])
    assert e.value.code == "insufficient_balance" and snapshot() == before
    call_command("check_ledger")


def test_a_day_reconciles_with_the_biller_s_statement_and_lists_what_differs(bills):
    from omnipoint.billpay.selectors import statement_differences

    first, second = pay(bills, 0), pay(bills, 1)
    confirm(first), confirm(second)
    today = timezone.localdate()
    assert statement_differences(actor=SYSTEM, biller=POWER, day=today) == []
    BillPayment.objects.filter(pk=second.pk).update(amount=second.amount + 1)  # booked wrong here
    SandboxBill.objects.filter(merchant_ref=first.number).update(state="reversed")  # the biller lost it
    kinds = [(d.kind, d.merchant_ref) for d in statement_differences(actor=SYSTEM, biller=POWER, day=today)]
    assert sorted(kinds) == sorted([("missing_at_biller", first.number), ("amount_differs", second.number)])
    with pytest.raises(DomainError) as e:
        statement_differences(actor=bills.clerk_a, biller=POWER, day=today)
    assert e.value.code == "forbidden"
    with pytest.raises(SystemExit):
        call_command("billpay_reconcile", "--biller", POWER, "--day", today.isoformat())
