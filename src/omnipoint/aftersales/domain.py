"""Installation and after-sales tickets: their kinds, states and steps, the service levels
(SLA) each kind carries, which order lines open an installation ticket, and whether a ticket is
overdue. Pure rules, no ORM.

A ticket moves only by the steps below, each from a set of states to one state; the services
apply a step by compare-and-set on the state they read, so two handhelds racing on one ticket
cannot both move it, and a step out of order is refused (409 ``ticket_wrong_state``).

    open --schedule--> scheduled --depart--> on_the_way --arrive--> on_site --complete--> done
    scheduled | rescheduled | not_done --reschedule--> rescheduled (a new visit: day, technician)
    rescheduled --depart--> on_the_way;  on_the_way | on_site --fail--> not_done
    open | scheduled | rescheduled | not_done --cancel--> cancelled
"""

import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from omnipoint.core.errors import InvalidStateError, ValidationError


class TicketKind(models.TextChoices):
    INSTALLATION = "installation", pgettext_lazy("aftersales", "Installation")
    REPAIR = "repair", pgettext_lazy("aftersales", "Repair")
    EXCHANGE = "exchange", pgettext_lazy("aftersales", "Exchange")
    COMPLAINT = "complaint", pgettext_lazy("aftersales", "Complaint")
    SERVICE = "service", _("Service visit")  # a service SKU sold on its own


# What a customer or a clerk opens from an order; installation and service tickets open themselves.
AFTER_SALES_KINDS = (TicketKind.REPAIR, TicketKind.EXCHANGE, TicketKind.COMPLAINT)


class TicketState(models.TextChoices):
    OPEN = "open", _("Awaiting a visit time")
    SCHEDULED = "scheduled", pgettext_lazy("aftersales", "Scheduled")
    ON_THE_WAY = "on_the_way", _("Technician on the way")
    ON_SITE = "on_site", _("Technician on site")
    DONE = "done", pgettext_lazy("aftersales", "Done")
    NOT_DONE = "not_done", _("Could not complete")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    CANCELLED = "cancelled", pgettext_lazy("aftersales", "Cancelled")


