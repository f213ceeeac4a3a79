"""The console's ticket pages: the desk (tickets at the outlets of one's scope, opening one from
an order, a ticket's page where visits are agreed, moved or cancelled), the overdue tickets at a
manager's node, the technicians' days a manager sets (``service.setup``: visits a day, a day off),
and the technician's handheld (phone width: my visits, and one visit's steps)."""

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omnipoint.aftersales import selectors, services
from omnipoint.aftersales.domain import (
    AFTER_SALES_KINDS,
    CLOSED_STATES,
    SCHEDULE_AHEAD_DAYS,
    Step,
    TicketKind,
    TicketState,
    Window,
)
from omnipoint.aftersales.domain import allowed_steps as steps_for
from omnipoint.aftersales.models import Ticket
from omnipoint.aftersales.texts import error_text
from omnipoint.core.errors import DomainError, NotFoundError, ValidationError
from omnipoint.orders.selectors import order_list
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.selectors import actor_get

View = Callable[..., HttpResponse]


def staff_page(view: View) -> View:
    """Signed in as staff; a refusal nobody handled becomes the console's error page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, actor_get(user=request.user), *args, **kwargs)
        except DomainError as e:
            return render(request, "web/error.html", {"error": error_text(e)}, status=e.status)

    return wrapper


def _day(raw: str | None) -> date:
    try:
        return date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        raise ValidationError("a day is YYYY-MM-DD", code="invalid_day") from None


def _int(raw: str | None) -> int:
    text = (raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else 0


def _rows(tickets: Any) -> list[dict[str, Any]]:
    return [{"t": t, "late": selectors.ticket_overdue(t)} for t in tickets]


# --- the desk -----------------------------------------------------------------------------------


@require_GET
@staff_page
def desk(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Tickets at the outlets of my scope, open ones first; a technician is sent to their visits."""
    if not actor.can(Perm.TICKET_DESK) and actor.can(Perm.TICKET_WORK):
        return redirect("aftersales_console:mine")
    state = request.GET.get("state", "")[:12]
    qs = selectors.ticket_list(actor=actor, state=state if state in TicketState.values else "")
    if not state:
        qs = qs.exclude(state__in=CLOSED_STATES)
    context = {"rows": _rows(qs.order_by("complete_by", "pk")[:200]), "states": TicketState.choices,
               "state": state, "counts": selectors.overdue_counts(actor=actor),
               "can_setup": actor.can(Perm.SERVICE_SETUP)}  # fmt: skip
    return render(request, "aftersales/console/desk.html", context)


