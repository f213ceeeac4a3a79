"""Reading tickets: a member's own, or those at the outlets of a staff member's scope (a
technician's assigned to them on the handheld); the overdue ones at a manager's node and their
typed counts for the dashboards; the technicians who may visit a ticket's customer."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from omnipoint.aftersales import domain
from omnipoint.aftersales.domain import CLOSED_STATES, HOLDS_A_PLACE, OverdueCounts
from omnipoint.aftersales.models import TechnicianCapacity, TechnicianDay, Ticket
from omnipoint.core.errors import NotFoundError, PermissionDeniedError
from omnipoint.members.selectors import actor_for_user
from omnipoint.outlets.domain import Actor, AnyActor, MemberActor, Perm, Role, StaffActor
from omnipoint.outlets.models import Staff
from omnipoint.outlets.selectors import scope_q

TECHNICIAN_ROLES = (Role.TECHNICIAN, Role.DISTRICT_TECHNICIAN)


def actor_for(*, user: Any) -> AnyActor:
    """Staff act as their role; a member's account as that member; anyone else may not."""
    actor = actor_for_user(user=user, as_staff=True)
    if not isinstance(actor, Actor | MemberActor):
        raise PermissionDeniedError("sign in as a member or a staff member", code="not_member")
    return actor


def _base() -> QuerySet[Ticket]:
    return Ticket.objects.select_related("outlet", "technician", "order", "member")


def ticket_list(*, actor: AnyActor, state: str = "", kind: str = "", mine: bool = False) -> QuerySet[Ticket]:
    """A member's own tickets; staff's at the outlets of their scope (the desk, or a technician),
    ``mine``: those assigned to the technician acting."""
    qs = _base()
    if isinstance(actor, MemberActor):
        qs = qs.filter(member_id=actor.member_id)
    else:
        if not (actor.can(Perm.TICKET_DESK) or actor.can(Perm.TICKET_WORK)):
            actor.require(Perm.TICKET_DESK)
        qs = qs.filter(scope_q(actor.scope, "outlet"))
        if mine:
            qs = qs.filter(technician_id=actor.staff_id)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def ticket_get(*, actor: AnyActor, ticket_id: int) -> Ticket:
    ticket = ticket_list(actor=actor).filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFoundError(f"ticket {ticket_id} not found", code="ticket_not_found")
    return ticket


def ticket_for_desk(*, actor: StaffActor, ticket_id: int) -> Ticket:
    """A ticket in scope that the actor's desk may set visits for (``ticket.desk``)."""
    ticket = ticket_get(actor=actor, ticket_id=ticket_id)
    actor.require(Perm.TICKET_DESK)
    return ticket


def ticket_by_number(*, actor: AnyActor, number: str) -> Ticket:
    ticket = ticket_list(actor=actor).filter(number=(number or "")[:16]).first()
    if ticket is None:
        raise NotFoundError("no ticket has this number", code="ticket_not_found")
    return ticket


def ticket_events(*, ticket: Ticket) -> list[Any]:
    return list(ticket.events.select_related("actor").all())


def tickets_for_order(*, actor: AnyActor, order_id: int) -> QuerySet[Ticket]:
    return ticket_list(actor=actor).filter(order_id=order_id)


# --- overdue ------------------------------------------------------------------------------------


def _late_q(now: Any) -> tuple[Q, Q]:
    response = Q(responded_at__isnull=True, respond_by__lt=now)
    completion = Q(complete_by__lt=now)
    return response, completion


def tickets_overdue(*, actor: StaffActor) -> QuerySet[Ticket]:
    """Open tickets at the actor's node late for their first response or their completion
    (``domain.overdue``), the most late first."""
    actor.require(Perm.TICKET_DESK)
    response, completion = _late_q(timezone.now())
    return (
        _base()
        .filter(scope_q(actor.scope, "outlet"))
        .exclude(state__in=CLOSED_STATES)
        .filter(response | completion)
        .order_by("complete_by", "pk")
    )


def overdue_counts(*, actor: StaffActor) -> OverdueCounts:
    """The open tickets at the actor's node and how many are late, in one query (the dashboards)."""
    actor.require(Perm.TICKET_DESK)
    response, completion = _late_q(timezone.now())
    rows = (
        Ticket.objects.filter(scope_q(actor.scope, "outlet"))
        .exclude(state__in=CLOSED_STATES)
        .values("kind")
        .annotate(
            open=Count("pk"),
            response=Count("pk", filter=response),
            completion=Count("pk", filter=completion),
            late=Count("pk", filter=response | completion),
        )
    )
    by_kind = {r["kind"]: r["late"] for r in rows}
    return OverdueCounts(
        open=sum(r["open"] for r in rows),
        response=sum(r["response"] for r in rows),
        completion=sum(r["completion"] for r in rows),
        overdue=sum(by_kind.values()),
        by_kind={k: by_kind.get(k, 0) for k in domain.TicketKind.values},
    )


def ticket_overdue(ticket: Ticket) -> list[str]:
    return domain.overdue(
        state=ticket.state, now=timezone.now(), respond_by=ticket.respond_by,
        complete_by=ticket.complete_by, responded_at=ticket.responded_at,
    )  # fmt: skip


# --- technicians and their days -----------------------------------------------------------------


def technicians_for(*, ticket: Ticket) -> QuerySet[Staff]:
    """The technicians who may visit for a ticket: the outlet's own and its district's team."""
    path = ticket.outlet.region_path
    regions = [path[: i + 1] for i, ch in enumerate(path) if ch == "/" and i > 0]
    return (
        Staff.objects.filter(role__in=TECHNICIAN_ROLES, user__is_active=True)
        .filter(Q(outlet_id=ticket.outlet_id) | Q(region__path__in=regions))
        .select_related("outlet", "region")
        .order_by("display_name", "pk")
    )


