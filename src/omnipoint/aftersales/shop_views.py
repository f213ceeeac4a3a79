"""The storefront's ticket pages, phone first: a member's tickets, one ticket followed online
(its state, the visit agreed, what happened, and the confirmation code to give the technician
when the work is done), and a repair, exchange or complaint opened from one of their orders."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from omnipoint.aftersales import selectors, services
from omnipoint.aftersales.domain import AFTER_SALES_KINDS, CLOSED_STATES, Step, TicketKind, TicketState
from omnipoint.aftersales.texts import error_text
from omnipoint.core.errors import DomainError
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


@require_GET
def ticket(request: HttpRequest, number: str) -> HttpResponse:
    actor = _member(request)
    if actor is None:
        return redirect("storefront:member_login")
    try:
        found = selectors.ticket_by_number(actor=actor, number=number)
    except DomainError as e:
        return _page(request, "not_found.html", {"error": error_text(e)}, status=e.status)
    context = {"t": found, "progress": _progress(found.state), "events": selectors.ticket_events(ticket=found),
               "steps": Step, "show_code": found.state not in CLOSED_STATES}  # fmt: skip
    return _page(request, "ticket.html", context)


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
                _("Ticket %(number)s opened: we will call you to agree a visit.") % {"number": t.number},
            )
            return redirect("aftersales_shop:ticket", number=t.number)
        except DomainError as e:
            return _page(request, "open.html", context | {"error": error_text(e)}, status=e.status)
    return _page(request, "open.html", context)
