"""The customer's own visit, through the services: the slots offered from the technicians'
places, a pick and its changes within the rules (not started, not full, not once the technician
is on the way, at most CUSTOMER_CHANGES moves), and the technicians' days a manager sets (the
standing visits a day, a day off), each refusal changing nothing."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from omnipoint.aftersales import domain, selectors, services
from omnipoint.aftersales.models import TechnicianDay, Ticket
from omnipoint.members.models import SandboxSms
from omnipoint.outlets.domain import SYSTEM

from .test_tickets import refused, tomorrow

pytestmark = pytest.mark.django_db


def day_of(t: Ticket, tech_id: int, day) -> TechnicianDay:
    return TechnicianDay.objects.get(technician_id=tech_id, day=day)


def test_the_customer_picks_and_moves_their_visit_within_the_rules(
    desk, demo_mode, django_capture_on_commit_callbacks
):
    t, tech_a, huangpu = desk.installation(), desk.techs["tech_a"].pk, desk.techs["tech_huangpu"].pk
    me, d1, d2 = desk.me(), tomorrow(), tomorrow() + timedelta(days=1)
    slots = selectors.visit_slots_for(actor=me, ticket_id=t.pk)
    assert len(slots) == 2 * domain.CUSTOMER_AHEAD_DAYS
    assert [(s.day, s.window, s.free) for s in slots[2:4]] == [
        (d1, "am", 12),
        (d1, "pm", 12),
    ]  # two technicians
    with django_capture_on_commit_callbacks(execute=True):
        picked = services.ticket_visit_choose(actor=me, ticket_id=t.pk, day=d1, window="am")
    assert (picked.state, picked.technician_id, picked.visit_day, picked.customer_changes) == (
        "scheduled", tech_a, d1, 0)  # fmt: skip
    assert picked.responded_at is not None and day_of(t, tech_a, d1).booked == 1
    assert SandboxSms.objects.filter(mobile=t.customer_mobile, text__contains=t.confirmation_code).exists()
    refused("same_slot", services.ticket_visit_choose, actor=me, ticket_id=t.pk, day=d1, window="am")
    # the technician's own day is full now: a move keeps its place; another day goes to the district team
    TechnicianDay.objects.filter(technician_id=tech_a, day=d1).update(capacity=1)
    TechnicianDay.objects.create(technician_id=tech_a, day=d2, capacity=0)
    moved = services.ticket_visit_choose(actor=me, ticket_id=t.pk, day=d1, window="pm")
    assert (moved.state, moved.technician_id, moved.visit_window, moved.customer_changes) == (
        "rescheduled", tech_a, "pm", 1)  # fmt: skip
    moved = services.ticket_visit_choose(actor=me, ticket_id=t.pk, day=d2, window="am")
    assert (moved.technician_id, moved.customer_changes) == (huangpu, 2)
    assert (day_of(t, tech_a, d1).booked, day_of(t, huangpu, d2).booked) == (0, 1)
    refused("visit_change_limit", services.ticket_visit_choose, actor=me, ticket_id=t.pk, day=d1, window="am")
    assert selectors.capacity_mismatches() == []


def test_a_pick_is_refused_past_full_under_way_or_not_theirs(desk):
    t, tech_a, huangpu = desk.installation(), desk.techs["tech_a"].pk, desk.techs["tech_huangpu"].pk
    me, d1 = desk.me(), tomorrow()
    yesterday = timezone.localdate() - timedelta(days=1)
    refused("slot_past", services.ticket_visit_choose, actor=me, ticket_id=t.pk, day=yesterday, window="pm")
    far = timezone.localdate() + timedelta(days=domain.CUSTOMER_AHEAD_DAYS)
    refused("too_far_ahead", services.ticket_visit_choose, actor=me, ticket_id=t.pk, day=far, window="am")
    refused("invalid_window", services.ticket_visit_choose, actor=me, ticket_id=t.pk, day=d1, window="xx")
    for tech in (tech_a, huangpu):
        TechnicianDay.objects.create(technician_id=tech, day=d1, capacity=0)
    assert [s.open for s in selectors.visit_slots(ticket=t) if s.day == d1] == [False, False]
    refused("slot_full", services.ticket_visit_choose, actor=me, ticket_id=t.pk, day=d1, window="am")
    refused("ticket_not_found", services.ticket_visit_choose, actor=desk.me(desk.other), ticket_id=t.pk,
            day=d1 + timedelta(days=1), window="am")  # fmt: skip
    refused("not_member", services.ticket_visit_choose, actor=desk.staff("outlet_clerk"), ticket_id=t.pk,
            day=d1 + timedelta(days=1), window="am")  # fmt: skip
    services.ticket_visit_choose(actor=me, ticket_id=t.pk, day=d1 + timedelta(days=1), window="am")
    services.ticket_step(actor=desk.tech(), ticket_id=t.pk, step="depart")
    refused("visit_under_way", services.ticket_visit_choose, actor=me, ticket_id=t.pk,
            day=d1 + timedelta(days=2), window="am")  # fmt: skip


def test_todays_morning_has_started_by_noon():
    day = datetime(2026, 12, 8).date()
    at_ten = datetime.combine(day, time(10), tzinfo=domain.SHANGHAI)
    slots = domain.slots_offered({day: 3, day + timedelta(days=1): 0}, now=at_ten)
    assert [(s.key, s.open) for s in slots] == [
        ("2026-12-08.am", False), ("2026-12-08.pm", True), ("2026-12-09.am", False), ("2026-12-09.pm", False),
    ]  # fmt: skip
    with pytest.raises(domain.ConflictError) as e:
        domain.check_slot(day, "am", now=at_ten)
    assert e.value.code == "slot_past"


def test_a_manager_sets_a_technicians_visits_a_day_and_a_day_off(desk):
    t, tech_a = desk.installation(), desk.techs["tech_a"].pk
    manager, d1, d2 = desk.staff("outlet_manager"), tomorrow(), tomorrow() + timedelta(days=1)
    services.ticket_schedule(actor=SYSTEM, ticket_id=t.pk, technician_id=tech_a, day=d1, window="am")
    done = services.technician_capacity_set(actor=manager, technician_id=tech_a, visits_per_day=2)
    assert (done.visits_per_day, done.kept) == (2, [])
    assert selectors.technician_free(technician_ids=[tech_a], day=d1) == {tech_a: 1}
    assert selectors.technician_free(technician_ids=[tech_a], day=d2) == {tech_a: 2}
    refused("capacity_below_booked", services.technician_day_set, actor=manager, technician_id=tech_a, day=d1,
            capacity=0, note="休息")  # fmt: skip
    off = services.technician_day_set(actor=manager, technician_id=tech_a, day=d2, capacity=0, note="休息")
    assert (off.capacity, off.exception, off.note) == (0, True, "休息")
    services.technician_capacity_set(
        actor=manager, technician_id=tech_a, visits_per_day=4
    )  # the day off stays
    assert selectors.technician_free(technician_ids=[tech_a], day=d2) == {tech_a: 0}
    cleared = services.technician_day_clear(actor=manager, technician_id=tech_a, day=d2)
    assert cleared is not None and (cleared.capacity, cleared.exception) == (4, False)
    refused("invalid_capacity", services.technician_capacity_set, actor=manager, technician_id=tech_a,
            visits_per_day=21)  # fmt: skip
    # the district's team is not the outlet manager's; a clerk sets nothing; Nanjing sees no Shanghai
    refused("technician_not_found", services.technician_capacity_set, actor=manager,
            technician_id=desk.techs["tech_huangpu"].pk, visits_per_day=3)  # fmt: skip
    refused("forbidden", services.technician_capacity_set, actor=desk.staff("outlet_clerk"), technician_id=tech_a,
            visits_per_day=3)  # fmt: skip
    refused("technician_not_found", services.technician_day_set, actor=desk.staff("city_manager"),
            technician_id=desk.techs["tech_c"].pk, day=d2, capacity=1)  # fmt: skip
    assert selectors.capacity_mismatches() == []
