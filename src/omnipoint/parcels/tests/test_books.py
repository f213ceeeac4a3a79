"""A parcel's money on the ledger and in the day's close: takings by tender posted once when it
is paid, reversed and given back by the tender when it is voided, counted per outlet x channel
x payment method; the books balance after."""

from datetime import timedelta

import pytest
from django.utils import timezone

from omnipoint.clearing import services as clearing
from omnipoint.clearing.domain import Measure, business_today, day_bounds
from omnipoint.clearing.models import ClearingFigure
from omnipoint.core.errors import DomainError
from omnipoint.ledger.checks import ledger_breaches
from omnipoint.ledger.domain import AccountKind as K
from omnipoint.ledger.models import Posting
from omnipoint.ledger.selectors import balance, posted_balance
from omnipoint.loyalty.services import wallet_topup
from omnipoint.members.services import member_get_or_create
from omnipoint.outlets.domain import SYSTEM
from omnipoint.parcels import services
from omnipoint.parcels.models import Parcel
from omnipoint.parcels.tests.world import SETUP, accept
from omnipoint.payments import sandbox as gateway
from omnipoint.payments.models import SandboxCharge

pytestmark = pytest.mark.django_db

WALLET_MOBILE = "13700001111"


def wallet_member(amount: int = 100_00) -> int:
    member = member_get_or_create(actor=SETUP, mobile=WALLET_MOBILE, name="王五")
    wallet_topup(actor=SETUP, member_id=member.pk, key="t", amount=amount)
    return member.pk


def figures(day, node: str) -> dict[tuple[str, str], int]:
    rows = ClearingFigure.objects.filter(day=day, node=node, measure__startswith="parcel", channel="pos")
    return {(r.method, r.measure): r.value for r in rows}


def test_takings_by_tender_on_the_ledger_voids_reverse_them_and_the_close_counts_them(pw):
    member_id = wallet_member()
    by_wallet = accept(pw.a.pk, sender_mobile=WALLET_MOBILE, pay=False)
    services.parcel_pay(actor=SETUP, number=by_wallet.number, method="wallet")
    qr = accept(pw.c.pk, dest="310101", pay=False)
    qr = services.parcel_pay(actor=SETUP, number=qr.number, method="qr")
    gateway.charge_pay(ref=qr.charge_ref)
    assert services.parcels_settle_qr(actor=SETUP) == 1
    p = {n: Parcel.objects.get(number=n) for n in (pw.p_a, pw.p_c, pw.held_b, by_wallet.number, qr.number)}

    voided = services.parcel_void(actor=SETUP, number=pw.p_a, reason="寄件人取消")
    services.parcel_void(actor=SETUP, number=by_wallet.number, reason="寄件人取消")
    assert (voided.state, voided.void_reason) == ("voided", "寄件人取消")
    with pytest.raises(DomainError) as e:  # a second void is refused, nothing posted twice
        services.parcel_void(actor=SETUP, number=pw.p_a, reason="再次")
    assert e.value.code == "parcel_voided"
    with pytest.raises(DomainError) as e:  # gone on its way: too late to void
        services.parcel_void(actor=SETUP, number=pw.held_b, reason="取消")
    assert e.value.code == "parcel_not_voidable"

    kept = p[pw.p_c].total + p[pw.held_b].total + p[qr.number].total
    assert posted_balance(kind=K.PARCEL_POSTAGE) == kept
    assert posted_balance(kind=K.PARCEL_CASH_IN) == -(p[pw.p_c].total + p[pw.held_b].total)
    assert posted_balance(kind=K.PARCEL_ONLINE_IN) == -p[qr.number].total
    assert balance(kind=K.MEMBER_WALLET_PRINCIPAL, owner_id=member_id) == 100_00  # given back
    assert Posting.objects.filter(
        key=f"parcel:{pw.p_a}:void", refund_of__key=f"parcel:{pw.p_a}:paid"
    ).exists()
    assert ledger_breaches() == []

    day = business_today(timezone.now()) - timedelta(days=1)
    Posting.objects.update(created_at=day_bounds(day)[0] + timedelta(hours=12))
    clearing.day_close(actor=SYSTEM, day=day)
    assert figures(day, f"outlet:{pw.a.pk}") == {
        ("cash", Measure.PARCEL_COUNT): 2,
        ("cash", Measure.PARCEL_TAKEN): p[pw.p_a].total + p[pw.held_b].total,
        ("cash", Measure.PARCEL_VOID_COUNT): 1,
        ("cash", Measure.PARCEL_REFUNDED): p[pw.p_a].total,
        ("wallet", Measure.PARCEL_COUNT): 1,
        ("wallet", Measure.PARCEL_TAKEN): p[by_wallet.number].total,
        ("wallet", Measure.PARCEL_VOID_COUNT): 1,
        ("wallet", Measure.PARCEL_REFUNDED): p[by_wallet.number].total,
    }
    assert figures(day, f"outlet:{pw.c.pk}") == {
        ("cash", Measure.PARCEL_COUNT): 1,
        ("cash", Measure.PARCEL_TAKEN): p[pw.p_c].total,
        ("online", Measure.PARCEL_COUNT): 1,
        ("online", Measure.PARCEL_TAKEN): p[qr.number].total,
    }
    hq = figures(day, "hq")
    assert (
        hq[("cash", Measure.PARCEL_COUNT)] == 3 and hq[("online", Measure.PARCEL_TAKEN)] == p[qr.number].total
    )
    # The wallet moved once each way for the member; the parcel's own postings are not counted
    # again as wallet money spent or given back.
    wallet = {
        r.measure: r.value
        for r in ClearingFigure.objects.filter(day=day, node="hq", measure__startswith="wallet")
    }
    assert wallet == {
        Measure.WALLET_SPENT: p[by_wallet.number].total,
        Measure.WALLET_RETURNED: p[by_wallet.number].total,
    }


def test_a_voided_qr_parcel_is_refunded_at_the_gateway_once(pw):
    qr = services.parcel_pay(actor=SETUP, number=pw.unpaid_a, method="qr")
    gateway.charge_pay(ref=qr.charge_ref)
    voided = services.parcel_void(actor=SETUP, number=qr.number, reason="寄错了")  # asks the gateway first
    assert (voided.state, voided.pay_method) == ("voided", "qr") and voided.charge_refunded_at is not None
    assert SandboxCharge.objects.get(ref=qr.charge_ref).refunded == qr.total
    assert posted_balance(kind=K.PARCEL_POSTAGE) == sum(
        x.total for x in Parcel.objects.filter(paid_at__isnull=False, voided_at__isnull=True)
    )
    with pytest.raises(DomainError) as e:  # a voided parcel is paid and scanned no more
        services.parcel_pay(actor=SETUP, number=qr.number, method="cash")
    assert e.value.code == "parcel_voided"
    with pytest.raises(DomainError) as e:
        services.parcel_scan(actor=SETUP, outlet_id=pw.a.pk, number=qr.number, kind="dispatched")
    assert e.value.code == "parcel_voided"
    assert ledger_breaches() == []
