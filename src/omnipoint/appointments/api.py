"""Appointments through the REST API: the services and where they are offered near a point,
free slots, timetables and closures (managers), bookings (a member's own, or staff's for a
member in their scope), and the queue at the outlet (check-in, walk-ins, calling)."""

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from omnipoint.appointments import selectors, services
from omnipoint.appointments.domain import MATERIAL_MAX_BYTES, Opening
from omnipoint.appointments.files import material_response
from omnipoint.appointments.models import Booking, MaterialReview, MaterialUpload, Slot, Ticket
from omnipoint.appointments.schemas import (
    BookingIn,
    BookingOut,
    CallIn,
    CheckInIn,
    ClosureIn,
    ClosureOut,
    MaterialItemOut,
    MaterialReviewIn,
    MaterialsIn,
    MaterialUploadOut,
    NearbyOfferOut,
    QueueOut,
    RescheduleIn,
    ServiceIn,
    ServiceOut,
    SlotOut,
    TicketOut,
    TimetableIn,
    TimetableOut,
    WalkInIn,
)
from omnipoint.core.api import ERRORS, Id, Page
from omnipoint.core.errors import ValidationError
from omnipoint.outlets.domain import Actor, AnyActor
from omnipoint.outlets.selectors import actor_get

router = Router(tags=["appointments"])


def staff(request: HttpRequest) -> Actor:
    return actor_get(user=request.user)


def anyone(request: HttpRequest) -> AnyActor:
    return selectors.actor_for(user=request.user)


def _slot(s: Slot) -> dict[str, Any]:
    return {
        "id": s.pk, "outlet_id": s.outlet_id, "service_id": s.service_id, "starts_at": s.starts_at,
        "ends_at": s.ends_at, "capacity": s.capacity, "remaining": s.remaining,
    }  # fmt: skip


def _booking(b: Booking, *, created: bool = False) -> dict[str, Any]:
    return {
        "id": b.pk, "code": b.code, "state": b.state, "channel": b.channel, "member_id": b.member_id,
        "outlet_id": b.outlet_id, "outlet_name": b.outlet.name, "service_id": b.service_id,
        "service_name": b.service.name, "starts_at": b.slot.starts_at, "ends_at": b.slot.ends_at,
        "slot_id": b.slot_id, "materials_checked": b.materials_checked, "materials_note": b.materials_note,
        "created_at": b.created_at, "created": created,
    }  # fmt: skip


def _ticket(t: Ticket) -> dict[str, Any]:
    return {
        "id": t.pk, "label": t.label, "state": t.state, "outlet_id": t.outlet_id, "service_id": t.service_id,
        "service_name": t.service.name, "booking_id": t.booking_id, "day": t.day, "issued_at": t.issued_at,
        "called_at": t.called_at, "done_at": t.done_at, "counter": t.counter, "wait_s": t.wait_s,
        "service_s": t.service_s,
    }  # fmt: skip


def _fresh_ticket(t: Ticket) -> dict[str, Any]:
    return _ticket(Ticket.objects.select_related("service").get(pk=t.pk))


def _fresh_booking(booking_id: int, *, created: bool = False) -> dict[str, Any]:
    b = Booking.objects.select_related("slot", "outlet", "service").get(pk=booking_id)
    return _booking(b, created=created)


# --- services, where, when ------------------------------------------------------------------


