"""Parcels under real concurrency on PostgreSQL: two hand-overs of one held parcel by its code
at once give it once; the same carrier webhook delivered by several threads at once applies its
events once; racing events of one parcel leave it at the furthest state, never behind."""

import pytest

from omnipoint.core.errors import DomainError
from omnipoint.outlets.selectors import actor_get
from omnipoint.parcels import sandbox, services
from omnipoint.parcels.models import Parcel, ParcelEvent
from omnipoint.parcels.tests.world import SETUP, accept, event
from omnipoint.testing import user_of

from .threads import raised, run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def test_two_hand_overs_at_once_give_the_parcel_once(network):
    p = accept(network.a.pk, dest="310115")
    services.parcel_scan(actor=SETUP, outlet_id=network.b.pk, number=p.number, kind="arrived")
    p.refresh_from_db()
    manager = actor_get(user=user_of("city_manager"))

    def collect():  # type: ignore[no-untyped-def]
        return services.parcel_collect(
            actor=manager, outlet_id=network.b.pk, number=p.number, code=p.pickup_code
        )

    results = run_together([collect for _ in range(4)])
    refused = raised(results)
    assert len(results) - len(refused) == 1, results
    assert all(isinstance(e, DomainError) and e.code == "parcel_collected" for e in refused), refused
    assert Parcel.objects.get(pk=p.pk).state == "collected"
    assert ParcelEvent.objects.filter(parcel=p, kind="collected").count() == 1


def test_webhooks_racing_apply_each_event_once_and_the_state_only_forwards(network):
    """The same webhook from four threads at once applies its events once; then webhooks of
    one parcel's events, early and late, racing, leave it at the furthest state."""
    p = accept(network.a.pk)
    ParcelEvent.objects.filter(parcel=p).update(occurred_at=p.paid_at.replace(year=p.paid_at.year - 1))
    body, headers = sandbox.webhook_build(
        [event(p.number, "in_transit", "race-1", minutes_ago=20), event(p.number, "dispatched", "race-2")]
    )

    def deliver(body: bytes, headers: dict[str, str]):  # type: ignore[no-untyped-def]
        return services.webhook_receive(actor=SETUP, carrier=sandbox.CODE, body=body, headers=headers)

    results = run_together([lambda: deliver(body, headers) for _ in range(4)])
    assert not raised(results), results
    assert sum(r["applied"] for r in results) == 2 and sum(r["duplicate"] for r in results) == 6
    assert ParcelEvent.objects.filter(parcel=p, source="carrier").count() == 2
    assert (
        Parcel.objects.get(pk=p.pk).state == "in_transit"
    )  # the later-sent "dispatched" did not move it back

    kinds = ["dispatched", "out_for_delivery", "delivered", "in_transit", "dispatched", "out_for_delivery"]
    hooks = [sandbox.webhook_build([event(p.number, k, f"many-{i}")]) for i, k in enumerate(kinds)]
    results = run_together([lambda h=h: deliver(*h) for h in hooks])
    assert not raised(results), results
    assert Parcel.objects.get(pk=p.pk).state == "delivered"
    assert ParcelEvent.objects.filter(parcel=p, source="carrier").count() == 2 + len(kinds)
    assert ParcelEvent.objects.filter(parcel=p, moved=True).count() <= 5  # accepted and at most four steps up


