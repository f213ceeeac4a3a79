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

The customer picks their own visit (``customer_step``): a slot, a day's morning or afternoon,
offered while some technician serving the ticket's outlet has a place left that day
(``slots_offered``); they schedule an open ticket and move a scheduled one at most
``CUSTOMER_CHANGES`` times, never once the technician is on the way.
"""

import hmac
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from omnipoint.core.errors import ConflictError, InvalidStateError, ValidationError


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
MAX_VISITS_PER_DAY = 20
CAPACITY_NOTE_MAX = 60
EXCEPTION_AHEAD_DAYS = 90  # a manager sets a day's exception (a day off) this far ahead
CUSTOMER_AHEAD_DAYS = 14  # the slots a customer is offered, from today
CUSTOMER_CHANGES = 2  # times a customer may move their visit themselves (the first pick is free)
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


# --- the customer's own visit -------------------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
WINDOW_STARTS = {Window.MORNING: time(9), Window.AFTERNOON: time(13)}
# A customer picks a visit for an open ticket or moves one agreed, and only until the technician sets off.
CUSTOMER_STATES = frozenset({S.OPEN, S.SCHEDULED, S.RESCHEDULED})
UNDER_WAY = frozenset({S.ON_THE_WAY, S.ON_SITE})


def slot_starts(day: date, window: str) -> datetime:
    return datetime.combine(day, WINDOW_STARTS[window], tzinfo=SHANGHAI)  # type: ignore[index]


def customer_step(state: str, *, changes: int) -> str:
    """The step a customer's pick takes: ``schedule`` for an open ticket, ``reschedule`` for one
    with a visit agreed, while changes are left. Refused once the technician is on the way
    (409 ``visit_under_way``), on a ticket done, cancelled or waiting for the desk after a visit
    that could not complete (409 ``ticket_wrong_state``), and past the limit (409
    ``visit_change_limit``)."""
    if state in UNDER_WAY:
        raise ConflictError("the technician is on the way: call the desk to change the visit",
                            code="visit_under_way", state=state)  # fmt: skip
    if state not in CUSTOMER_STATES:
        raise InvalidStateError(
            f"a ticket that is {state} takes no visit from the customer", code="ticket_wrong_state",
            state=state, step=Step.RESCHEDULE,
        )  # fmt: skip
    if state == S.OPEN:
        return Step.SCHEDULE
    if changes >= CUSTOMER_CHANGES:
        raise ConflictError(
            f"a visit is moved online at most {CUSTOMER_CHANGES} times: call the desk",
            code="visit_change_limit", limit=CUSTOMER_CHANGES,
        )  # fmt: skip
    return Step.RESCHEDULE


def customer_may_choose(state: str, *, changes: int) -> bool:
    """Whether the customer is offered the slots (``customer_step`` would take the pick)."""
    try:
        customer_step(state, changes=changes)
    except (ConflictError, InvalidStateError):
        return False
    return True


def check_slot(day: date, window: str, *, now: datetime) -> None:
    """A slot the customer may pick: a window that has not started, at most
    CUSTOMER_AHEAD_DAYS ahead."""
    if window not in Window.values:
        raise ValidationError("a visit is in the morning (am) or the afternoon (pm)", code="invalid_window")
    if slot_starts(day, window) <= now:
        raise ConflictError("this slot has already started", code="slot_past", day=day.isoformat())
    if day >= now.astimezone(SHANGHAI).date() + timedelta(days=CUSTOMER_AHEAD_DAYS):
        raise ValidationError(f"pick a visit at most {CUSTOMER_AHEAD_DAYS} days ahead", code="too_far_ahead")


@dataclass(frozen=True)
class Slot:
    """A day's morning or afternoon as the customer is offered it: the places left that day
    (both windows share the technicians' places of the day) and whether it may still be picked."""

    day: date
    window: str
    free: int
    open: bool  # not started, and a place left

    @property
    def key(self) -> str:
        return f"{self.day.isoformat()}.{self.window}"


def slots_offered(free_by_day: dict[date, int], *, now: datetime) -> list[Slot]:
    """Each day's two windows, in order, with the places left of the technicians who serve the
    ticket (``free_by_day``: days from today, as many as offered)."""
    return [
        Slot(day, window, free, free > 0 and slot_starts(day, window) > now)
        for day, free in sorted(free_by_day.items())
        for window in Window.values
    ]


@dataclass(frozen=True)
class TechnicianFree:
    technician_id: int
    own: bool  # the outlet's own technician (else its district's team)
    free: int  # places left on the day asked


def technicians_by_preference(choices: list[TechnicianFree], *, current: int | None) -> list[int]:
    """Who to ask first for a place on the day the customer picked: the technician the ticket has
    (the customer keeps who they know), then the outlet's own, then the one with most places
    left. Only those with a place left; the guarded UPDATE has the last word."""
    ranked = sorted(
        (c for c in choices if c.free > 0),
        key=lambda c: (c.technician_id != current, not c.own, -c.free, c.technician_id),
    )
    return [c.technician_id for c in ranked]


# --- a technician's places a day, as managers set them ------------------------------------------


def check_visits_per_day(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_VISITS_PER_DAY:
        raise ValidationError(f"visits a day are 0 to {MAX_VISITS_PER_DAY}", code="invalid_capacity")
    return n


def check_exception_day(day: date, *, today: date) -> None:
    if day < today:
        raise ValidationError(
            "an exception is for today or later", code="visit_day_past", day=day.isoformat()
        )
    if day > today + timedelta(days=EXCEPTION_AHEAD_DAYS):
        raise ValidationError(
            f"an exception is at most {EXCEPTION_AHEAD_DAYS} days ahead", code="visit_day_too_far",
            day=day.isoformat(),
        )  # fmt: skip


def check_capacity_note(note: str) -> str:
    text = (note or "").strip()
    if len(text) > CAPACITY_NOTE_MAX:
        raise ValidationError(f"a note is at most {CAPACITY_NOTE_MAX} characters", code="invalid_note")
    return text
