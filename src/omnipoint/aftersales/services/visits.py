"""Visits, agreed with the customer at the desk (a clerk or a manager, ``ticket.desk``, the
ticket's outlet in scope): a day and a part of it, and a technician who may serve the ticket's
outlet (its own or its district's team).

Capacity is the ticket's own, per technician and day (``TechnicianDay``), not an appointment
``Slot``: a slot is a place at an outlet's counter for a service on a weekly timetable, booked
by a member and swept as a no-show when nobody checks in; a home visit uses up a technician's
day wherever the customer lives, is assigned as it is agreed, and may be for a guest's order
with no member behind it. So a visit takes one place of its technician's day by the guarded
UPDATE ``booked < capacity``, gives it back by ``booked > 0``, moves it in (technician, day)
order, all in the transaction that moves the ticket (after its compare-and-set), and a CHECK
constraint is the backstop: a day is never overbooked and a refusal changes nothing.
"""

from datetime import date
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, override

from omnipoint.aftersales import domain, selectors
from omnipoint.aftersales.domain import Step, Window
from omnipoint.aftersales.models import Ticket
from omnipoint.aftersales.services._common import _move, _move_place, new_code
from omnipoint.core.errors import NotFoundError, ValidationError
from omnipoint.members.sms import sms_send
from omnipoint.outlets.domain import StaffActor


def _visit_text(ticket: Ticket, day: date, window: str, code: str) -> str:
    with override("zh-hans"):
        return gettext(
            "Ticket %(number)s: our technician visits on %(day)s, %(window)s. "
            "Give them the code %(code)s when the work is done."
        ) % {
            "number": ticket.number, "day": day.strftime("%m-%d"), "window": Window(window).label,
            "code": code,
        }  # fmt: skip


def _check_visit(ticket: Ticket, technician_id: int, day: date, window: str) -> None:
    if window not in Window.values:
        raise ValidationError("a visit is in the morning (am) or the afternoon (pm)", code="invalid_window")
    domain.check_visit_day(day, today=timezone.localdate())
    if not selectors.technicians_for(ticket=ticket).filter(pk=technician_id).exists():
        raise NotFoundError(
            "no technician by this id serves this ticket's outlet", code="technician_not_found"
        )


def _visit(
    actor: StaffActor, step: str, ticket_id: int, technician_id: int, day: date, window: str, note: str,
    address: str = "",
) -> Ticket:  # fmt: skip
    ticket = selectors.ticket_for_desk(actor=actor, ticket_id=ticket_id)
    domain.next_state(step, ticket.state)  # a step out of order is refused before anything else
    _check_visit(ticket, technician_id, day, window)
    text = domain.check_note(note, required=False)
    now = timezone.now()
    old = (ticket.technician_id, ticket.visit_day) if ticket.visit_day and ticket.technician_id else None
    fields: dict[str, object] = {"technician_id": technician_id, "visit_day": day, "visit_window": window}
    where = (address or "").strip()
    if len(where) > 200:
        raise ValidationError("an address is at most 200 characters", code="invalid_address")
    if where:
        fields["address"] = where  # where the customer wants the visit (a counter sale has none)
    if ticket.responded_at is None:
        fields["responded_at"] = now  # the first response of the SLA: a visit agreed
    code = ticket.confirmation_code
    if ticket.code_failures >= domain.CODE_ATTEMPTS:  # locked by wrong codes: a new one, texted
        code = fields["confirmation_code"] = new_code()
        fields["code_failures"] = 0
    with transaction.atomic():
        _move(ticket, step, now=now, user_id=actor.user_id, note=text, **fields)
        _move_place(old, (technician_id, day))
        if ticket.customer_mobile:
            message = _visit_text(ticket, day, window, code)
            transaction.on_commit(partial(sms_send, mobile=ticket.customer_mobile, text=message))
    ticket.refresh_from_db()
    return ticket


def ticket_schedule(
    *, actor: StaffActor, ticket_id: int, technician_id: int, day: date, window: str, note: str = "",
    address: str = "",
) -> Ticket:  # fmt: skip
    """Agree the first visit with the customer: a day, its morning or afternoon, a technician
    who takes one place of that day, and where (the order's address unless another is given).
    The customer is texted the visit and their code."""
    return _visit(actor, Step.SCHEDULE, ticket_id, technician_id, day, window, note, address)


def ticket_reschedule(
    *, actor: StaffActor, ticket_id: int, technician_id: int, day: date, window: str, note: str = "",
    address: str = "",
) -> Ticket:  # fmt: skip
    """A new visit (the customer asked, or the last one could not complete): the place moves to
    the new technician's day, or nothing changes."""
    return _visit(actor, Step.RESCHEDULE, ticket_id, technician_id, day, window, note, address)


def ticket_cancel(*, actor: StaffActor, ticket_id: int, note: str) -> Ticket:
    """Close a ticket nobody will visit for (the customer withdrew it), with a reason: its
    place, if it held one, goes back to the technician's day."""
    ticket = selectors.ticket_for_desk(actor=actor, ticket_id=ticket_id)
    domain.next_state(Step.CANCEL, ticket.state)
    text = domain.check_note(note, required=True)
    held = ticket.state in domain.HOLDS_A_PLACE and ticket.visit_day and ticket.technician_id
    with transaction.atomic():
        _move(ticket, Step.CANCEL, now=timezone.now(), user_id=actor.user_id, note=text)
        if held:
            _move_place((ticket.technician_id, ticket.visit_day), None)  # type: ignore[arg-type]
    ticket.refresh_from_db()
    return ticket