def test_payments_and_voids_racing_end_paid_and_reversed_or_voided_unpaid(network):
    """Two cash payments and two voids of one unpaid parcel at once: it ends voided, paid at
    most once, and, paid, its takings reversed once; the ledger balances."""
    from omnipoint.ledger.checks import ledger_breaches
    from omnipoint.ledger.models import Posting

    for _round in range(3):
        p = accept(network.a.pk, pay=False)

        def pay(number: str = p.number):  # type: ignore[no-untyped-def]
            return services.parcel_pay(actor=SETUP, number=number, method="cash")

        def void(number: str = p.number):  # type: ignore[no-untyped-def]
            return services.parcel_void(actor=SETUP, number=number, reason="取消")

        results = run_together([pay, void, pay, void])
        refused = raised(results)
        assert all(isinstance(e, DomainError) and e.code == "parcel_voided" for e in refused), refused
        assert sum(1 for r in results[1::2] if not isinstance(r, Exception)) == 1  # one void won
        after = Parcel.objects.get(pk=p.pk)
        paid = Posting.objects.filter(key=f"parcel:{p.number}:paid").count()
        back = Posting.objects.filter(key=f"parcel:{p.number}:void").count()
        assert after.state == "voided" and paid == back == (1 if after.paid_at else 0), (
            after.paid_at,
            paid,
            back,
        )
        assert ParcelEvent.objects.filter(parcel=p, kind="voided").count() == 1
    assert ledger_breaches() == []


def test_the_gateways_notification_racing_the_counter_and_the_sweep_pays_once(network):
    """The gateway's notification (twice), the counter asking again and the sweep, at once, for
    a QR charge the payer just paid: the parcel is paid once, posted once."""
    from omnipoint.ledger.checks import ledger_breaches
    from omnipoint.ledger.models import Posting
    from omnipoint.outlets.domain import SYSTEM
    from omnipoint.payments.models import PaymentNotification, SandboxCharge
    from omnipoint.payments.sandbox import charge_pay, notification_build
    from omnipoint.payments.services import notification_receive

    p = services.parcel_pay(actor=SETUP, number=accept(network.a.pk, pay=False).number, method="qr")
    charge_pay(ref=p.charge_ref)
    body, headers = notification_build(SandboxCharge.objects.get(ref=p.charge_ref))

    def notified():  # type: ignore[no-untyped-def]
        return notification_receive(actor=SYSTEM, provider="sandbox", body=body, headers=headers)

    def counter():  # type: ignore[no-untyped-def]
        return services.parcel_pay(actor=SETUP, number=p.number, method="qr")

    def sweep():  # type: ignore[no-untyped-def]
        return services.parcels_settle_qr(actor=SETUP)

    results = run_together([notified, counter, notified, sweep])
    assert not raised(results), results
    assert Parcel.objects.get(pk=p.pk).state == "accepted"
    assert Posting.objects.filter(key=f"parcel:{p.number}:paid").count() == 1
    assert ParcelEvent.objects.filter(parcel=p, kind="accepted").count() == 1
    assert set(PaymentNotification.objects.values_list("outcome", flat=True)) <= {
        "parcel_paid",
        "parcel_duplicate",
    }
    assert SandboxCharge.objects.get(ref=p.charge_ref).refunded == 0
    assert ledger_breaches() == []


def test_the_expiry_racing_a_payment_ends_paid_or_expired_never_both(network):
    """The expiry sweep (twice) and two cash payments of a parcel due to expire, at once: it ends
    accepted and posted once, or expired with nothing posted."""
    from datetime import timedelta

    from django.utils import timezone

    from omnipoint.ledger.checks import ledger_breaches
    from omnipoint.ledger.models import Posting

    later = timezone.now() + timedelta(days=1)
    for _round in range(3):
        p = accept(network.a.pk, pay=False)

        def pay(number: str = p.number):  # type: ignore[no-untyped-def]
            return services.parcel_pay(actor=SETUP, number=number, method="cash")

        def expire():  # type: ignore[no-untyped-def]
            return services.parcels_expire_unpaid(actor=SETUP, now=later)

        results = run_together([expire, pay, expire, pay])
        refused = raised(results)
        assert all(isinstance(e, DomainError) and e.code == "parcel_expired" for e in refused), refused
        after = Parcel.objects.get(pk=p.pk)
        posted = Posting.objects.filter(key__startswith=f"parcel:{p.number}:").count()
        assert (after.state, posted) in {("accepted", 1), ("expired", 0)}, (after.state, posted)
        assert results[0] + results[2] == (1 if after.state == "expired" else 0)
    assert ledger_breaches() == []