@router.get("/services", response={200: list[ServiceOut], **ERRORS})
def service_list(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The services of the network."""
    return list(selectors.service_list())


@router.post("/services", response={201: ServiceOut, **ERRORS})
def service_create(request: HttpRequest, payload: ServiceIn):  # type: ignore[no-untyped-def]
    """A new service of the network (HQ's catalogue: catalog.edit)."""
    data = payload.dict()
    return 201, services.service_create(actor=staff(request), **data)


class NearQuery(Schema):
    service_id: Id
    lat: float
    lng: float


@router.get("/nearby", response={200: list[NearbyOfferOut], **ERRORS})
def nearby(request: HttpRequest, q: Query[NearQuery]):  # type: ignore[no-untyped-def]
    """The outlets offering a service near a point, nearest first, with their next free slot."""
    if not (-90 <= q.lat <= 90 and -180 <= q.lng <= 180):
        raise ValidationError("coordinates are out of range", code="invalid_coordinates")
    return [
        {"outlet_id": n.outlet.pk, "outlet_code": n.outlet.code, "outlet_name": n.outlet.name,
         "address": n.outlet.address, "km": n.km, "next_slot": _slot(n.next_slot) if n.next_slot else None}
        for n in selectors.offers_near(service_id=q.service_id, lat=q.lat, lng=q.lng)
    ]  # fmt: skip


class SlotQuery(Schema):
    outlet_id: Id
    service_id: Id
    day: date | None = None


@router.get("/slots", response={200: list[SlotOut], **ERRORS})
def slot_list(request: HttpRequest, q: Query[SlotQuery]):  # type: ignore[no-untyped-def]
    """Free slots of a service at an outlet: on one day, or the next ones."""
    selectors.offer_get(outlet_id=q.outlet_id, service_id=q.service_id)
    return [_slot(s) for s in selectors.slots_free(outlet_id=q.outlet_id, service_id=q.service_id, day=q.day)]


@router.put("/outlets/{outlet_id}/services/{service_id}", response={200: TimetableOut, **ERRORS})
def timetable_set(request: HttpRequest, outlet_id: Id, service_id: Id, payload: TimetableIn):  # type: ignore[no-untyped-def]
    """The weekly timetable of a service at an outlet (service.setup in scope); empty: not offered."""
    rows = [Opening(o.weekday, o.start, o.end, o.capacity) for o in payload.openings]
    offer = services.offer_set(
        actor=staff(request), outlet_id=outlet_id, service_id=service_id, openings=rows
    )
    return {
        "outlet_id": offer.outlet_id, "service_id": offer.service_id, "active": offer.is_active,
        "openings": [{"weekday": o.weekday, "start": o.start.isoformat("minutes"), "end": o.end.isoformat("minutes"),
                      "capacity": o.capacity} for o in offer.openings.all()],
        "open_slots": offer.slots.filter(is_open=True).count(),
    }  # fmt: skip


@router.post("/outlets/{outlet_id}/closures", response={201: ClosureOut, **ERRORS})
def closure_add(request: HttpRequest, outlet_id: Id, payload: ClosureIn):  # type: ignore[no-untyped-def]
    """A day the outlet takes no appointments, for one service or all (service.setup)."""
    c = services.closure_add(actor=staff(request), outlet_id=outlet_id, **payload.dict())
    return 201, {
        "id": c.pk,
        "outlet_id": c.outlet_id,
        "service_id": c.service_id,
        "day": c.day,
        "reason": c.reason,
    }


# --- bookings -------------------------------------------------------------------------------


class BookingQuery(Schema):
    outlet_id: Id | None = None
    day: date | None = None
    state: str = ""


@router.get("/bookings", response={200: list[BookingOut], **ERRORS})
def booking_list(request: HttpRequest, q: Query[BookingQuery], page: Query[Page]):  # type: ignore[no-untyped-def]
    """A member's own bookings; staff's at the outlets of their scope."""
    qs = selectors.booking_list(actor=anyone(request), outlet_id=q.outlet_id, day=q.day, state=q.state[:12])
    return [_booking(b) for b in page.cut(qs)]


@router.post("/bookings", response={200: BookingOut, 201: BookingOut, **ERRORS})
def booking_create(request: HttpRequest, payload: BookingIn):  # type: ignore[no-untyped-def]
    """Book a place: a member for themselves (web, app, wechat), staff for a member (hotline,
    pos). The same client_key again answers 200 with the booking it made."""
    r = services.booking_create(actor=anyone(request), **payload.dict())
    return (201 if r.created else 200), _fresh_booking(r.booking.pk, created=r.created)


@router.get("/bookings/{booking_id}", response={200: BookingOut, **ERRORS})
def booking_get(request: HttpRequest, booking_id: Id):  # type: ignore[no-untyped-def]
    return _booking(selectors.booking_get(actor=anyone(request), booking_id=booking_id))


@router.post("/bookings/{booking_id}/cancel", response={200: BookingOut, **ERRORS})
def booking_cancel(request: HttpRequest, booking_id: Id):  # type: ignore[no-untyped-def]
    """Cancel (a member no later than two hours before the start): the place goes back."""
    return _fresh_booking(services.booking_cancel(actor=anyone(request), booking_id=booking_id).pk)


@router.post("/bookings/{booking_id}/reschedule", response={200: BookingOut, **ERRORS})
def booking_reschedule(request: HttpRequest, booking_id: Id, payload: RescheduleIn):  # type: ignore[no-untyped-def]
    """Move to another slot of the same service; the places move together or not at all."""
    b = services.booking_reschedule(actor=anyone(request), booking_id=booking_id, slot_id=payload.slot_id)
    return _fresh_booking(b.pk)


@router.post("/bookings/{booking_id}/materials", response={200: BookingOut, **ERRORS})
def booking_materials(request: HttpRequest, booking_id: Id, payload: MaterialsIn):  # type: ignore[no-untyped-def]
    """The clerk ticks the materials checked, with a note."""
    b = services.booking_materials_check(actor=staff(request), booking_id=booking_id, **payload.dict())
    return _fresh_booking(b.pk)


# --- materials sent ahead and checked at the outlet -------------------------------------------


def _upload(u: MaterialUpload) -> dict[str, Any]:
    return {
        "id": u.pk, "booking_id": u.booking_id, "item": u.item, "version": u.version,
        "content_type": u.content_type, "size": u.size, "sha256": u.sha256, "filename": u.filename,
        "uploaded_at": u.uploaded_at,
    }  # fmt: skip


def _review(r: MaterialReview) -> dict[str, Any]:
    who = r.reviewed_by.get_username() if r.reviewed_by else ""
    return {
        "id": r.pk, "upload_id": r.upload_id, "decision": r.decision, "reason": r.reason, "reviewed_by": who,
        "reviewed_at": r.reviewed_at,
    }  # fmt: skip


def _items(items: list[selectors.MaterialItem]) -> list[dict[str, Any]]:
    return [
        {"code": m.code, "name": m.name, "name_en": m.name_en, "status": m.status, "versions": m.versions,
         "upload": _upload(m.upload) if m.upload else None, "review": _review(m.review) if m.review else None}
        for m in items
    ]  # fmt: skip


MATERIAL_DOC = {
    "responses": {
        200: {
            "description": "The file as it was sent (a JPEG or PNG image, or a PDF)",
            "content": {
                t: {"schema": {"type": "string", "format": "binary"}}
                for t in ("image/jpeg", "image/png", "application/pdf")
            },
        }
    }
}


@router.get("/bookings/{booking_id}/materials", response={200: list[MaterialItemOut], **ERRORS})
def booking_material_list(request: HttpRequest, booking_id: Id):  # type: ignore[no-untyped-def]
    """Each item of the booking's checklist: the latest file sent, the latest check, and what
    that makes of it (missing, pending, accepted, rejected)."""
    return _items(selectors.booking_materials(actor=anyone(request), booking_id=booking_id))


@router.post("/bookings/{booking_id}/materials/{item}/uploads", response={201: MaterialUploadOut, **ERRORS})
def material_upload(request: HttpRequest, booking_id: Id, item: str, file: File[UploadedFile]):  # type: ignore[no-untyped-def]
    """A member sends a file for an item of their own booking (multipart, field ``file``): a JPEG
    or PNG photo or a PDF, by what it holds, up to 5 MB (413 ``file_too_large``); again: the
    next version."""
    content = file.read(MATERIAL_MAX_BYTES + 1)
    u = services.material_upload(
        actor=anyone(request),
        booking_id=booking_id,
        item=item[:32],
        content=content,
        filename=file.name or "",
    )
    return 201, _upload(u)


@router.post("/bookings/{booking_id}/materials/{item}/review", response={200: MaterialItemOut, **ERRORS})
def material_review(request: HttpRequest, booking_id: Id, item: str, payload: MaterialReviewIn):  # type: ignore[no-untyped-def]
    """The clerk accepts or rejects an item (a rejection with its reason): the file named by
    ``upload_id`` (409 ``upload_superseded`` if a newer one came), else the latest, else the
    paper brought to the counter."""
    a = staff(request)
    services.material_review(actor=a, booking_id=booking_id, item=item[:32], **payload.dict())
    items = selectors.booking_materials(actor=a, booking_id=booking_id)
    return next(row for row in _items(items) if row["code"] == item)


@router.get("/bookings/{booking_id}/uploads/{upload_id}", response=ERRORS, openapi_extra=MATERIAL_DOC)
def material_file(request: HttpRequest, booking_id: Id, upload_id: Id) -> HttpResponse:
    """A file sent for a booking: to its member, and to staff whose scope covers its outlet."""
    upload = selectors.material_file_get(actor=anyone(request), booking_id=booking_id, upload_id=upload_id)
    return material_response(upload)


# --- the queue ------------------------------------------------------------------------------


@router.post("/outlets/{outlet_id}/check-in", response={200: TicketOut, **ERRORS})
def check_in(request: HttpRequest, outlet_id: Id, payload: CheckInIn):  # type: ignore[no-untyped-def]
    """Check a booking in by its code: its queue ticket (the same one again if repeated)."""
    return _fresh_ticket(
        services.booking_check_in(actor=staff(request), outlet_id=outlet_id, code=payload.code)
    )


@router.post("/outlets/{outlet_id}/tickets", response={201: TicketOut, **ERRORS})
def ticket_take(request: HttpRequest, outlet_id: Id, payload: WalkInIn):  # type: ignore[no-untyped-def]
    """A walk-in's ticket for a service the outlet offers."""
    t = services.ticket_take(actor=staff(request), outlet_id=outlet_id, service_id=payload.service_id)
    return 201, _fresh_ticket(t)


@router.post("/outlets/{outlet_id}/call", response={200: TicketOut, **ERRORS})
def ticket_call(request: HttpRequest, outlet_id: Id, payload: CallIn):  # type: ignore[no-untyped-def]
    """The counter calls the next waiting ticket (409 queue_empty when nobody waits)."""
    t = services.ticket_call_next(actor=staff(request), outlet_id=outlet_id, **payload.dict())
    return _fresh_ticket(t)


@router.get("/outlets/{outlet_id}/queue", response={200: QueueOut, **ERRORS})
def queue(request: HttpRequest, outlet_id: Id):  # type: ignore[no-untyped-def]
    """What the calling screen shows: the latest calls and who waits."""
    board = selectors.queue_board(actor=staff(request), outlet_id=outlet_id)
    return {
        "outlet_id": board.outlet.pk,
        "called": [_ticket(t) for t in board.called],
        "waiting": [_ticket(t) for t in board.waiting],
        "waiting_by_service": board.waiting_by_service,
    }


@router.post("/tickets/{ticket_id}/finish", response={200: TicketOut, **ERRORS})
def ticket_finish(request: HttpRequest, ticket_id: Id):  # type: ignore[no-untyped-def]
    return _fresh_ticket(services.ticket_finish(actor=staff(request), ticket_id=ticket_id))


@router.post("/tickets/{ticket_id}/skip", response={200: TicketOut, **ERRORS})
def ticket_skip(request: HttpRequest, ticket_id: Id):  # type: ignore[no-untyped-def]
    """Called and nobody came."""
    return _fresh_ticket(services.ticket_skip(actor=staff(request), ticket_id=ticket_id))
