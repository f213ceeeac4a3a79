"""The console's appointment pages: the desk of an outlet (today's bookings, check-in by code or
QR, walk-in tickets, calling the next ticket, serving), a booking's page (each checklist item,
sent ahead or not, accepted or rejected with a reason; the files sent; cancel), booking for a
member by phone or at the counter, and the calling screen for a TV."""

from collections.abc import Callable
from datetime import date, time
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from omnipoint.appointments import selectors, services
from omnipoint.appointments.domain import MATERIAL_STATES, Opening, business_day
from omnipoint.appointments.files import material_response
from omnipoint.appointments.models import Offer
from omnipoint.appointments.texts import error_text
from omnipoint.core.errors import DomainError, ValidationError
from omnipoint.members.services import member_get_or_create
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.selectors import actor_get, outlet_list, scope_q

View = Callable[..., HttpResponse]
WEEKDAYS = [
    (0, pgettext_lazy("appointments", "Mon")), (1, pgettext_lazy("appointments", "Tue")), (2, pgettext_lazy("appointments", "Wed")), (3, pgettext_lazy("appointments", "Thu")),
    (4, pgettext_lazy("appointments", "Fri")), (5, pgettext_lazy("appointments", "Sat")), (6, pgettext_lazy("appointments", "Sun")),
]  # fmt: skip


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


