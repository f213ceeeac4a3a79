"""The storefront's ticket pages, phone first: a member's tickets, one ticket followed online
(its state, the visit agreed, what happened, and the confirmation code to give the technician
when the work is done) where they pick or move the visit among the slots offered, and a repair,
exchange or complaint opened from one of their orders."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omnipoint.aftersales import selectors, services
from omnipoint.aftersales.domain import (
    AFTER_SALES_KINDS,
    CLOSED_STATES,
    CUSTOMER_CHANGES,
    Step,
    TicketKind,
    TicketState,
    customer_may_choose,
)
from omnipoint.aftersales.models import Ticket
from omnipoint.aftersales.texts import error_text
from omnipoint.core.errors import DomainError, ValidationError
from omnipoint.members.selectors import member_for_user_or_none
from omnipoint.orders.models import Order
from omnipoint.outlets.domain import MemberActor

# The customer's path through a ticket, as the page draws it.
PATH = [
    TicketState.OPEN,
    TicketState.SCHEDULED,
    TicketState.ON_THE_WAY,
    TicketState.ON_SITE,
    TicketState.DONE,
]


def _member(request: HttpRequest) -> MemberActor | None:
    member = member_for_user_or_none(user=request.user)
    if member is None or member.user_id is None:
        return None
    return MemberActor(user_id=member.user_id, member_id=member.pk)


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    return render(
        request, f"aftersales/shop/{template}", {"is_member": True, "q": ""} | context, status=status
    )


@require_GET
def my_tickets(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    if actor is None:
        return redirect("storefront:member_login")
    tickets = list(selectors.ticket_list(actor=actor).order_by("-opened_at")[:50])
    return _page(request, "mine.html", {"tickets": tickets, "closed": CLOSED_STATES})


def _progress(state: str) -> list[dict[str, Any]]:
    """The steps of the customer's path, each done, current or to come."""
    shown = {TicketState.RESCHEDULED: TicketState.SCHEDULED}.get(state, state)  # type: ignore[call-overload]
    at = PATH.index(shown) if shown in PATH else -1
    return [{"label": TicketState(s).label, "done": i < at, "now": i == at} for i, s in enumerate(PATH)]


def _days(ticket: Ticket) -> list[dict[str, Any]]:
    """The slots offered, a day to a row (both windows of a day share its places)."""
    rows: dict[date, dict[str, Any]] = {}
    for s in selectors.visit_slots(ticket=ticket):
        rows.setdefault(s.day, {"day": s.day, "free": s.free, "slots": []})["slots"].append(s)
    return list(rows.values())


def _ticket_page(request: HttpRequest, found: Ticket, *, error: str = "", status: int = 200) -> HttpResponse:
    may_pick = customer_may_choose(found.state, changes=found.customer_changes)
    context = {
        "t": found, "progress": _progress(found.state), "events": selectors.ticket_events(ticket=found),
        "steps": Step, "show_code": found.state not in CLOSED_STATES, "error": error,
        "days": _days(found) if may_pick else [],
        "changes_left": max(CUSTOMER_CHANGES - found.customer_changes, 0),
        "current": f"{found.visit_day.isoformat()}.{found.visit_window}" if found.visit_day else "",
    }  # fmt: skip
    return _page(request, "ticket.html", context, status=status)


@require_GET
def ticket(request: HttpRequest, number: str) -> HttpResponse:
    actor = _member(request)
    if actor is None:
        return redirect("storefront:member_login")
    try:
        found = selectors.ticket_by_number(actor=actor, number=number)
    except DomainError as e:
        return _page(request, "not_found.html", {"error": error_text(e)}, status=e.status)
    return _ticket_page(request, found)


def _slot(raw: str) -> tuple[date, str]:
    """A slot as the page sends it: ``YYYY-MM-DD.am``."""
    day, _dot, window = (raw or "").strip()[:13].partition(".")
    try:
        return date.fromisoformat(day), window
    except ValueError:
        raise ValidationError("a slot is YYYY-MM-DD.am or .pm", code="invalid_day") from None


@require_POST
def choose_visit(request: HttpRequest, number: str) -> HttpResponse:
    """The customer picks or moves their visit; refused, the ticket's page says why."""
    actor = _member(request)
    if actor is None:
        return redirect("storefront:member_login")
    try:
        found = selectors.ticket_by_number(actor=actor, number=number)
    except DomainError as e:
        return _page(request, "not_found.html", {"error": error_text(e)}, status=e.status)
    try:
        day, window = _slot(request.POST.get("slot", ""))
        moved = services.ticket_visit_choose(actor=actor, ticket_id=found.pk, day=day, window=window)
    except DomainError as e:
        found.refresh_from_db()
        return _ticket_page(request, found, error=error_text(e), status=e.status)
    messages.success(
        request,
        _("Visit booked: %(day)s, %(window)s. We have texted you the time and your code.")
        % {"day": moved.visit_day.strftime("%m-%d") if moved.visit_day else "",
           "window": moved.get_visit_window_display()},
    )  # fmt: skip
    return redirect("aftersales_shop:ticket", number=moved.number)


@require_http_methods(["GET", "POST"])
def open_ticket(request: HttpRequest, order_number: str) -> HttpResponse:
    """Ask for a repair, an exchange or make a complaint about one of my orders."""
    actor = _member(request)
    if actor is None:
        return redirect("storefront:member_login")
    order = Order.objects.filter(number=order_number[:24], member_id=actor.member_id).first()
    if order is None:
        return _page(request, "not_found.html", {"error": _("No such order of yours.")}, status=404)
    form = {
        "kind": request.POST.get("kind", TicketKind.REPAIR)[:12],
        "description": request.POST.get("description", "")[:500],
    }
    context = {"order": order, "form": form, "kinds": [(k, TicketKind(k).label) for k in AFTER_SALES_KINDS]}
    if request.method == "POST":
        try:
            t = services.ticket_open(
                actor=actor, order_id=order.pk, kind=form["kind"], description=form["description"]
            )
            messages.success(
                request,
                _("Ticket %(number)s opened: choose a time for the visit, or we will call you to agree one.")
                % {"number": t.number},
            )
            return redirect("aftersales_shop:ticket", number=t.number)
        except DomainError as e:
            return _page(request, "open.html", context | {"error": error_text(e)}, status=e.status)
    return _page(request, "open.html", context)
