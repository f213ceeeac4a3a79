"""Parcels through the services: accept, pay (cash, wallet, QR), scans and webhooks out of
order, tracking, holding at an outlet and collection by code."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from omnipoint.core.errors import DomainError
from omnipoint.loyalty.services import wallet_topup
from omnipoint.members.models import SandboxSms
from omnipoint.members.selectors import member_actor
from omnipoint.members.services import member_get_or_create, member_user_ensure
from omnipoint.outlets.selectors import actor_get
from omnipoint.parcels import sandbox, selectors, services
from omnipoint.parcels.domain import Dimensions
from omnipoint.parcels.models import Parcel, ParcelEvent
from omnipoint.parcels.tests.world import SETUP, accept, event, party
from omnipoint.payments import sandbox as gateway
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db


def states(number: str) -> tuple[str, list[str]]:
    p = Parcel.objects.get(number=number)
    return p.state, [e.kind for e in selectors.timeline(p)]


def test_accept_prices_and_cash_accepts(pw):
    p = Parcel.objects.get(number=pw.p_a)
    assert p.number.startswith("CP") and p.number.endswith("CN")
    assert (p.quote["zone"], p.postage, p.total) == (
        "region",
        12_00 + 4_00,
        16_00,
    )  # 1.2 kg Shanghai -> Nanjing
    assert states(pw.p_a) == ("accepted", ["accepted"])
    unpaid = Parcel.objects.get(number=pw.unpaid_a)
    assert (unpaid.state, unpaid.paid_at) == ("created", None)


def test_refusals_change_nothing(pw):
    clerk_c = actor_get(user=user_of("other_city_clerk"))
    before = Parcel.objects.count()
    cases = [
        (dict(actor=SETUP, size=Dimensions(30_001, 10, 10, 10)), "over_weight"),
        (dict(actor=SETUP, size=Dimensions(100, 151, 10, 10)), "over_size"),
        (dict(actor=clerk_c), "outlet_not_found"),  # A is not the Nanjing clerk's
        (dict(actor=SETUP, recipient=party("李四", "1391111", "320102")), "invalid_mobile"),
        (dict(actor=SETUP, recipient=party("李四", "13911112222", "999999")), "region_not_found"),
        (dict(actor=SETUP, recipient=party("李四", "13911112222", "320100")), "region_not_found"),  # a city
        (dict(actor=SETUP, service="overnight"), "invalid_service"),
    ]
    for kw, code in cases:
        args = dict(outlet_id=pw.a.pk, sender=party("张三", "13800138000", "310101"),
                    recipient=party("李四", "13911112222", "320102"), size=Dimensions(100, 10, 10, 10),
                    service="standard") | kw  # fmt: skip
        with pytest.raises(DomainError) as e:
            services.parcel_accept(**args)
        assert e.value.code == code
    assert Parcel.objects.count() == before


def test_wallet_and_qr_tenders(pw):
    member = member_get_or_create(actor=SETUP, mobile="13700001111", name="王五")
    wallet_topup(actor=SETUP, member_id=member.pk, key="t", amount=100_00)
    p = accept(pw.a.pk, sender_mobile="13700001111", pay=False)
    paid = services.parcel_pay(actor=SETUP, number=p.number, method="wallet")
    assert (paid.state, paid.pay_method) == ("accepted", "wallet")
    with pytest.raises(DomainError) as e:  # no member has that mobile
        services.parcel_pay(actor=SETUP, number=pw.unpaid_a, method="wallet")
    assert e.value.code == "member_not_found"
    q = services.parcel_pay(actor=SETUP, number=pw.unpaid_a, method="qr")
    assert q.paid_at is None and selectors.pay_url(q).startswith("/sandbox/pay/")
    assert services.parcel_pay(actor=SETUP, number=q.number, method="qr").pay_ref == q.pay_ref  # asked again
    gateway.charge_pay(ref=q.pay_ref)
    assert services.parcels_settle_qr(actor=SETUP) == 1
    assert Parcel.objects.get(number=q.number).state == "accepted"
    assert services.parcels_settle_qr(actor=SETUP) == 0


def test_scans_move_forwards_only_and_late_events_join_the_timeline(pw):
    clerk = actor_get(user=user_of("outlet_clerk"))
    t1 = services.parcel_scan(
        actor=clerk, outlet_id=pw.a.pk, number=pw.p_a, kind="dispatched"
    ).event.occurred_at
    t2 = services.parcel_scan(
        actor=SETUP, outlet_id=pw.c.pk, number=pw.p_a, kind="delivered"
    ).event.occurred_at
    late = services.parcel_scan(
        actor=SETUP, outlet_id=pw.c.pk, number=pw.p_a, kind="out_for_delivery", occurred_at=t1 + (t2 - t1) / 2,
    )  # fmt: skip
    assert late.fresh and not late.moved
    state, kinds = states(pw.p_a)
    assert state == "delivered" and kinds == ["accepted", "dispatched", "out_for_delivery", "delivered"]
    with pytest.raises(DomainError) as e:
        services.parcel_scan(actor=clerk, outlet_id=pw.a.pk, number=pw.unpaid_a, kind="dispatched")
    assert e.value.code == "parcel_unpaid"
    with pytest.raises(DomainError) as e:
        services.parcel_scan(actor=clerk, outlet_id=pw.a.pk, number="CP123456784CN", kind="dispatched")
    assert e.value.code == "malformed_tracking_number"
    again = services.parcel_scan(
        actor=clerk, outlet_id=pw.a.pk, number=pw.p_a, kind="dispatched", scan_id="h1"
    )
    assert services.parcel_scan(actor=clerk, outlet_id=pw.a.pk, number=pw.p_a, kind="dispatched",
                                scan_id="h1").event.pk == again.event.pk  # fmt: skip


def test_webhooks_are_signed_idempotent_and_out_of_order(pw):
    n = pw.p_a
    ParcelEvent.objects.filter(event_id=f"accept:{n}").update(occurred_at=timezone.now() - timedelta(hours=1))
    body, headers = sandbox.webhook_build([
        event(n, "delivered", "e3", minutes_ago=1), event(n, "in_transit", "e1", minutes_ago=30),
    ])  # fmt: skip
    c = sandbox.CODE
    assert services.webhook_receive(actor=SETUP, carrier=c, body=body, headers=headers) == {
        "applied": 2, "moved": 1, "duplicate": 0}  # fmt: skip
    assert services.webhook_receive(actor=SETUP, carrier=c, body=body, headers=headers)["duplicate"] == 2
    assert states(n) == ("delivered", ["accepted", "in_transit", "delivered"])
    before = ParcelEvent.objects.count()
    forged = [
        (body, {sandbox.SIGNATURE_HEADER: "0" * 64}, "bad_signature"),
        (body.replace(b"e3", b"e4"), headers, "bad_signature"),
        (*sandbox.webhook_build([event(n, "delivered", "e5")], ts=1), "webhook_expired"),
        (*sandbox.webhook_build([event("CP123456784CN", "delivered", "e6")]), "malformed_tracking_number"),
        (*sandbox.webhook_build([event("CP000000005CN", "delivered", "e6")]), "parcel_not_found"),
        (*sandbox.webhook_build([event(n, "lost", "e7")]), "invalid_scan_kind"),
        (*sandbox.webhook_build([event(n, "arrived", "e8", outlet_code="NOPE")]), "outlet_not_found"),
        (*sandbox.webhook_build([{"number": n}]), "malformed_webhook"),
        (b"{}", {sandbox.SIGNATURE_HEADER: sandbox.sign(b"{}")}, "malformed_webhook"),
    ]
    for raw, hdrs, code in forged:
        with pytest.raises(DomainError) as e:
            services.webhook_receive(actor=SETUP, carrier=c, body=raw, headers=hdrs)
        assert e.value.code == code, (code, e.value.code)
    assert ParcelEvent.objects.count() == before


def test_held_at_an_outlet_then_collected_by_code(pw, demo_mode, django_capture_on_commit_callbacks):
    clerk_b_outlet = pw.b.pk
    p = accept(pw.a.pk, dest="310115")
    with django_capture_on_commit_callbacks(execute=True):
        services.parcel_scan(actor=SETUP, outlet_id=clerk_b_outlet, number=p.number, kind="arrived")
    p.refresh_from_db()
    assert p.state == "arrived" and len(p.pickup_code) == 6 and p.hold_outlet_id == clerk_b_outlet
    sms = SandboxSms.objects.filter(mobile=p.recipient_mobile).last()
    assert sms is not None and p.pickup_code in sms.text and p.number in sms.text
    with pytest.raises(DomainError) as e:
        services.parcel_collect(actor=SETUP, outlet_id=pw.a.pk, number=p.number, code=p.pickup_code)
    assert e.value.code == "parcel_not_held"
    wrong = "000000" if p.pickup_code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(DomainError) as e:
            services.parcel_collect(actor=SETUP, outlet_id=clerk_b_outlet, number=p.number, code=wrong)
        assert e.value.code == "wrong_pickup_code"
    with pytest.raises(DomainError) as e:  # locked now, even with the right code
        services.parcel_collect(actor=SETUP, outlet_id=clerk_b_outlet, number=p.number, code=p.pickup_code)
    assert e.value.code == "pickup_locked"
    done = services.parcel_collect(actor=SETUP, outlet_id=pw.b.pk, number=pw.held_b, code=pw.held_b_code)
    assert (done.state, done.collected_at is not None) == ("collected", True)
    with pytest.raises(DomainError) as e:
        services.parcel_collect(actor=SETUP, outlet_id=pw.b.pk, number=pw.held_b, code=pw.held_b_code)
    assert e.value.code == "parcel_collected"


def test_tracking_masks_for_anyone_and_shows_the_member_their_own(pw):
    t = selectors.track(actor=None, number=pw.held_b.lower())
    data = t.as_json()
    assert (data["recipient_name"], data["recipient_mobile"], data["pickup_code"]) == (
        "李*",
        "139****2222",
        None,
    )
    assert data["held_at"] == pw.b.name and [e["kind"] for e in data["events"]] == ["accepted", "arrived"]
    recipient = member_user_ensure(
        actor=SETUP, member=member_get_or_create(actor=SETUP, mobile="13911112222")
    )
    me = member_actor(recipient)
    mine = selectors.track(actor=me, number=pw.held_b).as_json()
    assert (mine["recipient_name"], mine["pickup_code"]) == ("李四", pw.held_b_code)
    assert {p.number for p in selectors.member_parcels(actor=me)} == {pw.p_a, pw.p_c, pw.held_b}
    with pytest.raises(DomainError) as e:
        selectors.track(actor=None, number=pw.unpaid_a)  # not yet accepted: nothing to track
    assert e.value.code == "parcel_not_found"


def test_label_pdf_and_svg(pw):
    from io import BytesIO

    from pypdf import PdfReader

    from omnipoint.parcels import label

    p = Parcel.objects.select_related("origin", "sender_region", "recipient_region").get(number=pw.p_a)
    pdf = label.label_pdf(p)
    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert p.number[:2] in text and "李四" in text
    svg = label.label_svg(p)
    assert svg.startswith("<?xml") and "李四" in svg
    json.dumps(selectors.track(actor=None, number=p.number).as_json(), default=str)