def _int(raw: str | None) -> int | None:
    text = (raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def _outlets(actor: Actor) -> list[Any]:
    """The outlets in scope that offer services, for the outlet picker."""
    offers = Offer.objects.filter(scope_q(actor.scope, "outlet"), is_active=True).select_related("outlet")
    return sorted({o.outlet for o in offers}, key=lambda o: o.code)


def _outlet_id(request: HttpRequest, actor: Actor, outlets: list[Any]) -> int | None:
    chosen = _int(request.GET.get("outlet") or request.POST.get("outlet"))
    if chosen is not None:
        return chosen
    if actor.scope.outlet_id is not None:
        return actor.scope.outlet_id
    return outlets[0].pk if outlets else None


def _desk_url(outlet_id: int | None) -> str:
    url = reverse("appointments_console:desk")
    return f"{url}?outlet={outlet_id}" if outlet_id else url


def _desk_context(request: HttpRequest, actor: Actor) -> dict[str, Any]:
    outlets = _outlets(actor)
    outlet_id = _outlet_id(request, actor, outlets)
    context: dict[str, Any] = {"outlets": outlets, "outlet": None}
    if outlet_id is None:
        return context
    board = selectors.queue_board(actor=actor, outlet_id=outlet_id)
    today = business_day(timezone.now())
    bookings = selectors.booking_list(actor=actor, outlet_id=outlet_id, day=today).order_by("slot__starts_at")
    return context | {
        "outlet": board.outlet,
        "board": board,
        "offers": list(selectors.offers_at(outlet_id=outlet_id)),
        "bookings": list(bookings[:100]),
        "closures": list(selectors.closures_at(outlet_id=outlet_id, since=today)[:10]),
        "can_desk": actor.can(Perm.APPOINTMENT_DESK),
        "can_setup": actor.can(Perm.SERVICE_SETUP),
    }


@require_GET
@staff_page
def desk(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "appointments/console/desk.html", _desk_context(request, actor))


def _act(request: HttpRequest, actor: Actor, action: Callable[[], str]) -> HttpResponse:
    """Run a desk action; back to the desk with what happened, or the desk again with why not."""
    try:
        messages.success(request, action())
    except DomainError as e:
        context = _desk_context(request, actor) | {"error": error_text(e)}
        return render(request, "appointments/console/desk.html", context, status=e.status)
    return redirect(_desk_url(_int(request.POST.get("outlet"))))


@require_POST
@staff_page
def check_in(request: HttpRequest, actor: Actor) -> HttpResponse:
    def go() -> str:
        outlet_id = _int(request.POST.get("outlet")) or 0
        ticket = services.booking_check_in(
            actor=actor, outlet_id=outlet_id, code=request.POST.get("code", "")
        )
        return _("Checked in: ticket %(label)s.") % {"label": ticket.label}

    return _act(request, actor, go)


@require_POST
@staff_page
def walk_in(request: HttpRequest, actor: Actor) -> HttpResponse:
    def go() -> str:
        outlet_id, service_id = _int(request.POST.get("outlet")) or 0, _int(request.POST.get("service")) or 0
        ticket = services.ticket_take(actor=actor, outlet_id=outlet_id, service_id=service_id)
        return _("Ticket %(label)s issued.") % {"label": ticket.label}

    return _act(request, actor, go)


@require_POST
@staff_page
def call_next(request: HttpRequest, actor: Actor) -> HttpResponse:
    def go() -> str:
        ticket = services.ticket_call_next(
            actor=actor,
            outlet_id=_int(request.POST.get("outlet")) or 0,
            counter=request.POST.get("counter", ""),
            service_id=_int(request.POST.get("service")),
        )
        return _("Calling %(label)s to counter %(counter)s.") % {
            "label": ticket.label,
            "counter": ticket.counter,
        }

    return _act(request, actor, go)


@require_POST
@staff_page
def ticket_step(request: HttpRequest, actor: Actor, ticket_id: int, step: str) -> HttpResponse:
    def go() -> str:
        if step == "finish":
            return _("%(label)s served.") % {
                "label": services.ticket_finish(actor=actor, ticket_id=ticket_id).label
            }
        if step == "skip":
            return _("%(label)s did not answer.") % {
                "label": services.ticket_skip(actor=actor, ticket_id=ticket_id).label
            }
        raise ValidationError("unknown step", code="invalid_step")

    return _act(request, actor, go)


@staff_page
def booking_page(request: HttpRequest, actor: Actor, booking_id: int) -> HttpResponse:
    booking = selectors.booking_get(actor=actor, booking_id=booking_id)
    error, status = "", 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                services.booking_cancel(actor=actor, booking_id=booking.pk)
                messages.success(request, _("Booking cancelled."))
            elif request.POST.get("action") == "review":
                services.material_review(
                    actor=actor, booking_id=booking.pk, item=request.POST.get("item", "")[:32],
                    decision=request.POST.get("decision", "")[:10], reason=request.POST.get("reason", "")[:200],
                    upload_id=_int(request.POST.get("upload")),
                )  # fmt: skip
                messages.success(request, _("Check recorded."))
            else:
                services.booking_materials_check(
                    actor=actor, booking_id=booking.pk, checked=request.POST.getlist("material"),
                    note=request.POST.get("note", "")[:200],
                )  # fmt: skip
                messages.success(request, _("Materials recorded."))
            return redirect("appointments_console:booking", booking_id=booking.pk)
        except DomainError as e:
            error, status = error_text(e), e.status
    context = {
        "booking": booking,
        "materials": selectors.materials_of(booking),
        "can_review": actor.can(Perm.APPOINTMENT_DESK) and booking.state in MATERIAL_STATES,
        "error": error,
    }
    return render(request, "appointments/console/booking.html", context, status=status)


@require_GET
@staff_page
def material_file(request: HttpRequest, actor: Actor, booking_id: int, upload_id: int) -> HttpResponse:
    """A file a member sent, for staff whose scope covers the booking's outlet."""
    return material_response(
        selectors.material_file_get(actor=actor, booking_id=booking_id, upload_id=upload_id)
    )


@staff_page
def book_for_member(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The hotline or the counter books for a member named by mobile number."""
    outlets = _outlets(actor)
    outlet_id = _outlet_id(request, actor, outlets)
    offers = list(selectors.offers_at(outlet_id=outlet_id)) if outlet_id else []
    service_id = _int(request.GET.get("service") or request.POST.get("service")) or (
        offers[0].service_id if offers else None
    )
    context: dict[str, Any] = {
        "outlets": outlets,
        "outlet_id": outlet_id,
        "offers": offers,
        "service_id": service_id,
    }
    if request.method == "POST":
        try:
            member = member_get_or_create(actor=actor, mobile=request.POST.get("mobile", ""))
            result = services.booking_create(
                actor=actor, slot_id=_int(request.POST.get("slot")) or 0, member_id=member.pk,
                channel="pos" if request.POST.get("channel") == "pos" else "hotline",
            )  # fmt: skip
            messages.success(request, _("Booked: code %(code)s.") % {"code": result.booking.code})
            return redirect("appointments_console:booking", booking_id=result.booking.pk)
        except DomainError as e:
            context |= {"error": error_text(e), "mobile": request.POST.get("mobile", "")[:20]}
    if outlet_id and service_id:
        context["slots"] = selectors.slots_free(outlet_id=outlet_id, service_id=service_id, limit=24)
    return render(
        request, "appointments/console/book.html", context, status=400 if "error" in context else 200
    )


@require_GET
@staff_page
def screen(request: HttpRequest, actor: Actor, outlet_id: int) -> HttpResponse:
    """The calling screen: a page for the outlet's TV; the board below it refreshes itself."""
    board = selectors.queue_board(actor=actor, outlet_id=outlet_id)
    return render(request, "appointments/console/screen.html", {"board": board})


@require_GET
@staff_page
def screen_board(request: HttpRequest, actor: Actor, outlet_id: int) -> HttpResponse:
    board = selectors.queue_board(actor=actor, outlet_id=outlet_id)
    return render(request, "appointments/console/_board.html", {"board": board})


def _time(raw: str | None) -> time:
    try:
        return time.fromisoformat((raw or "").strip()[:5])
    except ValueError:
        raise ValidationError("a time is HH:MM", code="invalid_time") from None


def _setup_post(request: HttpRequest, actor: Actor, outlet_id: int) -> str:
    if request.POST.get("action") == "closure":
        try:
            day = date.fromisoformat(request.POST.get("day", "")[:10])
        except ValueError:
            raise ValidationError("a day is YYYY-MM-DD", code="invalid_day") from None
        services.closure_add(actor=actor, outlet_id=outlet_id, day=day, reason=request.POST.get("reason", ""),
                             service_id=_int(request.POST.get("service")))  # fmt: skip
        return _("Closure recorded.")
    start, end = _time(request.POST.get("start")), _time(request.POST.get("end"))
    capacity = _int(request.POST.get("capacity")) or 0
    days = sorted({d for d in (_int(v) for v in request.POST.getlist("weekday")) if d is not None})
    services.offer_set(
        actor=actor, outlet_id=outlet_id, service_id=_int(request.POST.get("service")) or 0,
        openings=[Opening(d, start, end, capacity) for d in days],
    )  # fmt: skip
    return _("Timetable saved.")


@staff_page
def setup(request: HttpRequest, actor: Actor) -> HttpResponse:
    """A manager sets the weekly timetable of a service at an outlet and records closures."""
    outlets = list(outlet_list(actor=actor, active_only=True)[:200])
    outlet_id = _outlet_id(request, actor, outlets)
    if outlet_id is None:
        raise ValidationError("choose an outlet", code="outlet_required")
    outlet = selectors.outlet_at(actor=actor, outlet_id=outlet_id, perm=Perm.SERVICE_SETUP)
    error, status = "", 200
    if request.method == "POST":
        try:
            messages.success(request, _setup_post(request, actor, outlet.pk))
            return redirect(reverse("appointments_console:setup") + f"?outlet={outlet.pk}")
        except DomainError as e:
            error, status = error_text(e), e.status
    context = {
        "outlets": outlets, "outlet": outlet, "services": list(selectors.service_list()),
        "offers": list(selectors.offers_at(outlet_id=outlet.pk)), "weekdays": WEEKDAYS, "error": error,
        "closures": list(selectors.closures_at(outlet_id=outlet.pk, since=business_day(timezone.now()))[:20]),
    }  # fmt: skip
    return render(request, "appointments/console/setup.html", context, status=status)
