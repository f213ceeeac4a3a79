"""What the ticket writes share: the compare-and-set that moves a ticket, its history, and the
places of a technician's day a visit takes and gives back (guarded UPDATEs)."""

import secrets
from datetime import date, datetime

from django.db.models import F

from omnipoint.aftersales import domain, selectors
from omnipoint.aftersales.models import TechnicianDay, Ticket, TicketEvent
from omnipoint.core.errors import ConflictError, InvalidStateError


def _new_code() -> str:
    """A customer's confirmation code: six random digits."""
    return "".join(secrets.choice("0123456789") for _ in range(domain.CODE_LENGTH))


def _moved(ticket: Ticket, step: str) -> InvalidStateError:
    state = Ticket.objects.values_list("state", flat=True).get(pk=ticket.pk)
    return InvalidStateError(
        f"ticket {ticket.number} is {state}", code="ticket_wrong_state", state=state, step=step
    )


def _move(
    ticket: Ticket, step: str, *, now: datetime, user_id: int | None, note: str = "", **fields: object
) -> str:
    """Take ``step`` from the state and version read: exactly one of two racing steps wins;
    the other learns the state that beat it (409 ``ticket_wrong_state``) and changes nothing."""
    to = domain.next_state(step, ticket.state)
    won = Ticket.objects.filter(pk=ticket.pk, state=ticket.state, version=ticket.version).update(
        state=to, version=F("version") + 1, changed_at=now, **fields
    )
    if won != 1:
        raise _moved(ticket, step)
    TicketEvent.objects.create(
        ticket=ticket, step=step, from_state=ticket.state, to_state=to, note=note, actor_id=user_id, at=now
    )
    return to


def _take_place(technician_id: int, day: date) -> None:
    """One place of the technician's day: ``booked < capacity`` or refused, nothing changed.
    A day nobody booked yet is written with the standing capacity; a manager changing it
    writes the days ahead first, so their insert and this one meet on the unique key and the
    later one finds the row (see ``services.capacity``)."""
    standing = selectors.standing_capacities(technician_ids=[technician_id])
    TechnicianDay.objects.bulk_create(
        [TechnicianDay(technician_id=technician_id, day=day, capacity=standing[technician_id])],
        ignore_conflicts=True,
    )
    taken = TechnicianDay.objects.filter(
        technician_id=technician_id, day=day, booked__lt=F("capacity")
    ).update(booked=F("booked") + 1)
    if taken != 1:
        raise ConflictError(
            "this technician's day is fully booked", code="technician_day_full", day=day.isoformat()
        )


def _give_place(technician_id: int, day: date) -> None:
    given = TechnicianDay.objects.filter(technician_id=technician_id, day=day, booked__gt=0).update(
        booked=F("booked") - 1
    )
    if given != 1:
        raise ConflictError("this technician's day has no visit booked", code="capacity_mismatch")


def _move_place(old: tuple[int, date] | None, new: tuple[int, date] | None) -> None:
    """Give the old place back and take the new one, in (technician, day) order so that two
    moves in opposite directions cannot deadlock."""
    if old == new:
        return
    work = [(key, "give") for key in [old] if key] + [(key, "take") for key in [new] if key]
    for (technician_id, day), what in sorted(work, key=lambda w: w[0]):
        (_give_place if what == "give" else _take_place)(technician_id, day)
