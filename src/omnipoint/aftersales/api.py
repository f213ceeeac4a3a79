"""Tickets through the REST API: a member's own (opened from their order, followed online with
the confirmation code), and the staff's at the outlets of their scope: the desk opens them from
an order, agrees visits with a technician and moves or cancels them; the technician takes the
steps; a manager reads the overdue ones at their node."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from omnipoint.aftersales import selectors, services
from omnipoint.aftersales.domain import CUSTOMER_CHANGES, allowed_steps
from omnipoint.aftersales.models import Ticket
from omnipoint.aftersales.schemas import (
    ServiceTicketOut,
    TicketCancelIn,
    TicketOpenIn,
    TicketSlotIn,
    TicketSlotOut,
    TicketsOverdueOut,
    TicketStepIn,
    TicketTechnicianOut,
    TicketVisitIn,
)
from omnipoint.core.api import ERRORS, Id, Page
from omnipoint.outlets.domain import Actor, AnyActor, MemberActor
from omnipoint.outlets.selectors import actor_get

router = Router(tags=["tickets"])


def staff(request: HttpRequest) -> Actor:
    return actor_get(user=request.user)


def anyone(request: HttpRequest) -> AnyActor:
    return selectors.actor_for(user=request.user)


def ticket_out(t: Ticket, actor: AnyActor, *, events: bool = True) -> dict[str, Any]:
    own = isinstance(actor, MemberActor) and t.member_id == actor.member_id
    technician = isinstance(actor, Actor) and actor.staff_id is not None and actor.staff_id == t.technician_id
    return {
        "id": t.pk, "number": t.number, "kind": t.kind, "state": t.state, "order_id": t.order_id,
        "order_number": t.order.number, "order_line_id": t.order_line_id, "outlet_id": t.outlet_id,
        "outlet_name": t.outlet.name, "member_id": t.member_id, "customer_name": t.customer_name,
        "address": t.address, "description": t.description, "technician_id": t.technician_id,
        "technician_name": t.technician.display_name if t.technician else "", "visit_day": t.visit_day,
        "visit_window": t.visit_window, "opened_at": t.opened_at, "respond_by": t.respond_by,
        "complete_by": t.complete_by, "responded_at": t.responded_at, "done_at": t.done_at,
        "customer_changes_left": max(CUSTOMER_CHANGES - t.customer_changes, 0),
        "overdue": selectors.ticket_overdue(t),
        "next_steps": [] if own else allowed_steps(t.state, technician=technician),
        "confirmation_code": t.confirmation_code if own else None,
        "events": [
            {"step": e.step, "from_state": e.from_state, "to_state": e.to_state, "note": e.note, "at": e.at}
            for e in selectors.ticket_events(ticket=t)
        ] if events else [],
    }  # fmt: skip


def _fresh(actor: AnyActor, ticket_id: int) -> dict[str, Any]:
    return ticket_out(selectors.ticket_get(actor=actor, ticket_id=ticket_id), actor)


class TicketQuery(Schema):
    state: str = ""
    kind: str = ""
    mine: bool = False


@router.get("", response={200: list[ServiceTicketOut], **ERRORS})
def ticket_list(request: HttpRequest, q: Query[TicketQuery], page: Query[Page]):  # type: ignore[no-untyped-def]
    """A member's own tickets; staff's at the outlets of their scope (``mine``: a technician's)."""
    actor = anyone(request)
    qs = selectors.ticket_list(actor=actor, state=q.state[:12], kind=q.kind[:12], mine=q.mine)
    return [ticket_out(t, actor, events=False) for t in page.cut(qs)]


@router.post("", response={201: ServiceTicketOut, **ERRORS})
def ticket_open(request: HttpRequest, payload: TicketOpenIn):  # type: ignore[no-untyped-def]
    """Open a repair, exchange or complaint from an order: a member's own, or one in the
    clerk's scope (``ticket.desk``)."""
    actor = anyone(request)
    t = services.ticket_open(actor=actor, channel="api", **payload.dict())
    return 201, _fresh(actor, t.pk)


@router.get("/overdue", response={200: TicketsOverdueOut, **ERRORS})
def overdue(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The open tickets at the manager's node late for their SLA, and their counts by kind."""
    actor = staff(request)
    counts = selectors.overdue_counts(actor=actor)
    rows = selectors.tickets_overdue(actor=actor)[:200]
    return {
        "open": counts.open, "response": counts.response, "completion": counts.completion,
        "overdue": counts.overdue, "by_kind": counts.by_kind,
        "tickets": [ticket_out(t, actor, events=False) for t in rows],
    }  # fmt: skip


@router.get("/{ticket_id}", response={200: ServiceTicketOut, **ERRORS})
def ticket_get(request: HttpRequest, ticket_id: Id):  # type: ignore[no-untyped-def]
    actor = anyone(request)
    return _fresh(actor, ticket_id)


class DayQuery(Schema):
    day: date | None = None


@router.get("/{ticket_id}/technicians", response={200: list[TicketTechnicianOut], **ERRORS})
def technicians(request: HttpRequest, ticket_id: Id, q: Query[DayQuery]):  # type: ignore[no-untyped-def]
    """Who may visit for this ticket (the outlet's technicians and its district's team), with
    the places each has left on ``day`` (today when not given)."""
    actor = staff(request)
    ticket = selectors.ticket_for_desk(actor=actor, ticket_id=ticket_id)
    techs = list(selectors.technicians_for(ticket=ticket))
    free = selectors.technician_free(technician_ids=[t.pk for t in techs], day=q.day or timezone.localdate())
    return [{"id": t.pk, "name": t.display_name, "role": t.role, "free": free[t.pk]} for t in techs]


@router.get("/{ticket_id}/slots", response={200: list[TicketSlotOut], **ERRORS})
def slots(request: HttpRequest, ticket_id: Id):  # type: ignore[no-untyped-def]
    """The visit slots offered for the ticket (each day's morning and afternoon, the places left
    of the technicians who serve its outlet), to its customer and to the desk."""
    actor = anyone(request)
    return [
        {"day": s.day, "window": s.window, "free": s.free, "open": s.open}
        for s in selectors.visit_slots_for(actor=actor, ticket_id=ticket_id)
    ]


@router.post("/{ticket_id}/visit", response={200: ServiceTicketOut, **ERRORS})
def visit(request: HttpRequest, ticket_id: Id, payload: TicketSlotIn):  # type: ignore[no-untyped-def]
    """The customer picks or moves the visit of their own ticket: 409 ``slot_full``,
    ``slot_past``, ``visit_under_way`` or ``visit_change_limit``, nothing changed."""
    actor = anyone(request)
    services.ticket_visit_choose(actor=actor, ticket_id=ticket_id, day=payload.day, window=payload.window)
    return _fresh(actor, ticket_id)


@router.post("/{ticket_id}/schedule", response={200: ServiceTicketOut, **ERRORS})
def schedule(request: HttpRequest, ticket_id: Id, payload: TicketVisitIn):  # type: ignore[no-untyped-def]
    """Agree the first visit: a technician's day (one of its places) and its morning or afternoon."""
    actor = staff(request)
    services.ticket_schedule(actor=actor, ticket_id=ticket_id, **payload.dict())
    return _fresh(actor, ticket_id)


@router.post("/{ticket_id}/reschedule", response={200: ServiceTicketOut, **ERRORS})
def reschedule(request: HttpRequest, ticket_id: Id, payload: TicketVisitIn):  # type: ignore[no-untyped-def]
    """A new visit; its place moves to the new technician's day, or nothing changes."""
    actor = staff(request)
    services.ticket_reschedule(actor=actor, ticket_id=ticket_id, **payload.dict())
    return _fresh(actor, ticket_id)


@router.post("/{ticket_id}/cancel", response={200: ServiceTicketOut, **ERRORS})
def cancel(request: HttpRequest, ticket_id: Id, payload: TicketCancelIn):  # type: ignore[no-untyped-def]
    actor = staff(request)
    services.ticket_cancel(actor=actor, ticket_id=ticket_id, note=payload.note)
    return _fresh(actor, ticket_id)


@router.post("/{ticket_id}/steps", response={200: ServiceTicketOut, **ERRORS})
def step(request: HttpRequest, ticket_id: Id, payload: TicketStepIn):  # type: ignore[no-untyped-def]
    """The technician's step on the handheld (depart, arrive, complete, fail): out of order is
    409 ``ticket_wrong_state``; ``complete`` needs the customer's ``code``; ``fail`` a ``note``."""
    actor = staff(request)
    services.ticket_step(actor=actor, ticket_id=ticket_id, **payload.dict())
    return _fresh(actor, ticket_id)
