"""Check-in, walk-ins, calling and serving at the outlet."""

import pytest

from omnipoint.appointments import services
from omnipoint.appointments.domain import BookingState, TicketState
from omnipoint.appointments.models import Booking, Ticket
from omnipoint.core.errors import DomainError

pytestmark = pytest.mark.django_db


def refused(expected, fn, **kw):
    with pytest.raises(DomainError) as e:
        fn(**kw)
    assert e.value.code == expected, e.value.as_dict()


def test_check_in_joins_the_queue_with_walk_ins_and_the_counter_serves_in_order(appts):
    clerk, a = appts.staff("outlet_clerk"), appts.net.a
    slot = appts.slot()
    b = services.booking_create(actor=appts.me(), slot_id=slot.pk, channel="web").booking
    refused("check_in_too_early", services.booking_check_in, actor=clerk, outlet_id=a.pk, code=b.code)
    appts.move(slot, minutes=10)
    walk_in = services.ticket_take(actor=clerk, outlet_id=a.pk, service_id=appts.passport.pk)
    ticket = services.booking_check_in(actor=clerk, outlet_id=a.pk, code=b.code.lower())
    assert (walk_in.label, ticket.label) == ("A001", "A002")
    assert services.booking_check_in(actor=clerk, outlet_id=a.pk, code=b.code).pk == ticket.pk
    other = services.ticket_take(actor=clerk, outlet_id=a.pk, service_id=appts.broadband.pk)
    assert other.label == "B001"
    assert Booking.objects.get(pk=b.pk).state == BookingState.CHECKED_IN

    first = services.ticket_call_next(actor=clerk, outlet_id=a.pk, counter="1号窗")
    assert first.pk == walk_in.pk and first.wait_s is not None
    second = services.ticket_call_next(
        actor=clerk, outlet_id=a.pk, counter="1号窗", service_id=appts.passport.pk
    )
    assert second.pk == ticket.pk
    assert Ticket.objects.get(pk=walk_in.pk).state == TicketState.DONE  # calling the next ended it
    done = services.ticket_finish(actor=clerk, ticket_id=second.pk)
    assert done.state == TicketState.DONE and done.service_s is not None
    assert Booking.objects.get(pk=b.pk).state == BookingState.DONE
    refused("ticket_wrong_state", services.ticket_finish, actor=clerk, ticket_id=second.pk)
    third = services.ticket_call_next(actor=clerk, outlet_id=a.pk, counter="2")
    assert third.pk == other.pk
    assert services.ticket_skip(actor=clerk, ticket_id=third.pk).state == TicketState.SKIPPED
    refused("queue_empty", services.ticket_call_next, actor=clerk, outlet_id=a.pk, counter="2")


def test_the_queue_refuses_what_is_not_its_own(appts):
    clerk, a = appts.staff("outlet_clerk"), appts.net.a
    b = services.booking_create(
        actor=appts.me(), slot_id=appts.slot(outlet=appts.net.c).pk, channel="web"
    ).booking
    refused("booking_not_found", services.booking_check_in, actor=clerk, outlet_id=a.pk, code=b.code)
    refused("outlet_not_found", services.booking_check_in, actor=clerk, outlet_id=appts.net.c.pk, code=b.code)
    refused("outlet_not_found", services.ticket_take, actor=clerk, outlet_id=appts.net.c.pk,
            service_id=appts.passport.pk)  # fmt: skip
    refused("service_not_offered", services.ticket_take, actor=appts.staff("other_city_clerk"),
            outlet_id=appts.net.c.pk, service_id=appts.broadband.pk)  # fmt: skip
    refused("counter_required", services.ticket_call_next, actor=clerk, outlet_id=a.pk, counter=" ")
    refused("forbidden", services.ticket_take, actor=appts.me(), outlet_id=a.pk, service_id=appts.passport.pk)
    late = appts.slot(hours=6)
    lb = services.booking_create(actor=appts.me(), slot_id=late.pk, channel="web").booking
    appts.move(late, minutes=-16)
    refused("check_in_too_late", services.booking_check_in, actor=clerk, outlet_id=a.pk, code=lb.code)
    assert Ticket.objects.count() == 0
