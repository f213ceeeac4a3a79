"""The technician's steps on the handheld: on the way, on site, completed (with the code the
customer has), could not complete (with why). Only the technician the ticket is assigned to
takes them (or the platform); each is a compare-and-set on the state read, so of two handhelds
racing on one ticket exactly one moves it.

The code is six digits, so guessing is limited: each code tried first takes one of the ticket's
``CODE_ATTEMPTS`` by a guarded UPDATE (``code_failures < CODE_ATTEMPTS``), outside any
transaction a refusal rolls back, and a right code gives it back. So only wrong codes stay
counted, racing handhelds cannot try more than the limit between them, and a locked ticket
refuses even the right code (429 ``confirmation_locked``) until the desk agrees a new visit,
which texts the customer a new code (``visits``)."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from omnipoint.aftersales import domain, selectors
from omnipoint.aftersales.domain import TECHNICIAN_STEPS, Step
from omnipoint.aftersales.models import Ticket
from omnipoint.aftersales.services._common import _move
from omnipoint.core.errors import DomainError, PermissionDeniedError, ValidationError
from omnipoint.outlets.domain import Perm, StaffActor


class ConfirmationLockedError(DomainError):
    code = "confirmation_locked"
    status = 429


def _try_code(ticket: Ticket, code: str) -> None:
    """Spend one attempt on ``code``; a right one gives it back. A blank code tries nothing."""
    given = (code or "").strip()
    if not given:
        raise ValidationError(
            "ask the customer for their confirmation code", code="confirmation_code_invalid"
        )
    attempts = Ticket.objects.filter(pk=ticket.pk)
    if (
        attempts.filter(code_failures__lt=domain.CODE_ATTEMPTS).update(code_failures=F("code_failures") + 1)
        != 1
    ):
        raise ConfirmationLockedError(
            "too many wrong codes: the desk agrees a new visit and the customer gets a new code",
            attempts=domain.CODE_ATTEMPTS,
        )
    if not domain.code_matches(given, ticket.confirmation_code):
        failures = attempts.values_list("code_failures", flat=True).get()
        raise ValidationError(
            "this is not the customer's confirmation code",
            code="confirmation_code_invalid",
            attempts_left=max(domain.CODE_ATTEMPTS - failures, 0),
        )
    attempts.filter(code_failures__gt=0).update(code_failures=F("code_failures") - 1)


def ticket_step(*, actor: StaffActor, ticket_id: int, step: str, note: str = "", code: str = "") -> Ticket:
    """Move the ticket one step (``depart``, ``arrive``, ``complete``, ``fail``). A step out of
    order is 409 ``ticket_wrong_state``; completing needs the customer's confirmation code (422
    ``confirmation_code_invalid``, with ``attempts_left``; 429 ``confirmation_locked`` after
    CODE_ATTEMPTS wrong ones); failing needs a note. A refusal changes nothing."""
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
        _try_code(ticket, code)
        fields["done_at"] = now
    with transaction.atomic():
        _move(ticket, step, now=now, user_id=actor.user_id, note=text, **fields)
    ticket.refresh_from_db()
    return ticket
