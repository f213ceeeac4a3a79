"""The queue at the outlet (取号 / 叫号): a checked-in booking or a walk-in takes a ticket in
the day's queue of its service (A001 ...); a counter calls the next waiting ticket.

Numbers come from the unique (outlet, service, day, number): the next number is inserted in a
savepoint and a clash retried, so two tickets never share one. Calling is a compare-and-set
on the ticket's state (``waiting`` -> ``called``): two counters calling at once get two
different tickets, and a ticket is called once. Calling the next ticket ends the one the
counter was serving. Waiting time (issued -> called) and service time (called -> done) are
recorded on the ticket.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from omnipoint.appointments import domain, selectors
from omnipoint.appointments.domain import BookingState, TicketState
from omnipoint.appointments.models import Booking, Ticket
from omnipoint.core.errors import ConflictError, NotFoundError, ValidationError
from omnipoint.outlets.domain import Perm, StaffActor

NUMBER_TRIES = 20
CALL_ROUNDS = 20


def _issue(*, outlet_id: int, service_id: int, prefix: str, booking_id: int | None, now: datetime) -> Ticket:
    day = domain.business_day(now)
    for _ in range(NUMBER_TRIES):
        last = Ticket.objects.filter(outlet_id=outlet_id, service_id=service_id, day=day).aggregate(
            n=Max("number")
        )["n"]
        number = (last or 0) + 1
        try:
            with transaction.atomic():
                return Ticket.objects.create(
                    outlet_id=outlet_id, service_id=service_id, day=day, number=number,
                    label=domain.queue_label(prefix, number), booking_id=booking_id, issued_at=now,
                )  # fmt: skip
        except IntegrityError:
            continue  # another ticket took this number: take the next
    raise ConflictError("the queue is busy; try again", code="queue_busy")


@transaction.atomic
def booking_check_in(*, actor: StaffActor, outlet_id: int, code: str) -> Ticket:
    """Check a booking in at its outlet by its code (typed, or read from its QR): it joins the
    queue of its service. Checking in again gives the same ticket."""
    outlet = selectors.outlet_at(actor=actor, outlet_id=outlet_id, perm=Perm.APPOINTMENT_DESK)
    booking = (
        Booking.objects.select_related("slot", "service")
        .filter(outlet=outlet, code=code.strip().upper()[:12])
        .first()
    )
    if booking is None:
        raise NotFoundError("no booking at this outlet has this code", code="booking_not_found")
    if booking.state == BookingState.CHECKED_IN:
        return Ticket.objects.get(booking=booking)
    if booking.state != BookingState.BOOKED:
        raise ConflictError(
            f"this booking is {booking.state}", code="booking_wrong_state", state=booking.state
        )
    now = timezone.now()
    domain.check_in_window(starts_at=booking.slot.starts_at, now=now)
    if not Booking.objects.filter(pk=booking.pk, state=BookingState.BOOKED).update(
        state=BookingState.CHECKED_IN, checked_in_at=now
    ):
        raise ConflictError("this booking changed meanwhile", code="booking_wrong_state")
    return _issue(
        outlet_id=outlet.pk, service_id=booking.service_id, prefix=booking.service.queue_prefix,
        booking_id=booking.pk, now=now,
    )  # fmt: skip


def ticket_take(*, actor: StaffActor, outlet_id: int, service_id: int) -> Ticket:
    """A walk-in takes a ticket for a service the outlet offers, in the same queue."""
    outlet = selectors.outlet_at(actor=actor, outlet_id=outlet_id, perm=Perm.APPOINTMENT_DESK)
    offer = selectors.offer_get(outlet_id=outlet.pk, service_id=service_id)
    return _issue(
        outlet_id=outlet.pk, service_id=offer.service_id, prefix=offer.service.queue_prefix,
        booking_id=None, now=timezone.now(),
    )  # fmt: skip


def _counter(counter: str) -> str:
    text = (counter or "").strip()
    if not 1 <= len(text) <= 10:
        raise ValidationError("name the counter (1 to 10 characters)", code="counter_required")
    return text


def _finish(ticket_id: int, called_at: datetime | None, now: datetime) -> bool:
    called_at = called_at or now
    done = Ticket.objects.filter(pk=ticket_id, state=TicketState.CALLED).update(
        state=TicketState.DONE, done_at=now, service_s=max(0, int((now - called_at).total_seconds()))
    )
    if done:
        Booking.objects.filter(ticket__pk=ticket_id, state=BookingState.CHECKED_IN).update(
            state=BookingState.DONE
        )
    return bool(done)


def _claim_next(outlet_id: int, service_id: int | None, counter: str, user_id: int | None) -> Ticket | None:
    now = timezone.now()
    waiting = Ticket.objects.filter(
        outlet_id=outlet_id, day=domain.business_day(now), state=TicketState.WAITING
    )
    if service_id is not None:
        waiting = waiting.filter(service_id=service_id)
    candidates = list(waiting.order_by("issued_at", "pk").values_list("pk", "issued_at")[:10])
    if not candidates:
        raise ConflictError("nobody is waiting", code="queue_empty")
    for pk, issued_at in candidates:
        called = Ticket.objects.filter(pk=pk, state=TicketState.WAITING).update(
            state=TicketState.CALLED, called_at=now, counter=counter, called_by_id=user_id,
            wait_s=max(0, int((now - issued_at).total_seconds())),
        )  # fmt: skip
        if called:
            return Ticket.objects.select_related("service", "booking").get(pk=pk)
    return None  # every candidate was called by another counter meanwhile: look again


def ticket_call_next(
    *, actor: StaffActor, outlet_id: int, counter: str, service_id: int | None = None
) -> Ticket:
    """The counter calls the next waiting ticket (of one service, or of any), first come first
    served; the ticket it was serving is done."""
    outlet = selectors.outlet_at(actor=actor, outlet_id=outlet_id, perm=Perm.APPOINTMENT_DESK)
    name = _counter(counter)
    now = timezone.now()
    serving = Ticket.objects.filter(outlet=outlet, counter=name, state=TicketState.CALLED)
    for pk, called_at in serving.values_list("pk", "called_at"):
        _finish(pk, called_at, now)
    for _ in range(CALL_ROUNDS):
        ticket = _claim_next(outlet.pk, service_id, name, actor.user_id)
        if ticket is not None:
            return ticket
    raise ConflictError("the queue is busy; try again", code="queue_busy")


def _called(actor: StaffActor, ticket_id: int) -> Ticket:
    ticket = selectors.ticket_get(actor=actor, ticket_id=ticket_id)
    actor.require(Perm.APPOINTMENT_DESK)
    if ticket.state != TicketState.CALLED:
        raise ConflictError(f"this ticket is {ticket.state}", code="ticket_wrong_state", state=ticket.state)
    return ticket


@transaction.atomic
def ticket_finish(*, actor: StaffActor, ticket_id: int) -> Ticket:
    """The called ticket has been served: its service time is recorded, its booking done."""
    ticket = _called(actor, ticket_id)
    if not _finish(ticket.pk, ticket.called_at, timezone.now()):
        raise ConflictError("this ticket changed meanwhile", code="ticket_wrong_state")
    ticket.refresh_from_db()
    return ticket


def ticket_skip(*, actor: StaffActor, ticket_id: int) -> Ticket:
    """Called and nobody came: the ticket leaves the queue."""
    ticket = _called(actor, ticket_id)
    if not Ticket.objects.filter(pk=ticket.pk, state=TicketState.CALLED).update(
        state=TicketState.SKIPPED, done_at=timezone.now()
    ):
        raise ConflictError("this ticket changed meanwhile", code="ticket_wrong_state")
    ticket.refresh_from_db()
    return ticket
