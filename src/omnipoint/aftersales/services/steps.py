"""The technician's steps on the handheld: on the way, on site, completed (with the code the
customer has), could not complete (with why). Only the technician the ticket is assigned to
takes them (or the platform); each is a compare-and-set on the state read, so of two handhelds
racing on one ticket exactly one moves it."""

from django.db import transaction
from django.utils import timezone

from omnipoint.aftersales import domain, selectors
from omnipoint.aftersales.domain import TECHNICIAN_STEPS, Step
from omnipoint.aftersales.models import Ticket
from omnipoint.aftersales.services._common import _move
from omnipoint.core.errors import PermissionDeniedError, ValidationError
from omnipoint.outlets.domain import Perm, StaffActor


def ticket_step(*, actor: StaffActor, ticket_id: int, step: str, note: str = "", code: str = "") -> Ticket:
    """Move the ticket one step (``depart``, ``arrive``, ``complete``, ``fail``). A step out of
    order is 409 ``ticket_wrong_state``; completing needs the customer's confirmation code (422
    ``confirmation_code_invalid``); failing needs a note. A refusal changes nothing."""
    if step not in TECHNICIAN_STEPS:
        raise ValidationError(f"unknown step {step}", code="invalid_step")
    ticket = selectors.ticket_get(actor=actor, ticket_id=ticket_id)
    if not actor.is_system:
        actor.require(Perm.TICKET_WORK)
        if ticket.technician_id != actor.staff_id:
            raise PermissionDeniedError(
                "this ticket is assigned to another technician", code="not_your_ticket"
            )
    domain.next_state(step, ticket.state)
    text = domain.check_note(note, required=step == Step.FAIL)
    now = timezone.now()
    fields: dict[str, object] = {}
    if step == Step.COMPLETE:
        if not domain.code_matches(code, ticket.confirmation_code):
            raise ValidationError(
                "this is not the customer's confirmation code", code="confirmation_code_invalid"
            )
        fields["done_at"] = now
    with transaction.atomic():
        _move(ticket, step, now=now, user_id=actor.user_id, note=text, **fields)
    ticket.refresh_from_db()
    return ticket
