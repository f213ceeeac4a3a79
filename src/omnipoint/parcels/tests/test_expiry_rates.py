"""Unpaid parcels expire (the gateway asked first, late money sent back), and the network's
rate table is set at HQ, whole, through the service every door calls."""

from datetime import timedelta

import pytest
from django.utils import timezone

from omnipoint.core.errors import DomainError
from omnipoint.outlets.selectors import actor_get
from omnipoint.parcels import services
from omnipoint.parcels.models import Parcel
from omnipoint.parcels.tests.test_qr import notify
from omnipoint.parcels.tests.world import SETUP, accept, rates_body
from omnipoint.payments.models import PaymentNotification, SandboxCharge
from omnipoint.payments.sandbox import charge_pay
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db


def test_unpaid_parcels_expire_after_the_gateway_is_asked(pw, settings):
    settings.PARCEL_PAY_SECONDS = 1800
    later = timezone.now() + timedelta(seconds=1801)
    paid_last_moment = services.parcel_pay(actor=SETUP, number=accept(pw.a.pk, pay=False).number, method="qr")
    charge_pay(ref=paid_last_moment.charge_ref)
    never_paid = services.parcel_pay(actor=SETUP, number=pw.unpaid_a, method="qr")
    assert services.parcels_expire_unpaid(actor=SETUP) == 0  # not due yet
    assert services.parcels_expire_unpaid(actor=SETUP, now=later) == 1
    assert Parcel.objects.get(pk=paid_last_moment.pk).state == "accepted"
    expired = Parcel.objects.get(pk=never_paid.pk)
    assert (expired.state, expired.paid_at, expired.void_reason) == ("expired", None, "")
    assert services.parcels_expire_unpaid(actor=SETUP, now=later) == 0  # once
    with pytest.raises(DomainError) as e:
        services.parcel_pay(actor=SETUP, number=expired.number, method="cash")
    assert e.value.code == "parcel_expired"
    charge_pay(ref=expired.charge_ref)  # the payer pays after all: the money goes back, once
    assert services.parcels_settle_qr(actor=SETUP) == 0
    assert SandboxCharge.objects.get(ref=expired.charge_ref).refunded == 0  # the sweep skips it
    assert notify(expired.charge_ref)["code"] == "SUCCESS"
    notify(expired.charge_ref)
    assert list(PaymentNotification.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "parcel_refunded",
        "parcel_duplicate",
    ]
    assert SandboxCharge.objects.get(ref=expired.charge_ref).refunded == expired.total


def _set(actor, **kw):  # type: ignore[no-untyped-def]
    body = rates_body(**kw)
    return services.rate_table_set(
        actor=actor,
        steps=[(s["service"], s["zone"], s["first_g"], s["first_fen"], s["step_g"], s["step_fen"]) for s in body["steps"]],
        zones=[(z["from_province"], z["to_province"], z["zone"]) for z in body["zones"]],
        insurance_per_mille=body["insurance_per_mille"], insurance_min_fen=body["insurance_min_fen"],
    )  # fmt: skip


def test_hq_sets_the_rate_table_and_new_parcels_are_priced_by_it(pw):
    before = Parcel.objects.get(number=pw.p_a)  # Shanghai -> Nanjing, zone region at 16.00
    _set(actor_get(user=user_of("hq_admin")), local_first_fen=5_00)  # and 31 -> 32 made local
    fresh = accept(pw.a.pk)
    assert (fresh.quote["zone"], fresh.postage) == ("local", 5_00 + 1_00)
    assert Parcel.objects.get(pk=before.pk).total == before.total == 16_00  # kept its price
    for persona in ("province_manager", "city_manager", "outlet_manager"):
        with pytest.raises(DomainError) as e:
            _set(actor_get(user=user_of(persona)))
        assert e.value.code == "forbidden"
    assert accept(pw.a.pk).postage == 6_00  # unchanged by the refusals