def standing_capacities(*, technician_ids: list[int]) -> dict[int, int]:
    """Each technician's places a day as a manager set them (``VISITS_PER_DAY`` if nobody did)."""
    rows = TechnicianCapacity.objects.filter(technician_id__in=technician_ids).values_list(
        "technician_id", "visits_per_day"
    )
    found = dict(rows)
    return {t: found.get(t, domain.VISITS_PER_DAY) for t in technician_ids}


def technician_free_days(*, technician_ids: list[int], days: list[date]) -> dict[date, dict[int, int]]:
    """Places left per day and technician, in one query (a day nobody booked yet has its
    standing capacity)."""
    standing = standing_capacities(technician_ids=technician_ids)
    left = {
        (t, d): max(capacity - booked, 0)
        for t, d, capacity, booked in TechnicianDay.objects.filter(
            technician_id__in=technician_ids, day__in=days
        ).values_list("technician_id", "day", "capacity", "booked")
    }
    return {d: {t: left.get((t, d), standing[t]) for t in technician_ids} for d in days}


def technician_free(*, technician_ids: list[int], day: date) -> dict[int, int]:
    """Places left on ``day`` per technician."""
    return technician_free_days(technician_ids=technician_ids, days=[day])[day]


def visit_slots(*, ticket: Ticket, now: Any = None) -> list[domain.Slot]:
    """The slots a customer is offered for this ticket: each day from today for
    CUSTOMER_AHEAD_DAYS, its morning and afternoon, with the places left of the technicians who
    serve the ticket's outlet (the same places the desk sees)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    days = [today + timedelta(days=i) for i in range(domain.CUSTOMER_AHEAD_DAYS)]
    techs = list(technicians_for(ticket=ticket).values_list("pk", flat=True))
    free = technician_free_days(technician_ids=techs, days=days)
    return domain.slots_offered({d: sum(free[d].values()) for d in days}, now=now)


def visit_slots_for(*, actor: AnyActor, ticket_id: int) -> list[domain.Slot]:
    """The slots offered for a ticket: to its customer, and to the desk in scope."""
    ticket = ticket_get(actor=actor, ticket_id=ticket_id)
    if not isinstance(actor, MemberActor):
        actor.require(Perm.TICKET_DESK)
    return visit_slots(ticket=ticket)


def technician_choices(*, ticket: Ticket, day: date) -> list[domain.TechnicianFree]:
    """Who may take the customer's visit on ``day``, with their places left."""
    techs = list(technicians_for(ticket=ticket))
    free = technician_free(technician_ids=[t.pk for t in techs], day=day)
    return [domain.TechnicianFree(t.pk, t.outlet_id == ticket.outlet_id, free[t.pk]) for t in techs]


# --- the technicians a manager sets the days of -------------------------------------------------


def technicians_in_scope(*, actor: StaffActor) -> QuerySet[Staff]:
    """Technicians whose node lies in the manager's scope (``service.setup``): an outlet's own
    where the outlet is covered, a district's team where the district is."""
    actor.require(Perm.SERVICE_SETUP)
    scope = actor.scope
    qs = Staff.objects.filter(role__in=TECHNICIAN_ROLES).select_related("outlet", "region")
    if scope.outlet_id is not None:
        qs = qs.filter(outlet_id=scope.outlet_id)
    elif not scope.is_hq:
        qs = qs.filter(Q(outlet__region_path__startswith=scope.region_path)
                       | Q(region__path__startswith=scope.region_path))  # fmt: skip
    return qs.order_by("display_name", "pk")


def technician_for_setup(*, actor: StaffActor, technician_id: int) -> Staff:
    found = technicians_in_scope(actor=actor).filter(pk=technician_id).first()
    if found is None:
        raise NotFoundError("no technician by this id in your area", code="technician_not_found")
    return found


@dataclass(frozen=True)
class DayPlaces:
    day: date
    capacity: int
    booked: int
    exception: bool
    note: str


def technician_days(*, technician: Staff, days: list[date]) -> list[DayPlaces]:
    """A technician's days as the manager sees them: capacity, visits booked, exceptions."""
    standing = standing_capacities(technician_ids=[technician.pk])[technician.pk]
    rows = {r.day: r for r in TechnicianDay.objects.filter(technician=technician, day__in=days)}
    return [
        DayPlaces(d, rows[d].capacity, rows[d].booked, rows[d].exception, rows[d].note)
        if d in rows
        else DayPlaces(d, standing, 0, False, "")
        for d in days
    ]


def capacity_mismatches(limit: int = 50) -> list[str]:
    """Technician days whose ``booked`` is not the number of tickets holding a place on them."""
    held = {
        (r["technician_id"], r["visit_day"]): r["n"]
        for r in Ticket.objects.filter(state__in=HOLDS_A_PLACE, visit_day__isnull=False)
        .values("technician_id", "visit_day")
        .annotate(n=Count("pk"))
    }
    found = []
    days = TechnicianDay.objects.values_list("technician_id", "day", "booked")
    for technician_id, day, booked in days:
        n = held.pop((technician_id, day), 0)
        if n != booked:
            found.append(f"technician {technician_id} on {day}: booked {booked}, tickets {n}")
    found += [f"technician {t} on {d}: no day row, tickets {n}" for (t, d), n in held.items()]
    return found[:limit]