@require_GET
@staff_page
def overdue(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The open tickets at my node late for their first response or their completion."""
    context = {"rows": _rows(selectors.tickets_overdue(actor=actor)[:200]),
               "counts": selectors.overdue_counts(actor=actor), "kinds": TicketKind.choices}  # fmt: skip
    return render(request, "aftersales/console/overdue.html", context)


@require_http_methods(["GET", "POST"])
@staff_page
def open_ticket(request: HttpRequest, actor: Actor) -> HttpResponse:
    """A clerk opens a repair, exchange or complaint from an order in their scope, by its number."""
    actor.require(Perm.TICKET_DESK)
    data = request.POST if request.method == "POST" else request.GET
    form = {"order": data.get("order", "").strip()[:24], "kind": data.get("kind", TicketKind.REPAIR)[:12],
            "description": data.get("description", "")[:500]}  # fmt: skip
    context: dict[str, Any] = {"form": form, "kinds": [(k, TicketKind(k).label) for k in AFTER_SALES_KINDS]}
    if request.method == "POST":
        try:
            order = order_list(actor=actor, search=form["order"]).filter(number=form["order"]).first()
            if order is None:
                raise NotFoundError("order not found", code="order_not_found")
            t = services.ticket_open(actor=actor, order_id=order.pk, kind=form["kind"],
                                     description=form["description"], channel="console")  # fmt: skip
            messages.success(request, _("Ticket %(number)s opened.") % {"number": t.number})
            return redirect("aftersales_console:ticket", ticket_id=t.pk)
        except DomainError as e:
            return render(
                request, "aftersales/console/open.html", context | {"error": error_text(e)}, status=e.status
            )
    return render(request, "aftersales/console/open.html", context)


def _ticket_context(actor: Actor, ticket: Ticket, day: date) -> dict[str, Any]:
    techs = list(selectors.technicians_for(ticket=ticket)) if actor.can(Perm.TICKET_DESK) else []
    free = selectors.technician_free(technician_ids=[t.pk for t in techs], day=day)
    return {
        "t": ticket, "late": selectors.ticket_overdue(ticket), "events": selectors.ticket_events(ticket=ticket),
        "steps": steps_for(ticket.state, technician=False) if actor.can(Perm.TICKET_DESK) else [],
        "technicians": [(x, free[x.pk]) for x in techs], "windows": Window.choices, "day": day,
        "today": timezone.localdate(),
    }  # fmt: skip


def _desk_post(request: HttpRequest, actor: Actor, ticket: Ticket) -> str:
    step = request.POST.get("step", "")
    if step == Step.CANCEL:
        services.ticket_cancel(actor=actor, ticket_id=ticket.pk, note=request.POST.get("note", "")[:300])
        return _("Ticket cancelled.")
    if step not in (Step.SCHEDULE, Step.RESCHEDULE):
        raise ValidationError("unknown step", code="invalid_step")
    visit = services.ticket_schedule if step == Step.SCHEDULE else services.ticket_reschedule
    visit(actor=actor, ticket_id=ticket.pk, technician_id=_int(request.POST.get("technician")),
          day=_day(request.POST.get("day")), window=request.POST.get("window", "")[:2],
          note=request.POST.get("note", "")[:300], address=request.POST.get("address", "")[:200])  # fmt: skip
    return _("Visit agreed; the customer is texted the time and their code.")


@require_http_methods(["GET", "POST"])
@staff_page
def ticket_page(request: HttpRequest, actor: Actor, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_get(actor=actor, ticket_id=ticket_id)
    day = timezone.localdate()
    if request.GET.get("day"):
        try:
            day = _day(request.GET.get("day"))
        except DomainError:
            pass
    if request.method == "POST":
        try:
            messages.success(request, _desk_post(request, actor, ticket))
            return redirect("aftersales_console:ticket", ticket_id=ticket.pk)
        except DomainError as e:
            ticket.refresh_from_db()
            context = _ticket_context(actor, ticket, day) | {"error": error_text(e)}
            return render(request, "aftersales/console/ticket.html", context, status=e.status)
    return render(request, "aftersales/console/ticket.html", _ticket_context(actor, ticket, day))


# --- the technician's handheld -------------------------------------------------------------------


@require_GET
@staff_page
def mine(request: HttpRequest, actor: Actor) -> HttpResponse:
    """My visits: the open tickets assigned to me, by day."""
    actor.require(Perm.TICKET_WORK)
    qs = selectors.ticket_list(actor=actor, mine=True).exclude(state__in=CLOSED_STATES)
    done = selectors.ticket_list(actor=actor, mine=True, state=TicketState.DONE).order_by("-done_at")[:10]
    context = {"rows": list(qs.order_by("visit_day", "visit_window", "pk")[:100]), "done": list(done)}
    return render(request, "aftersales/console/mine.html", context)


def _visit(
    request: HttpRequest, actor: Actor, ticket: Ticket, *, error: str = "", status: int = 200
) -> HttpResponse:
    context = {"t": ticket, "steps": steps_for(ticket.state, technician=True), "error": error,
               "events": selectors.ticket_events(ticket=ticket)}  # fmt: skip
    return render(request, "aftersales/console/visit.html", context, status=status)


@require_GET
@staff_page
def visit(request: HttpRequest, actor: Actor, ticket_id: int) -> HttpResponse:
    actor.require(Perm.TICKET_WORK)
    return _visit(request, actor, selectors.ticket_get(actor=actor, ticket_id=ticket_id))


@require_POST
@staff_page
def visit_step(request: HttpRequest, actor: Actor, ticket_id: int) -> HttpResponse:
    """A step from the handheld; refused, the visit's page again with why (nothing changed)."""
    ticket = selectors.ticket_get(actor=actor, ticket_id=ticket_id)
    try:
        moved = services.ticket_step(
            actor=actor, ticket_id=ticket.pk, step=request.POST.get("step", "")[:12],
            note=request.POST.get("note", "")[:300], code=request.POST.get("code", "")[:12],
        )  # fmt: skip
    except DomainError as e:
        ticket.refresh_from_db()
        return _visit(request, actor, ticket, error=error_text(e), status=e.status)
    messages.success(request, _("Now: %(state)s.") % {"state": moved.get_state_display()})
    return redirect("aftersales_console:visit", ticket_id=moved.pk)


# --- the technicians' days, as a manager sets them ------------------------------------------------

DAYS_SHOWN = 14


@require_GET
@staff_page
def technicians(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The technicians of my area, each with their places a day and the next days' visits."""
    techs = list(selectors.technicians_in_scope(actor=actor))
    today = timezone.localdate()
    days = [today + timedelta(days=i) for i in range(DAYS_SHOWN)]
    standing = selectors.standing_capacities(technician_ids=[t.pk for t in techs])
    rows = [{"tech": t, "standing": standing[t.pk], "days": selectors.technician_days(technician=t, days=days)}
            for t in techs]  # fmt: skip
    return render(request, "aftersales/console/technicians.html", {"rows": rows, "days": days})


def _technician_context(actor: Actor, technician_id: int) -> dict[str, Any]:
    tech = selectors.technician_for_setup(actor=actor, technician_id=technician_id)
    today = timezone.localdate()
    days = [today + timedelta(days=i) for i in range(SCHEDULE_AHEAD_DAYS + 1)]
    return {
        "tech": tech, "today": today, "days": selectors.technician_days(technician=tech, days=days),
        "standing": selectors.standing_capacities(technician_ids=[tech.pk])[tech.pk],
    }  # fmt: skip


def _capacity(raw: str | None) -> int:
    text = (raw or "").strip()
    if not (text.isdigit() and len(text) < 4):
        raise ValidationError("a number of visits", code="invalid_capacity")
    return int(text)


def _technician_post(request: HttpRequest, actor: Actor, technician_id: int) -> str:
    action = request.POST.get("action", "")
    if action == "standing":
        done = services.technician_capacity_set(
            actor=actor, technician_id=technician_id, visits_per_day=_capacity(request.POST.get("visits"))
        )
        if done.kept:
            return _("Saved. %(n)s day(s) already hold more visits and stay full.") % {"n": len(done.kept)}
        return _("Saved: %(n)s visits a day.") % {"n": done.visits_per_day}
    day = _day(request.POST.get("day"))
    if action == "exception":
        services.technician_day_set(
            actor=actor, technician_id=technician_id, day=day, capacity=_capacity(request.POST.get("visits")),
            note=request.POST.get("note", "")[:60],
        )  # fmt: skip
        return _("Saved: %(day)s is an exception.") % {"day": day.isoformat()}
    if action == "clear":
        services.technician_day_clear(actor=actor, technician_id=technician_id, day=day)
        return _("%(day)s takes the usual visits again.") % {"day": day.isoformat()}
    raise ValidationError("unknown action", code="invalid_step")


@require_http_methods(["GET", "POST"])
@staff_page
def technician(request: HttpRequest, actor: Actor, technician_id: int) -> HttpResponse:
    """One technician's visits a day and the exceptions of the days ahead (a day off is 0)."""
    context = _technician_context(actor, technician_id)
    if request.method == "POST":
        try:
            messages.success(request, _technician_post(request, actor, technician_id))
            return redirect("aftersales_console:technician", technician_id=technician_id)
        except DomainError as e:
            context = _technician_context(actor, technician_id) | {"error": error_text(e)}
            return render(request, "aftersales/console/technician.html", context, status=e.status)
    return render(request, "aftersales/console/technician.html", context)
