"""The storefront's appointment pages: the services, the outlets near the customer offering one
(with the next free time), an outlet's free times to book, and a member's bookings with the QR
to show at the outlet, the materials to send ahead and what the outlet made of them."""

import uuid
from datetime import date
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from omnipoint.appointments import selectors, services
from omnipoint.appointments.domain import MATERIAL_MAX_BYTES, MATERIAL_STATES
from omnipoint.appointments.files import material_response
from omnipoint.appointments.texts import error_text
from omnipoint.core.errors import DomainError, ValidationError
from omnipoint.members.models import Member
from omnipoint.outlets.domain import MemberActor
from omnipoint.outlets.models import Region

# The storefront keeps the customer's district and point in the session under these keys.
REGION_KEY = "shop_region"
GEO_KEY = "shop_geo"
DEFAULT_REGION = "310101"


def _member(request: HttpRequest) -> MemberActor | None:
    user = request.user
    if not user.is_authenticated:
        return None
    member_id = Member.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
    return MemberActor(user_id=user.pk, member_id=member_id) if member_id else None


def _region(request: HttpRequest) -> Region | None:
    code = str(request.session.get(REGION_KEY) or DEFAULT_REGION)
    return Region.objects.filter(code=code).first() or Region.objects.filter(code=DEFAULT_REGION).first()


def _float(raw: str | None) -> float | None:
    try:
        value = float(raw or "")
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _point(request: HttpRequest, region: Region | None) -> tuple[float, float] | None:
    lat, lng = _float(request.GET.get("lat")), _float(request.GET.get("lng"))
    if lat is not None and lng is not None and -90 <= lat <= 90 and -180 <= lng <= 180:
        request.session[GEO_KEY] = [lat, lng]
        return lat, lng
    geo = request.session.get(GEO_KEY)
    if geo:
        return float(geo[0]), float(geo[1])
    return (region.lat, region.lng) if region else None


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    base = {"region": _region(request), "is_member": _member(request) is not None, "q": ""}
    return render(request, f"appointments/shop/{template}", base | context, status=status)


def _not_found(request: HttpRequest, e: DomainError) -> HttpResponse:
    return _page(request, "not_found.html", {"error": error_text(e)}, status=e.status)


@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    return _page(request, "services.html", {"services": list(selectors.service_list())})


@require_GET
def service_near(request: HttpRequest, service_id: int) -> HttpResponse:
    try:
        service = selectors.service_get(service_id=service_id)
        point = _point(request, _region(request))
        near = selectors.offers_near(service_id=service.pk, lat=point[0], lng=point[1]) if point else []
    except DomainError as e:
        return _not_found(request, e)
    return _page(request, "service.html", {"service": service, "near": near})


def _slot_id(raw: str | None) -> int:
    text = (raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else 0


def _days(slots: list[Any]) -> list[tuple[date, list[Any]]]:
    local = lambda s: timezone.localtime(s.starts_at).date()  # noqa: E731
    return [(day, list(group)) for day, group in groupby(slots, key=local)]


def _book_or_move(request: HttpRequest, actor: MemberActor) -> HttpResponse:
    """Book the chosen time, or move the member's booking named by ``move`` to it."""
    slot_id = _slot_id(request.POST.get("slot"))
    move = request.POST.get("move", "")
    if move:
        found = selectors.booking_by_code(actor=actor, code=move)
        moved = services.booking_reschedule(actor=actor, booking_id=found.pk, slot_id=slot_id)
        messages.success(request, _("Moved to the new time."))
        return redirect("appointments_shop:booking", code=moved.code)
    key = request.POST.get("client_key", "")[:64]
    result = services.booking_create(actor=actor, slot_id=slot_id, channel="web", client_key=key)
    messages.success(request, _("Booked. Show this code at the outlet."))
    return redirect("appointments_shop:booking", code=result.booking.code)


def slot_list(request: HttpRequest, service_id: int, outlet_id: int) -> HttpResponse:
    try:
        offer = selectors.offer_get(outlet_id=outlet_id, service_id=service_id)
    except DomainError as e:
        return _not_found(request, e)
    error, status = "", 200
    if request.method == "POST":
        actor = _member(request)
        if actor is None:
            messages.info(request, _("Sign in to book, then choose your time again."))
            return redirect("storefront:member_login")
        try:
            return _book_or_move(request, actor)
        except DomainError as e:
            error, status = error_text(e), e.status
    slots = selectors.slots_free(outlet_id=outlet_id, service_id=service_id, limit=80)
    move = request.GET.get("move", "")[:12]
    context = {
        "offer": offer,
        "days": _days(slots),
        "client_key": uuid.uuid4().hex,
        "error": error,
        "move": move,
    }
    return _page(request, "slots.html", context, status=status)


@require_GET
def my_bookings(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    if actor is None:
        return redirect("storefront:member_login")
    bookings = list(selectors.booking_list(actor=actor).order_by("-slot__starts_at")[:50])
    return _page(request, "mine.html", {"bookings": bookings})


@require_GET
def booking(request: HttpRequest, code: str) -> HttpResponse:
    actor = _member(request)
    if actor is None:
        return redirect("storefront:member_login")
    try:
        found = selectors.booking_by_code(actor=actor, code=code)
    except DomainError as e:
        return _not_found(request, e)
    return _booking_page(request, found)


def _booking_page(request: HttpRequest, found: Any, *, error: str = "", status: int = 200) -> HttpResponse:
    context = {
        "booking": found,
        "materials": selectors.materials_of(found),
        "can_send": found.state in MATERIAL_STATES,
        "max_mb": MATERIAL_MAX_BYTES // (1024 * 1024),
        "error": error,
    }
    return _page(request, "booking.html", context, status=status)


@require_POST
def material_upload(request: HttpRequest, code: str, item: str) -> HttpResponse:
    """The member sends a file for one item of their booking's checklist."""
    actor = _member(request)
    if actor is None:
        return redirect("storefront:member_login")
    try:
        found = selectors.booking_by_code(actor=actor, code=code)
    except DomainError as e:
        return _not_found(request, e)
    try:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError("choose a file", code="no_file")
        services.material_upload(
            actor=actor, booking_id=found.pk, item=item[:32], content=upload.read(MATERIAL_MAX_BYTES + 1),
            filename=upload.name or "",
        )  # fmt: skip
    except DomainError as e:
        return _booking_page(request, found, error=error_text(e), status=e.status)
    messages.success(request, _("File sent. It is checked at the outlet."))
    return redirect("appointments_shop:booking", code=found.code)


@require_GET
def material_file(request: HttpRequest, code: str, upload_id: int) -> HttpResponse:
    """A file the member sent, for them only."""
    actor = _member(request)
    if actor is None:
        return redirect("storefront:member_login")
    try:
        found = selectors.booking_by_code(actor=actor, code=code)
        upload = selectors.material_file_get(actor=actor, booking_id=found.pk, upload_id=upload_id)
    except DomainError as e:
        return _not_found(request, e)
    return material_response(upload)


@require_POST
def booking_cancel(request: HttpRequest, code: str) -> HttpResponse:
    actor = _member(request)
    if actor is None:
        return redirect("storefront:member_login")
    try:
        found = selectors.booking_by_code(actor=actor, code=code)
        services.booking_cancel(actor=actor, booking_id=found.pk)
        messages.success(request, _("Booking cancelled."))
    except DomainError as e:
        messages.error(request, error_text(e))
    return redirect("appointments_shop:booking", code=code)
