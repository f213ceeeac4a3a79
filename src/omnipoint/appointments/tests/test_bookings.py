"""Booking, cancelling, moving, no-shows and reminders through the services."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from omnipoint.appointments import selectors, services
from omnipoint.appointments.domain import NO_SHOW_LIMIT, BookingState
from omnipoint.appointments.models import Booking, Slot
from omnipoint.core.errors import DomainError
from omnipoint.outlets.domain import SYSTEM

from .conftest import member

pytestmark = pytest.mark.django_db


def refused(expected, fn, **kw):
    with pytest.raises(DomainError) as e:
        fn(**kw)
    assert e.value.code == expected, e.value.as_dict()
    return e.value


def test_a_member_books_a_place_and_the_slot_counts_it(appts):
    slot = appts.slot()
    r = services.booking_create(actor=appts.me(), slot_id=slot.pk, channel="web", client_key="k1")
    assert r.created and r.booking.member == appts.member and r.booking.state == BookingState.BOOKED
    assert Slot.objects.get(pk=slot.pk).booked == 1
    again = services.booking_create(actor=appts.me(), slot_id=slot.pk, channel="web", client_key="k1")
    assert (again.created, again.booking.pk) == (False, r.booking.pk)
    assert Slot.objects.get(pk=slot.pk).booked == 1
    refused("client_key_reused", services.booking_create, actor=appts.me(), slot_id=appts.slot(hours=8).pk,
            channel="web", client_key="k1")  # fmt: skip
    refused("already_booked", services.booking_create, actor=appts.me(), slot_id=slot.pk, channel="web")
    call_command("check_appointments", stdout=open("/dev/null", "w"))


def test_a_full_slot_a_past_slot_and_someone_else_are_refused(appts):
    slot = appts.slot()
    services.booking_create(actor=appts.me(), slot_id=slot.pk, channel="web")
    services.booking_create(actor=appts.me(appts.other), slot_id=slot.pk, channel="web")
    third = services.booking_create(actor=appts.staff("outlet_clerk"), slot_id=appts.slot(hours=9).pk,
                                    channel="pos", member_id=appts.other.pk)  # fmt: skip
    assert third.booking.booked_by_id == appts.staff("outlet_clerk").user_id
    before = list(Booking.objects.values_list("pk", "state"))
    refused("slot_full", services.booking_create, actor=appts.staff("outlet_clerk"), slot_id=slot.pk,
            channel="hotline", member_id=appts.member.pk)  # fmt: skip
    past = Slot.objects.filter(outlet=appts.net.a).order_by("starts_at").first()
    appts.move(past, minutes=-5)
    refused("slot_past", services.booking_create, actor=appts.me(), slot_id=past.pk, channel="web")
    refused("not_yourself", services.booking_create, actor=appts.me(), slot_id=slot.pk, channel="web",
            member_id=appts.other.pk)  # fmt: skip
    refused("invalid_channel", services.booking_create, actor=appts.me(), slot_id=slot.pk, channel="pos")
    refused("slot_not_found", services.booking_create, actor=appts.staff("other_city_clerk"), slot_id=slot.pk,
            channel="pos", member_id=appts.member.pk)  # fmt: skip
    refused("slot_not_found", services.booking_create, actor=appts.me(), slot_id=10**9, channel="web")
    assert list(Booking.objects.values_list("pk", "state")) == before
    assert Slot.objects.get(pk=slot.pk).booked == 2


def test_cancel_and_reschedule_move_capacity(appts):
    first, second = appts.slot(), appts.slot(hours=10)
    b = services.booking_create(actor=appts.me(), slot_id=first.pk, channel="web").booking
    moved = services.booking_reschedule(actor=appts.me(), booking_id=b.pk, slot_id=second.pk)
    assert moved.slot_id == second.pk
    assert (Slot.objects.get(pk=first.pk).booked, Slot.objects.get(pk=second.pk).booked) == (0, 1)
    refused("booking_not_found", services.booking_cancel, actor=appts.me(appts.other), booking_id=b.pk)
    refused(
        "booking_not_found", services.booking_cancel, actor=appts.staff("other_city_clerk"), booking_id=b.pk
    )
    other_service = appts.slot(appts.broadband)
    refused("different_service", services.booking_reschedule, actor=appts.me(), booking_id=b.pk,
            slot_id=other_service.pk)  # fmt: skip
    cancelled = services.booking_cancel(actor=appts.me(), booking_id=b.pk)
    assert cancelled.state == BookingState.CANCELLED and Slot.objects.get(pk=second.pk).booked == 0
    refused("booking_wrong_state", services.booking_cancel, actor=appts.me(), booking_id=b.pk)
    call_command("check_appointments", stdout=open("/dev/null", "w"))


def test_a_member_may_not_change_a_booking_close_to_its_start_but_the_counter_may(appts):
    slot = appts.slot()
    b = services.booking_create(actor=appts.me(), slot_id=slot.pk, channel="web").booking
    appts.move(slot, minutes=60)
    e = refused("too_late_to_change", services.booking_cancel, actor=appts.me(), booking_id=b.pk)
    assert e.details["reason"]["params"] == {"hours": 2}
    assert services.booking_cancel(actor=appts.staff("outlet_clerk"), booking_id=b.pk).state == "cancelled"


def test_a_reschedule_to_a_full_slot_changes_nothing(appts):
    first, full = appts.slot(), appts.slot(hours=10)
    for m in (appts.other, appts.member):
        services.booking_create(actor=appts.me(m), slot_id=full.pk, channel="web")
    b = services.booking_create(actor=appts.me(appts.other), slot_id=first.pk, channel="web").booking
    refused("already_booked", services.booking_reschedule, actor=appts.me(appts.other), booking_id=b.pk,
            slot_id=full.pk)  # fmt: skip
    third_member = member("13800000003", "王五")
    third = services.booking_create(actor=appts.me(third_member), slot_id=appts.slot(hours=12).pk,
                                    channel="web").booking  # fmt: skip
    refused("slot_full", services.booking_reschedule, actor=appts.me(third_member), booking_id=third.pk,
            slot_id=full.pk)  # fmt: skip
    assert Booking.objects.get(pk=b.pk).slot_id == first.pk
    assert [Slot.objects.get(pk=s.pk).booked for s in (first, full)] == [1, 2]
    call_command("check_appointments", stdout=open("/dev/null", "w"))


def test_no_shows_free_the_place_and_count_against_the_member(appts):
    made = []
    for i in range(NO_SHOW_LIMIT):
        slot = appts.slot(hours=5 + 3 * i)
        made.append(services.booking_create(actor=appts.me(), slot_id=slot.pk, channel="web").booking)
        appts.move(slot, minutes=-20 - i * 180)
    assert services.bookings_no_show(actor=SYSTEM) == NO_SHOW_LIMIT
    assert services.bookings_no_show(actor=SYSTEM) == 0
    assert {b.state for b in Booking.objects.all()} == {BookingState.NO_SHOW}
    assert set(Slot.objects.filter(pk__in=[b.slot_id for b in made]).values_list("booked", flat=True)) == {0}
    assert selectors.no_show_count(member_id=appts.member.pk) == NO_SHOW_LIMIT
    refused(
        "too_many_no_shows", services.booking_create, actor=appts.me(), slot_id=appts.slot().pk, channel="web"
    )
    # the counter still books for them
    services.booking_create(actor=appts.staff("outlet_clerk"), slot_id=appts.slot().pk, channel="pos",
                            member_id=appts.member.pk)  # fmt: skip
    call_command("check_appointments", stdout=open("/dev/null", "w"))


def test_a_reminder_goes_out_once(appts, demo_mode, django_capture_on_commit_callbacks):
    from omnipoint.members.models import SandboxSms

    soon = appts.slot(hours=3)
    services.booking_create(actor=appts.me(), slot_id=soon.pk, channel="web")
    services.booking_create(actor=appts.me(), slot_id=appts.slot(hours=30).pk, channel="web")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.bookings_remind(actor=SYSTEM) == 1
    assert services.bookings_remind(actor=SYSTEM) == 0
    assert Booking.objects.filter(reminded_at__isnull=False).count() == 1
    (sms,) = SandboxSms.objects.filter(mobile=appts.member.mobile)
    assert "出入境证件代办" in sms.text


def test_a_closure_closes_the_days_slots_and_a_timetable_change_follows(appts):
    tomorrow = timezone.localdate() + timedelta(days=2)
    services.closure_add(actor=appts.staff("outlet_manager"), outlet_id=appts.net.a.pk, day=tomorrow,
                         reason="元旦")  # fmt: skip
    day_slots = selectors.slots_free(outlet_id=appts.net.a.pk, service_id=appts.passport.pk, day=tomorrow)
    assert day_slots == []
    assert selectors.slots_free(outlet_id=appts.net.a.pk, service_id=appts.broadband.pk, day=tomorrow) == []
    refused("forbidden", services.closure_add, actor=appts.staff("outlet_clerk"), outlet_id=appts.net.a.pk,
            day=tomorrow, reason="x")  # fmt: skip
    refused("outlet_not_found", services.offer_set, actor=appts.staff("outlet_manager"), outlet_id=appts.net.c.pk,
            service_id=appts.passport.pk, openings=[])  # fmt: skip
    services.offer_set(actor=appts.staff("outlet_manager"), outlet_id=appts.net.a.pk,
                       service_id=appts.passport.pk, openings=[])  # fmt: skip
    assert selectors.slots_free(outlet_id=appts.net.a.pk, service_id=appts.passport.pk) == []


def test_the_clerk_ticks_the_materials(appts):
    b = services.booking_create(actor=appts.me(), slot_id=appts.slot().pk, channel="web").booking
    done = services.booking_materials_check(actor=appts.staff("outlet_clerk"), booking_id=b.pk,
                                            checked=["photo", "id_card"], note="照片待补")  # fmt: skip
    assert (done.materials_checked, done.materials_note) == (["id_card", "photo"], "照片待补")
    refused("unknown_material", services.booking_materials_check, actor=appts.staff("outlet_clerk"),
            booking_id=b.pk, checked=["passport"])  # fmt: skip


def test_nearby_offers_come_nearest_first_with_their_next_slot(appts):
    a = appts.net.a
    near = selectors.offers_near(service_id=appts.passport.pk, lat=a.lat, lng=a.lng)
    assert [n.outlet.code for n in near] == ["SH-A"]
    assert near[0].next_slot is not None and near[0].next_slot.starts_at > timezone.now()


def test_booking_a_slot_closed_by_a_closure_says_why(appts):
    from omnipoint.core.explain import render

    slot = appts.slot(hours=30)
    services.closure_add(actor=SYSTEM, outlet_id=appts.net.a.pk, day=timezone.localtime(slot.starts_at).date(),
                         reason="元旦")  # fmt: skip
    e = refused("slot_closed", services.booking_create, actor=appts.me(), slot_id=slot.pk, channel="web")
    assert "元旦" in render(e.details["reason"])
    assert Slot.objects.get(pk=slot.pk).booked == 0
