"""A parcel paid by the gateway's QR code: the gateway's signed notification
(payments.hooks.CHARGE_NOTIFIED) pays it once, however often it comes and whoever else asked
the gateway first; money that arrives for a parcel paid another way or voided goes back once."""

import pytest

from omnipoint.core.errors import DomainError
from omnipoint.ledger.checks import ledger_breaches
from omnipoint.ledger.models import Posting
from omnipoint.outlets.domain import SYSTEM
from omnipoint.parcels import services
from omnipoint.parcels.models import Parcel, ParcelEvent
from omnipoint.parcels.tests.world import SETUP, accept
from omnipoint.payments.models import PaymentNotification, SandboxCharge
from omnipoint.payments.sandbox import charge_fail, charge_pay, notification_build
from omnipoint.payments.services import notification_receive

pytestmark = pytest.mark.django_db


def qr(number: str) -> Parcel:
    return services.parcel_pay(actor=SETUP, number=number, method="qr")


def notify(ref: str, **change: object) -> dict[str, object]:
    charge = SandboxCharge.objects.get(ref=ref)
    for field, value in change.items():
        setattr(charge, field, value)
    body, headers = notification_build(charge)
    return notification_receive(actor=SYSTEM, provider="sandbox", body=body, headers=headers)


def outcomes() -> list[str]:
    return list(PaymentNotification.objects.order_by("pk").values_list("outcome", flat=True))


def test_the_notification_pays_the_parcel_once_and_repeats_change_nothing(pw):
    p = qr(pw.unpaid_a)
    charge_pay(ref=p.charge_ref)
    assert notify(p.charge_ref)["code"] == "SUCCESS"
    notify(p.charge_ref)  # the gateway retries
    assert qr(p.number).state == "accepted"  # the counter asking again changes nothing either
    assert services.parcels_settle_qr(actor=SETUP) == 0
    paid = Parcel.objects.get(pk=p.pk)
    assert (paid.state, paid.pay_method, paid.pay_ref) == ("accepted", "qr", p.charge_ref)
    assert outcomes() == ["parcel_paid", "parcel_duplicate"]
    assert Posting.objects.filter(key=f"parcel:{p.number}:paid").count() == 1
    assert ParcelEvent.objects.filter(parcel=p, kind="accepted").count() == 1
    with pytest.raises(DomainError) as e:  # a notification that names another amount is refused
        notify(p.charge_ref, amount=p.total + 1)
    assert e.value.code == "amount_mismatch"
    assert ledger_breaches() == []


def test_a_notification_after_the_counter_asked_is_a_duplicate_and_a_failed_one_pays_nothing(pw):
    p = qr(pw.unpaid_a)
    charge_fail(ref=p.charge_ref)
    notify(p.charge_ref)
    assert Parcel.objects.get(pk=p.pk).paid_at is None
    with pytest.raises(DomainError) as e:  # the counter takes another tender
        qr(p.number)
    assert e.value.code == "qr_failed"
    other = qr(accept(pw.a.pk, pay=False).number)
    charge_pay(ref=other.charge_ref)
    assert qr(other.number).state == "accepted"  # asked at the counter before the notification came
    notify(other.charge_ref)
    assert outcomes() == ["parcel_failed", "parcel_duplicate"]


def test_late_money_for_a_parcel_paid_in_cash_or_voided_goes_back_once(pw):
    cash = qr(pw.unpaid_a)
    services.parcel_pay(actor=SETUP, number=cash.number, method="cash")  # paid in cash meanwhile
    charge_pay(ref=cash.charge_ref)  # and on the phone too
    notify(cash.charge_ref)
    notify(cash.charge_ref)
    gone = accept(pw.a.pk, pay=False)
    gone = qr(gone.number)
    services.parcel_void(actor=SETUP, number=gone.number, reason="寄件人取消")
    charge_pay(ref=gone.charge_ref)  # paid after the void
    notify(gone.charge_ref)
    assert outcomes() == ["parcel_refunded", "parcel_duplicate", "parcel_refunded"]
    for p in (cash, gone):
        assert SandboxCharge.objects.get(ref=p.charge_ref).refunded == p.total
    after = Parcel.objects.get(pk=cash.pk)
    assert (after.state, after.pay_method) == ("accepted", "cash")
    assert Parcel.objects.get(pk=gone.pk).state == "voided"
    assert not Posting.objects.filter(key__startswith=f"parcel:{gone.number}").exists()
    assert ledger_breaches() == []
