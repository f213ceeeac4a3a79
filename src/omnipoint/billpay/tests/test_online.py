"""A bill paid online by the sandbox gateway: the bill kept for the payer while they pay, the
money in by the gateway's notification (or their return, or the sweep asking the gateway), the
biller asked, then captured, or reversed and the charge refunded; money that arrives after the
payment was given up goes back at once."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omnipoint.billpay import sandbox, services
from omnipoint.billpay.domain import PayState
from omnipoint.billpay.models import BillPayment, SandboxBill
from omnipoint.core.errors import DomainError
from omnipoint.ledger.domain import AccountKind
from omnipoint.ledger.selectors import balance
from omnipoint.members.services import member_get_or_create, member_user_ensure
from omnipoint.outlets.domain import SYSTEM, MemberActor
from omnipoint.payments.models import PaymentNotification, SandboxCharge
from omnipoint.payments.sandbox import charge_fail, charge_pay, notification_build
from omnipoint.payments.services import notification_receive

from .conftest import POWER

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(bills):
    m = member_user_ensure(actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile="13800138000"))
    return MemberActor(user_id=m.user_id, member_id=m.pk)


def start(bills, member, i=0, key=""):
    account = bills.power.account(i)
    return services.bill_pay_gateway(
        actor=member, biller=POWER, account=account, amount=bills.power.lookup(account).amount, key=key,
        return_url="http://testserver/shop/bills/?done={number}",
    )  # fmt: skip


def notify(payment):
    """The gateway tells us of the charge (paid or failed on its page)."""
    charge = SandboxCharge.objects.get(ref=payment.gateway_ref)
    body, headers = notification_build(charge)
    return notification_receive(actor=SYSTEM, provider="sandbox", body=body, headers=headers)


def biller_confirms(payment):
    row = sandbox.bill_confirm(bill_ref=payment.bill_ref)
    body, headers = sandbox.callback_build(row)
    return services.callback_receive(actor=SYSTEM, biller=POWER, body=body, headers=headers)


def overdue(payment):
    BillPayment.objects.filter(pk=payment.pk).update(deadline=timezone.now() - timedelta(seconds=1))


def test_paid_at_the_gateway_the_biller_is_asked_then_it_is_captured(bills, member):
    payment = start(bills, member, key="k1")
    charge = SandboxCharge.objects.get(ref=payment.gateway_ref)
    assert payment.state == PayState.AWAITING and payment.pay_url.endswith(f"/sandbox/pay/{charge.ref}/")
    assert (charge.merchant_ref, charge.amount, charge.state) == (payment.number, payment.amount, "pending")
    assert charge.return_url == f"http://testserver/shop/bills/?done={payment.number}"
    assert start(bills, member, key="k1").pk == payment.pk  # a retry is the first
    with pytest.raises(DomainError) as e:  # the bill is the payer's while they pay
        services.bill_pay(actor=bills.clerk_a, outlet_id=bills.net.a.pk, biller=POWER,
                          account=payment.account, amount=payment.amount)  # fmt: skip
    assert e.value.code == "bill_already_paid"
    charge_pay(ref=charge.ref)
    assert notify(payment) == {"code": "SUCCESS", "message": "成功"}
    payment.refresh_from_db()
    assert payment.state == PayState.HELD and SandboxBill.objects.get().state == "accepted"
    assert notify(payment)["code"] == "SUCCESS"  # the gateway's retry changes nothing
    assert list(PaymentNotification.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "bill_held",
        "bill_duplicate",
    ]
    assert biller_confirms(payment) == "paid"
    payment.refresh_from_db()
    assert payment.state == PayState.PAID and payment.refunded_at is None
    assert balance(kind=AccountKind.BILLER_PAYABLE) == payment.amount
    assert balance(kind=AccountKind.BILL_ONLINE_IN) == -payment.amount
    call_command("check_ledger")


def test_a_biller_refusal_reverses_it_and_refunds_the_charge(bills, member, settings):
    settings.SANDBOX_BILLER_FAULTS = {bills.power.account(0): "amount_changed"}
    payment = start(bills, member)
    charge_pay(ref=payment.gateway_ref)
    assert services.bill_gateway_sync(actor=member, number=payment.number).state == PayState.REVERSED
    payment.refresh_from_db()
    charge = SandboxCharge.objects.get(ref=payment.gateway_ref)
    assert (
        payment.why["kind"] == "bill.amount_changed"
        and payment.refund_ref
        and charge.refunded == charge.amount
    )
    assert notify(payment)["code"] == "SUCCESS"  # the notification after it refunds nothing again
    assert SandboxCharge.objects.get(ref=payment.gateway_ref).refunded == charge.amount
    assert balance(kind=AccountKind.BILLER_PAYABLE) == 0
    call_command("check_ledger")


def test_money_that_comes_after_the_payment_was_given_up_goes_back(bills, member):
    payment = start(bills, member)
    overdue(payment)
    assert services.payments_settle_overdue(actor=SYSTEM) == 1  # the gateway asked: not paid
    payment.refresh_from_db()
    assert payment.state == PayState.REVERSED and payment.why["kind"] == "bill.not_paid"
    assert payment.refunded_at is None  # nothing was taken
    charge_pay(ref=payment.gateway_ref)  # the payer pays on the page they left open
    notify(payment)
    payment.refresh_from_db()
    charge = SandboxCharge.objects.get(ref=payment.gateway_ref)
    assert charge.refunded == charge.amount and payment.state == PayState.REVERSED and payment.refund_ref
    assert PaymentNotification.objects.get().outcome == "bill_refunded"
    assert not SandboxBill.objects.exists() and balance(kind=AccountKind.BILLER_PAYABLE) == 0
    again = services.bill_pay(actor=bills.clerk_a, outlet_id=bills.net.a.pk, biller=POWER,
                              account=payment.account, amount=payment.amount)  # fmt: skip
    assert again.state == PayState.HELD  # the bill was let go
    call_command("check_ledger")


def test_the_sweep_asks_the_gateway_first_so_money_paid_at_the_deadline_wins(bills, member):
    payment = start(bills, member)
    charge_pay(ref=payment.gateway_ref)  # paid, the notification not yet here
    overdue(payment)
    assert services.payment_settle(actor=SYSTEM, payment_id=payment.pk) == PayState.HELD
    payment.refresh_from_db()
    assert payment.deadline > timezone.now()  # now the biller's time
    assert services.payment_settle(actor=SYSTEM, payment_id=payment.pk) == PayState.HELD  # not yet due
    assert notify(payment)["code"] == "SUCCESS" and biller_confirms(payment) == "paid"


def test_a_payment_failed_at_the_gateway_lets_the_bill_go_and_takes_nothing(bills, member):
    payment = start(bills, member)
    charge_fail(ref=payment.gateway_ref)
    notify(payment)
    payment.refresh_from_db()
    assert payment.state == PayState.REVERSED and payment.refunded_at is None
    assert PaymentNotification.objects.get().outcome == "bill_reversed"


def test_a_wrong_notification_or_someone_else_changes_nothing(bills, member):
    payment = start(bills, member)
    charge = charge_pay(ref=payment.gateway_ref)
    SandboxCharge.objects.filter(pk=charge.pk).update(amount=charge.amount + 1)
    with pytest.raises(DomainError) as e:
        notify(payment)
    assert e.value.code == "amount_mismatch"
    payment.refresh_from_db()
    assert payment.state == PayState.AWAITING
    other = member_get_or_create(actor=SYSTEM, mobile="13900139000")
    with pytest.raises(DomainError) as e:
        services.bill_gateway_sync(actor=MemberActor(user_id=None, member_id=other.pk), number=payment.number)
    assert e.value.code == "payment_not_found"


def test_the_shop_sends_the_member_to_the_gateway_and_shows_the_bill_on_return(bills, member):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(BillPayment._meta.get_field("member").related_model.objects.get(pk=member.member_id).user)
    account = bills.power.account(0)
    amount = bills.power.lookup(account).amount
    page = c.get(reverse("billpay_shop:mine"), {"biller": POWER, "account": account}).content.decode()
    assert "在线支付" in page
    form = {"biller": POWER, "account": account, "amount": amount, "client_key": "k", "how": "gateway"}
    resp = c.post(reverse("billpay_shop:mine"), form)
    payment = BillPayment.objects.get()
    assert resp.status_code == 302 and resp["Location"] == payment.pay_url and payment.mode == "member_online"
    charge_pay(ref=payment.gateway_ref)
    back = c.get(reverse("billpay_shop:mine"), {"done": payment.number}).content.decode()
    assert "待缴费单位确认" in back  # the gateway asked on return: the money is in, the biller asked
