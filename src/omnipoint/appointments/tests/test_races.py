"""Real threads on PostgreSQL: many members racing for the last places of a slot, reschedules
racing bookings, and counters calling the same queue at once."""

import pytest
from tests.concurrency.threads import raised, run_together

from omnipoint.appointments import selectors, services
from omnipoint.appointments.domain import LIVE_STATES
from omnipoint.appointments.models import Booking, Slot, Ticket
from omnipoint.core.errors import DomainError

from .conftest import Appts, make_services, member

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture
def racing(transactional_db):
    from omnipoint.outlets.domain import SYSTEM
    from omnipoint.outlets.models import Region
    from omnipoint.outlets.services import regions_load
    from omnipoint.testing import build_network

    if not Region.objects.exists():
        regions_load(actor=SYSTEM)
    net = build_network()
    passport, broadband = make_services(net)
    return Appts(net, passport, broadband, member("13800000001", "张三"), member("13800000002", "李四"))


def _book(appts: Appts, m, slot_id: int):
    def go():
        try:
            return services.booking_create(actor=appts.me(m), slot_id=slot_id, channel="web").booking.pk
        except DomainError as e:
            return e.code

    return go


def test_many_bookings_for_the_last_places_fill_exactly_the_capacity(racing):
    slot = racing.slot()
    members = [member(f"1390000{i:04d}", f"顾客{i}") for i in range(8)]
    results = run_together([_book(racing, m, slot.pk) for m in members])
    assert not raised(results), raised(results)
    won = [r for r in results if isinstance(r, int)]
    assert len(won) == slot.capacity == 2
    assert sorted(r for r in results if isinstance(r, str)) == ["slot_full"] * (len(members) - 2)
    assert Slot.objects.get(pk=slot.pk).booked == 2
    assert selectors.capacity_problems() == []


def test_reschedules_racing_bookings_never_overbook(racing):
    a, b = racing.slot(), racing.slot(hours=10)
    movers = [member(f"1370000{i:04d}", f"改约{i}") for i in range(4)]
    moving = [
        services.booking_create(actor=racing.me(m), slot_id=(a if i % 2 else b).pk, channel="web").booking
        for i, m in enumerate(movers)
    ]  # two in each slot: both full
    bookers = [member(f"1360000{i:04d}", f"新约{i}") for i in range(4)]

    def move(bk, to):
        def go():
            try:
                return services.booking_reschedule(
                    actor=racing.me(bk.member), booking_id=bk.pk, slot_id=to
                ).pk
            except DomainError as e:
                return e.code

        return go

    cancels = [
        lambda bk=bk: services.booking_cancel(actor=racing.me(bk.member), booking_id=bk.pk).pk
        for bk in moving[:2]
    ]
    workers = [*cancels]
    workers += [move(bk, (b if bk.slot_id == a.pk else a).pk) for bk in moving[2:]]
    workers += [_book(racing, m, s.pk) for m, s in zip(bookers, (a, b, a, b), strict=True)]
    results = run_together(workers)
    assert not raised(results), raised(results)
    for s in (a, b):
        live = Booking.objects.filter(slot=s, state__in=LIVE_STATES).count()
        assert live == Slot.objects.get(pk=s.pk).booked <= s.capacity
    assert selectors.capacity_problems() == []


def test_two_counters_never_call_the_same_ticket(racing):
    clerk, a = racing.staff("outlet_clerk"), racing.net.a
    tickets = [
        services.ticket_take(actor=clerk, outlet_id=a.pk, service_id=racing.passport.pk) for _ in range(6)
    ]

    def counter(name):
        def go():
            called = []
            for _ in range(4):
                try:
                    called.append(services.ticket_call_next(actor=clerk, outlet_id=a.pk, counter=name).pk)
                except DomainError as e:
                    assert e.code == "queue_empty"
                    break
            return called

        return go

    results = run_together([counter(f"{i}号") for i in range(4)])
    assert not raised(results), raised(results)
    called = [pk for r in results for pk in r]
    assert sorted(called) == sorted(t.pk for t in tickets)  # each once, none lost
    assert len(set(Ticket.objects.values_list("counter", "called_at"))) == len(tickets)