class Step(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule the visit")
    RESCHEDULE = "reschedule", _("Reschedule")
    DEPART = "depart", _("On my way")
    ARRIVE = "arrive", _("Arrived")
    COMPLETE = "complete", _("Completed")
    FAIL = "fail", _("Could not complete")
    CANCEL = "cancel", _("Cancel the ticket")


S = TicketState
STEPS: dict[str, tuple[frozenset[str], str]] = {
    Step.SCHEDULE: (frozenset({S.OPEN}), S.SCHEDULED),
    Step.RESCHEDULE: (frozenset({S.SCHEDULED, S.RESCHEDULED, S.NOT_DONE}), S.RESCHEDULED),
    Step.DEPART: (frozenset({S.SCHEDULED, S.RESCHEDULED}), S.ON_THE_WAY),
    Step.ARRIVE: (frozenset({S.ON_THE_WAY}), S.ON_SITE),
    Step.COMPLETE: (frozenset({S.ON_SITE}), S.DONE),
    Step.FAIL: (frozenset({S.ON_THE_WAY, S.ON_SITE}), S.NOT_DONE),
    Step.CANCEL: (frozenset({S.OPEN, S.SCHEDULED, S.RESCHEDULED, S.NOT_DONE}), S.CANCELLED),
}
# The technician's steps on the handheld; the desk's (clerks and managers) set up visits.
TECHNICIAN_STEPS = frozenset({Step.DEPART, Step.ARRIVE, Step.COMPLETE, Step.FAIL})
DESK_STEPS = frozenset({Step.SCHEDULE, Step.RESCHEDULE, Step.CANCEL})
CLOSED_STATES = frozenset({S.DONE, S.CANCELLED})
# A ticket in one of these holds a place of its technician's day (the visit it has, or had).
HOLDS_A_PLACE = frozenset({S.SCHEDULED, S.RESCHEDULED, S.ON_THE_WAY, S.ON_SITE, S.DONE, S.NOT_DONE})


class Window(models.TextChoices):
    """The part of the day the customer agreed to be at home."""

    MORNING = "am", _("Morning (09:00-12:00)")
    AFTERNOON = "pm", _("Afternoon (13:00-18:00)")


VISITS_PER_DAY = 6  # a technician's places a day unless a manager says otherwise
SCHEDULE_AHEAD_DAYS = 30
NOTE_MAX = 300
DESCRIPTION_MAX = 500
CODE_LENGTH = 6
CODE_ATTEMPTS = 5  # wrong confirmation codes a ticket takes before it locks (until a new visit)


def next_state(step: str, state: str) -> str:
    """The state a step leads to from ``state``; a step out of order is refused."""
    if step not in STEPS:
        raise ValidationError(f"unknown step {step}", code="invalid_step")
    frm, to = STEPS[step]
    if state not in frm:
        raise InvalidStateError(
            f"a ticket that is {state} cannot take the step {step}", code="ticket_wrong_state",
            state=state, step=step,
        )  # fmt: skip
    return to


def allowed_steps(state: str, *, technician: bool) -> list[str]:
    """The steps a ticket in ``state`` may take next, the technician's or the desk's."""
    mine = TECHNICIAN_STEPS if technician else DESK_STEPS
    return [s for s in Step.values if s in mine and state in STEPS[s][0]]


# --- service levels ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sla:
    """First response (a visit agreed with the customer) and completion, in hours from opening."""

    respond_hours: int
    complete_hours: int


SLA: dict[str, Sla] = {
    TicketKind.INSTALLATION: Sla(respond_hours=24, complete_hours=72),
    TicketKind.REPAIR: Sla(respond_hours=24, complete_hours=120),
    TicketKind.EXCHANGE: Sla(respond_hours=24, complete_hours=96),
    TicketKind.COMPLAINT: Sla(respond_hours=4, complete_hours=48),
    TicketKind.SERVICE: Sla(respond_hours=24, complete_hours=72),
}


@dataclass(frozen=True)
class Deadlines:
    respond_by: datetime
    complete_by: datetime


def deadlines(kind: str, opened_at: datetime) -> Deadlines:
    sla = SLA[kind]
    return Deadlines(
        respond_by=opened_at + timedelta(hours=sla.respond_hours),
        complete_by=opened_at + timedelta(hours=sla.complete_hours),
    )


class Overdue(models.TextChoices):
    RESPONSE = "response", _("No visit agreed in time")
    COMPLETION = "completion", _("Not completed in time")


def overdue(
    *, state: str, now: datetime, respond_by: datetime, complete_by: datetime, responded_at: datetime | None
) -> list[str]:
    """What a ticket is late for: a closed ticket is late for nothing; an open one for its first
    response while no visit is agreed past ``respond_by``, and for completion past ``complete_by``."""
    if state in CLOSED_STATES:
        return []
    late: list[str] = []
    if responded_at is None and now > respond_by:
        late.append(Overdue.RESPONSE)
    if now > complete_by:
        late.append(Overdue.COMPLETION)
    return late


@dataclass(frozen=True)
class OverdueCounts:
    """What the dashboards read (``selectors.overdue_counts``): open tickets at a node, and how
    many are late for their first response, for completion, and either, by kind."""

    open: int
    response: int
    completion: int
    overdue: int
    by_kind: dict[str, int]


# --- what opens an installation ticket --------------------------------------------------------


@dataclass(frozen=True)
class LineForTickets:
    """An order line as the rule reads it (from orders' ``HandedOverLine``)."""

    line_id: int
    needs_ticket: bool  # goods to install, or a service sold
    is_goods: bool


def tickets_for_lines(lines: list[LineForTickets]) -> list[tuple[int, str]]:
    """The (line, kind) of each ticket an order opens when its goods reach the customer: one per
    line that needs people to go and do it, in line order. Goods flagged for installation and a
    service SKU sold with goods are an installation; a service sold alone is a service visit."""
    with_goods = any(ln.is_goods for ln in lines)
    return [
        (ln.line_id, TicketKind.INSTALLATION if ln.is_goods or with_goods else TicketKind.SERVICE)
        for ln in lines
        if ln.needs_ticket
    ]


# --- visits and codes ---------------------------------------------------------------------------


def check_visit_day(day: date, *, today: date) -> None:
    if day < today:
        raise ValidationError("a visit is today or later", code="visit_day_past", day=day.isoformat())
    if day > today + timedelta(days=SCHEDULE_AHEAD_DAYS):
        raise ValidationError(
            f"a visit is at most {SCHEDULE_AHEAD_DAYS} days ahead",
            code="visit_day_too_far",
            day=day.isoformat(),
        )


def code_matches(given: str, expected: str) -> bool:
    """The customer's confirmation code, compared in constant time."""
    return hmac.compare_digest((given or "").strip().encode(), expected.encode())


def check_note(note: str, *, required: bool) -> str:
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise ValidationError(f"a note is at most {NOTE_MAX} characters", code="invalid_note")
    if required and not text:
        raise ValidationError("say why it could not be completed", code="note_required")
    return text
