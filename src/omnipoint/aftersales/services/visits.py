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

The customer picks or moves their own visit (``ticket_visit_choose``): a slot (a day's morning
or afternoon) that has not started, on a day some technician serving the outlet has a place
left; the ticket's technician is asked first, then the outlet's own, then the district's team,
each by the same guarded UPDATE in a savepoint of its own (a refusal there gives back the old
place it may have freed and leaves no lock behind), so the desk and customers racing for the
last place of a day never overbook it.
"""

from dataclasses import replace
from datetime import date
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, override

from omnipoint.aftersales import domain, selectors
from omnipoint.aftersales.domain import Step, Window
from omnipoint.aftersales.models import Ticket
from omnipoint.aftersales.services._common import _move, _move_place, _new_code
from omnipoint.core.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from omnipoint.members.sms import sms_send
from omnipoint.outlets.domain import AnyActor, MemberActor, StaffActor


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
        code = fields["confirmation_code"] = _new_code()
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


def _slot_full(day: date, window: str) -> ConflictError:
    return ConflictError("no technician has a place left that day", code="slot_full",
                         day=day.isoformat(), window=window)  # fmt: skip


def _take_first(old: tuple[int, date] | None, candidates: list[int], day: date, window: str) -> int:
    """The first technician of ``candidates`` with a place left on ``day`` takes the visit, the
    old place (if any) given back; each try in a savepoint, so a refused one changes nothing."""
    for technician_id in candidates:
        try:
            with transaction.atomic():
                _move_place(old, (technician_id, day))
            return technician_id
        except DomainError as e:
            if e.code != "technician_day_full":
                raise
    raise _slot_full(day, window)


def ticket_visit_choose(*, actor: AnyActor, ticket_id: int, day: date, window: str) -> Ticket:
    """The customer picks the visit of their own ticket, or moves it (``domain.customer_step``:
    not once the technician is on the way, at most CUSTOMER_CHANGES moves): a slot not started
    (409 ``slot_past``) on a day with a place left (409 ``slot_full``). They are texted the visit
    and their code, as when the desk agrees one."""
    if not isinstance(actor, MemberActor):
        raise PermissionDeniedError("the customer picks their own visit", code="not_member")
    ticket = selectors.ticket_get(actor=actor, ticket_id=ticket_id)
    step = domain.customer_step(ticket.state, changes=ticket.customer_changes)
    now = timezone.now()
    domain.check_slot(day, window, now=now)
    if ticket.visit_day == day and ticket.visit_window == window:
        raise ValidationError("this is the visit you have", code="same_slot")
    current = ticket.technician_id if ticket.visit_day else None
    choices = [  # the place the ticket holds that day is its own to keep
        replace(c, free=c.free + 1) if c.technician_id == current and ticket.visit_day == day else c
        for c in selectors.technician_choices(ticket=ticket, day=day)
    ]
    candidates = domain.technicians_by_preference(choices, current=current)
    if not candidates:
        raise _slot_full(day, window)
    old = (ticket.technician_id, ticket.visit_day) if ticket.visit_day and ticket.technician_id else None
    fields: dict[str, object] = {"technician_id": candidates[0], "visit_day": day, "visit_window": window}
    if ticket.responded_at is None:
        fields["responded_at"] = now  # a visit agreed: the SLA's first response
    if step == Step.RESCHEDULE:
        fields["customer_changes"] = F("customer_changes") + 1
    with transaction.atomic():
        # The ticket's row first, then the places, as the desk takes them: no deadlock between them.
        _move(ticket, step, now=now, user_id=actor.user_id, note="", **fields)
        taken = _take_first(old, candidates, day, window)
        if taken != candidates[0]:
            Ticket.objects.filter(pk=ticket.pk).update(technician_id=taken)
        if ticket.customer_mobile:
            message = _visit_text(ticket, day, window, ticket.confirmation_code)
            transaction.on_commit(partial(sms_send, mobile=ticket.customer_mobile, text=message))
    ticket.refresh_from_db()
    return ticket
