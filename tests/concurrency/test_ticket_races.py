"""Tickets under real concurrency on PostgreSQL: steps racing on one ticket (two handhelds of
its technician, the desk moving or cancelling it meanwhile) move it once; the last places of a
technician's day, taken by new visits and by visits moved into it, by the desk and by customers
picking their own slot while a manager gives the technician the day off, are never overbooked.
After each: every technician day's booked count is the number of tickets holding a place on it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from omnipoint.aftersales import selectors, services
from omnipoint.aftersales.models import TechnicianDay, Ticket, TicketEvent
from omnipoint.aftersales.tests.conftest import delivered, member, technicians
from omnipoint.core.errors import DomainError
from omnipoint.outlets.domain import SYSTEM, MemberActor
from omnipoint.outlets.selectors import actor_get
from omnipoint.testing import user_of

from .threads import raised, run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def _tickets(network, n: int):
    buyer = member("13800000021", "钱七")
    order = delivered(network, buyer, installation=False)
    return [
        services.ticket_open(actor=SYSTEM, order_id=order.pk, kind="repair", description=f"第{i}台").pk
        for i in range(n)
    ]


def test_steps_racing_on_one_ticket_move_it_once(network):
    techs = technicians(network)
    [ticket_id] = _tickets(network, 1)
    day = timezone.localdate() + timedelta(days=1)
    services.ticket_schedule(
        actor=SYSTEM, ticket_id=ticket_id, technician_id=techs["tech_a"].pk, day=day, window="am"
    )
    tech, clerk = actor_get(user=techs["tech_a"].user), actor_get(user=user_of("outlet_clerk"))
    other = techs["tech_huangpu"].pk
    workers = [
        lambda: services.ticket_step(actor=tech, ticket_id=ticket_id, step="depart"),
        lambda: services.ticket_step(actor=tech, ticket_id=ticket_id, step="depart"),
        lambda: services.ticket_reschedule(
            actor=clerk, ticket_id=ticket_id, technician_id=other, day=day, window="pm"
        ),
        lambda: services.ticket_cancel(actor=clerk, ticket_id=ticket_id, note="顾客撤回"),
    ] * 2
    results = run_together(workers)
    refused = raised(results)
    assert all(isinstance(e, DomainError) and e.code == "ticket_wrong_state" for e in refused), refused
    won = [r for r in results if not isinstance(r, BaseException)]
    assert len(won) == 1, won
    t = Ticket.objects.get(pk=ticket_id)
    assert t.state == won[0].state and t.version == 2
    assert TicketEvent.objects.filter(ticket_id=ticket_id).count() == 3  # opened, scheduled, the winner
    assert selectors.capacity_mismatches() == []

    # on site: completing with the code and failing race; exactly one of them
    if t.state == "on_the_way":
        services.ticket_step(actor=tech, ticket_id=ticket_id, step="arrive")
        results = run_together(
            [lambda: services.ticket_step(actor=tech, ticket_id=ticket_id, step="complete", code=t.confirmation_code),
             lambda: services.ticket_step(actor=tech, ticket_id=ticket_id, step="fail", note="缺配件")] * 3
        )  # fmt: skip
        assert len([r for r in results if not isinstance(r, BaseException)]) == 1
        assert Ticket.objects.get(pk=ticket_id).state in ("done", "not_done")


def test_the_last_places_of_a_technicians_day_are_never_overbooked(network):
    techs = technicians(network)
    tech_a = techs["tech_a"].pk
    day, elsewhere = timezone.localdate() + timedelta(days=1), timezone.localdate() + timedelta(days=2)
    TechnicianDay.objects.create(technician_id=tech_a, day=day, capacity=3, booked=0)
    fresh, moving = _tickets(network, 6), _tickets(network, 3)
    for ticket_id in moving:
        services.ticket_schedule(
            actor=SYSTEM, ticket_id=ticket_id, technician_id=tech_a, day=elsewhere, window="am"
        )
    clerk = actor_get(user=user_of("outlet_clerk"))
    workers = [
        lambda t=t: services.ticket_schedule(
            actor=clerk, ticket_id=t, technician_id=tech_a, day=day, window="am"
        )
        for t in fresh
    ] + [
        lambda t=t: services.ticket_reschedule(
            actor=clerk, ticket_id=t, technician_id=tech_a, day=day, window="pm"
        )
        for t in moving
    ]
    results = run_together(workers)
    refused = raised(results)
    assert all(isinstance(e, DomainError) and e.code == "technician_day_full" for e in refused), refused
    assert len(refused) == len(workers) - 3
    booked = TechnicianDay.objects.get(technician_id=tech_a, day=day)
    assert booked.booked == 3 == Ticket.objects.filter(visit_day=day, technician_id=tech_a).count()
    moved = Ticket.objects.filter(pk__in=moving, visit_day=day).count()
    assert TechnicianDay.objects.get(technician_id=tech_a, day=elsewhere).booked == 3 - moved
    assert Ticket.objects.filter(pk__in=fresh, state="open").count() == 6 - (3 - moved)
    assert selectors.capacity_mismatches() == []
    call_command("check_aftersales")  # and the operators' check says so too


def test_racing_wrong_codes_spend_no_more_than_the_attempts(network):
    """Handhelds guessing at once on one ticket: exactly CODE_ATTEMPTS wrong codes are looked at,
    the rest are refused as locked, and the right code after them does not complete it."""
    from omnipoint.aftersales.domain import CODE_ATTEMPTS

    techs = technicians(network)
    [ticket_id] = _tickets(network, 1)
    day = timezone.localdate() + timedelta(days=1)
    services.ticket_schedule(
        actor=SYSTEM, ticket_id=ticket_id, technician_id=techs["tech_a"].pk, day=day, window="am"
    )
    tech = actor_get(user=techs["tech_a"].user)
    services.ticket_step(actor=tech, ticket_id=ticket_id, step="depart")
    services.ticket_step(actor=tech, ticket_id=ticket_id, step="arrive")
    right = Ticket.objects.get(pk=ticket_id).confirmation_code
    wrong = [f"{(int(right) + i) % 1_000_000:06d}" for i in range(1, 2 * CODE_ATTEMPTS + 3)]
    results = run_together(
        [
            lambda c=c: services.ticket_step(actor=tech, ticket_id=ticket_id, step="complete", code=c)
            for c in wrong
        ]
    )
    codes = sorted(e.code for e in raised(results))  # type: ignore[union-attr]
    assert codes.count("confirmation_code_invalid") == CODE_ATTEMPTS, codes
    assert codes.count("confirmation_locked") == len(wrong) - CODE_ATTEMPTS, codes
    with pytest.raises(DomainError) as e:
        services.ticket_step(actor=tech, ticket_id=ticket_id, step="complete", code=right)
    assert e.value.code == "confirmation_locked"
    t = Ticket.objects.get(pk=ticket_id)
    assert (t.state, t.code_failures) == ("on_site", CODE_ATTEMPTS)


def test_customers_and_the_desk_racing_for_the_last_places_never_overbook(network):
    """Customers pick the morning of a day (new visits, and visits moved from another day) while
    the desk schedules others on it and the manager tries to give the technician that day off:
    either the day off wins and nobody has a visit that day, or exactly its places are taken."""
    techs = technicians(network)
    tech_a, huangpu = techs["tech_a"].pk, techs["tech_huangpu"].pk
    day, elsewhere = timezone.localdate() + timedelta(days=1), timezone.localdate() + timedelta(days=2)
    manager = actor_get(user=user_of("city_manager"))
    services.technician_day_set(actor=manager, technician_id=huangpu, day=day, capacity=0, note="休息")
    services.technician_day_set(actor=manager, technician_id=tech_a, day=day, capacity=3)
    own, desk_side, moving = _tickets(network, 4), _tickets(network, 3), _tickets(network, 2)
    buyer = Ticket.objects.get(pk=own[0]).member
    assert buyer is not None and buyer.user_id is not None
    me = MemberActor(user_id=buyer.user_id, member_id=buyer.pk)
    for ticket_id in moving:
        services.ticket_visit_choose(actor=me, ticket_id=ticket_id, day=elsewhere, window="pm")
    clerk = actor_get(user=user_of("outlet_clerk"))
    choose = services.ticket_visit_choose
    workers = (
        [lambda t=t: choose(actor=me, ticket_id=t, day=day, window="am") for t in own + moving]
        + [lambda t=t: services.ticket_schedule(actor=clerk, ticket_id=t, technician_id=tech_a, day=day,
                                                window="pm") for t in desk_side]
        + [lambda: services.technician_day_set(actor=manager, technician_id=tech_a, day=day, capacity=0)]
    )  # fmt: skip
    results = run_together(workers)
    refused = raised(results)
    codes = {"slot_full", "technician_day_full", "capacity_below_booked"}
    assert all(isinstance(e, DomainError) and e.code in codes for e in refused), refused
    row = TechnicianDay.objects.get(technician_id=tech_a, day=day)
    on_day = Ticket.objects.filter(visit_day=day, technician_id=tech_a).count()
    assert row.booked == on_day and not Ticket.objects.filter(visit_day=day, technician_id=huangpu).exists()
    day_off = not any(getattr(e, "code", "") == "capacity_below_booked" for e in refused)
    assert (row.capacity, row.booked) == ((0, 0) if day_off else (3, 3)), (row.capacity, refused)
    assert len(refused) == len(workers) - (1 if day_off else 3)
    moved = Ticket.objects.filter(pk__in=moving, visit_day=day).count()
    assert TechnicianDay.objects.get(technician_id=tech_a, day=elsewhere).booked == 2 - moved
    assert selectors.capacity_mismatches() == []
    call_command("check_aftersales")
