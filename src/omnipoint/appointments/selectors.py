"""Appointment reads: who is acting, services and where they are offered near a point, free
slots, bookings (a member's own; staff's in their scope), the queue board of an outlet, and
the capacity check.

Free slots and the outlets offering a service are not scoped (the storefront shows them to
anyone, as "where is it"); bookings and tickets are: a member sees their own, staff what lies
under their node, and anything else is "not found".
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from omnipoint.appointments.domain import (
    LIVE_STATES,
    NO_SHOW_WINDOW_DAYS,
    SHANGHAI,
    BookingState,
    MaterialStatus,
    TicketState,
    business_day,
    material_status,
)
from omnipoint.appointments.models import (
    Booking,
    Closure,
    MaterialReview,
    MaterialUpload,
    Offer,
    Service,
    Slot,
    Ticket,
)
from omnipoint.core.errors import NotFoundError, PermissionDeniedError
from omnipoint.core.geo import bounding_box, haversine_km
from omnipoint.members.models import Member
from omnipoint.outlets.domain import AnyActor, MemberActor, Perm, StaffActor
from omnipoint.outlets.models import Outlet, Staff
from omnipoint.outlets.selectors import actor_get, scope_q

NEAR_KM = 30.0
NEAR_LIMIT = 20


def actor_for(*, user: Any) -> AnyActor:
    """Staff act as their role; a member's account as that member; anyone else may not."""
    if Staff.objects.filter(user_id=user.pk).exists() or user.is_superuser:
        return actor_get(user=user)
    member_id = Member.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
    if member_id is None:
        raise PermissionDeniedError("sign in as a member or a staff member", code="not_member")
    return MemberActor(user_id=user.pk, member_id=member_id)


def staff_only(actor: AnyActor, perm: str) -> StaffActor:
    if isinstance(actor, MemberActor):
        raise PermissionDeniedError("staff only", code="not_staff")
    actor.require(perm)
    return actor


def outlet_at(*, actor: StaffActor, outlet_id: int, perm: str) -> Outlet:
    """An outlet the actor may do ``perm`` at; outside the scope it does not exist (404, before
    the role is asked: 403). A member acts at no outlet."""
    if isinstance(actor, MemberActor):
        raise PermissionDeniedError("staff only", code="forbidden")
    outlet = Outlet.objects.filter(pk=outlet_id).first()
    if outlet is None or not actor.scope.covers_outlet(outlet_id=outlet.pk, region_path=outlet.region_path):
        raise NotFoundError(f"outlet {outlet_id} not found", code="outlet_not_found")
    actor.require(perm)
    return outlet


def service_list(*, active_only: bool = True) -> QuerySet[Service]:
    qs = Service.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def service_get(*, service_id: int) -> Service:
    service = Service.objects.filter(pk=service_id).first()
    if service is None:
        raise NotFoundError(f"service {service_id} not found", code="service_not_found")
    return service


def offer_get(*, outlet_id: int, service_id: int) -> Offer:
    offer = (
        Offer.objects.select_related("outlet", "service")
        .filter(outlet_id=outlet_id, service_id=service_id, is_active=True, service__is_active=True)
        .first()
    )
    if offer is None:
        raise NotFoundError("this outlet does not offer this service", code="service_not_offered")
    return offer


def offers_at(*, outlet_id: int) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(outlet_id=outlet_id, is_active=True, service__is_active=True)
        .select_related("service")
        .prefetch_related("openings")
        .order_by("service__code")
    )


def closures_at(*, outlet_id: int, since: date) -> QuerySet[Closure]:
    return Closure.objects.filter(outlet_id=outlet_id, day__gte=since).select_related("service")


def closure_on(*, outlet_id: int, service_id: int, day: date) -> Closure | None:
    """The closure that closes this service at this outlet on this day, if any."""
    closures = Closure.objects.filter(outlet_id=outlet_id, day=day)
    return closures.filter(service_id=service_id).first() or closures.filter(service__isnull=True).first()


def _free(qs: QuerySet[Slot], now: datetime) -> QuerySet[Slot]:
    return qs.filter(is_open=True, starts_at__gt=now, booked__lt=F("capacity"))


def slots_free(*, outlet_id: int, service_id: int, day: date | None = None, limit: int = 60) -> list[Slot]:
    """Slots still open with places left, from now: on one local day, or the next ones."""
    now = timezone.now()
    qs = _free(Slot.objects.filter(outlet_id=outlet_id, service_id=service_id), now)
    if day is not None:
        start = datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI)
        qs = qs.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))
    return list(qs.order_by("starts_at")[:limit])


def slot_get(*, slot_id: int) -> Slot:
    slot = Slot.objects.select_related("outlet", "service").filter(pk=slot_id).first()
    if slot is None:
        raise NotFoundError(f"slot {slot_id} not found", code="slot_not_found")
    return slot


@dataclass(frozen=True)
class NearbyOffer:
    outlet: Outlet
    service: Service
    km: float
    next_slot: Slot | None


def offers_near(*, service_id: int, lat: float, lng: float, radius_km: float = NEAR_KM) -> list[NearbyOffer]:
    """The outlets offering a service within ``radius_km`` of a point, nearest first, each with
    its next free slot (three queries whatever the number of outlets)."""
    service = service_get(service_id=service_id)
    lo_lat, hi_lat, lo_lng, hi_lng = bounding_box(lat, lng, radius_km)
    offers = Offer.objects.select_related("outlet").filter(
        service=service,
        is_active=True,
        outlet__is_active=True,
        outlet__lat__range=(lo_lat, hi_lat),
        outlet__lng__range=(lo_lng, hi_lng),
    )
    near = sorted(
        ((haversine_km(lat, lng, o.outlet.lat, o.outlet.lng), o) for o in offers), key=lambda t: t[0]
    )
    near = [(km, o) for km, o in near if km <= radius_km][:NEAR_LIMIT]
    first: dict[int, Slot] = {}
    free = _free(Slot.objects.filter(service=service, offer__in=[o for _, o in near]), timezone.now())
    for slot in free.order_by("starts_at")[:2000]:
        first.setdefault(slot.offer_id, slot)
    return [NearbyOffer(o.outlet, service, round(km, 2), first.get(o.pk)) for km, o in near]


def no_show_count(*, member_id: int, now: datetime | None = None) -> int:
    since = (now or timezone.now()) - timedelta(days=NO_SHOW_WINDOW_DAYS)
    return Booking.objects.filter(
        member_id=member_id, state=BookingState.NO_SHOW, changed_at__gte=since
    ).count()


def _bookings() -> QuerySet[Booking]:
    return Booking.objects.select_related("slot", "outlet", "service", "member")


def booking_list(
    *, actor: AnyActor, outlet_id: int | None = None, day: date | None = None, state: str = ""
) -> QuerySet[Booking]:
    """A member's own bookings; staff's at the outlets in their scope."""
    qs = _bookings()
    if isinstance(actor, MemberActor):
        qs = qs.filter(member_id=actor.member_id)
    else:
        actor.require(Perm.NETWORK_VIEW)
        qs = qs.filter(scope_q(actor.scope, "outlet"))
    if outlet_id is not None:
        qs = qs.filter(outlet_id=outlet_id)
    if day is not None:
        start = datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI)
        qs = qs.filter(slot__starts_at__gte=start, slot__starts_at__lt=start + timedelta(days=1))
    if state:
        qs = qs.filter(state=state)
    return qs


def booking_get(*, actor: AnyActor, booking_id: int) -> Booking:
    booking = booking_list(actor=actor).filter(pk=booking_id).first()
    if booking is None:
        raise NotFoundError(f"booking {booking_id} not found", code="booking_not_found")
    return booking


def booking_by_code(*, actor: AnyActor, code: str) -> Booking:
    booking = booking_list(actor=actor).filter(code=code.strip().upper()[:12]).first()
    if booking is None:
        raise NotFoundError("no booking has this code", code="booking_not_found")
    return booking


@dataclass(frozen=True)
class MaterialItem:
    """One item of a booking's checklist as it stands: its latest upload (without the bytes),
    how many versions were sent, the latest review, and what that makes of it."""

    code: str
    name: str
    name_en: str
    upload: MaterialUpload | None
    versions: int
    review: MaterialReview | None
    status: MaterialStatus


def materials_of(booking: Booking) -> list[MaterialItem]:
    """The checklist of a booking already read for its actor (``booking_get``): two queries."""
    uploads: dict[str, list[MaterialUpload]] = {}
    for u in MaterialUpload.objects.filter(booking=booking).defer("content").order_by("version"):
        uploads.setdefault(u.item, []).append(u)
    reviews: dict[str, MaterialReview] = {}
    for r in MaterialReview.objects.filter(booking=booking).select_related("reviewed_by"):
        reviews[r.item] = r  # ordered by time: the last one stays
    items = []
    for m in booking.service.materials:
        sent, review = uploads.get(m["code"], []), reviews.get(m["code"])
        latest = sent[-1] if sent else None
        status = material_status(
            latest_upload_id=latest.pk if latest else None,
            review_decision=review.decision if review else None,
            review_upload_id=review.upload_id if review else None,
        )
        items.append(MaterialItem(m["code"], m["name"], m["name_en"], latest, len(sent), review, status))
    return items


def booking_materials(*, actor: AnyActor, booking_id: int) -> list[MaterialItem]:
    return materials_of(booking_get(actor=actor, booking_id=booking_id))


def material_file_get(*, actor: AnyActor, booking_id: int, upload_id: int) -> MaterialUpload:
    """An uploaded file, bytes and all, for the booking's member or staff whose scope covers its
    outlet; to anyone else it does not exist."""
    booking = booking_get(actor=actor, booking_id=booking_id)
    upload = MaterialUpload.objects.filter(booking=booking, pk=upload_id).first()
    if upload is None:
        raise NotFoundError(f"upload {upload_id} not found", code="upload_not_found")
    return upload


def ticket_get(*, actor: StaffActor, ticket_id: int) -> Ticket:
    actor.require(Perm.NETWORK_VIEW)
    ticket = (
        Ticket.objects.select_related("outlet", "service", "booking")
        .filter(scope_q(actor.scope, "outlet"), pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFoundError(f"ticket {ticket_id} not found", code="ticket_not_found")
    return ticket


@dataclass(frozen=True)
class Board:
    """What the calling screen shows: the latest calls, and who is waiting for what."""

    outlet: Outlet
    called: list[Ticket]
    waiting: list[Ticket]
    waiting_by_service: dict[str, int]


def queue_board(*, actor: StaffActor, outlet_id: int, calls: int = 6) -> Board:
    outlet = outlet_at(actor=actor, outlet_id=outlet_id, perm=Perm.NETWORK_VIEW)
    today = business_day(timezone.now())
    tickets = Ticket.objects.filter(outlet=outlet, day=today).select_related("service", "booking__member")
    called = list(tickets.filter(state=TicketState.CALLED).order_by("-called_at", "-pk")[:calls])
    waiting = list(tickets.filter(state=TicketState.WAITING).order_by("issued_at", "pk")[:50])
    counts = tickets.filter(state=TicketState.WAITING).values("service__name").annotate(n=Count("pk"))
    return Board(outlet, called, waiting, {c["service__name"]: c["n"] for c in counts})


def ticket_list(*, actor: StaffActor, outlet_id: int, day: date | None = None) -> QuerySet[Ticket]:
    outlet = outlet_at(actor=actor, outlet_id=outlet_id, perm=Perm.NETWORK_VIEW)
    return Ticket.objects.filter(outlet=outlet, day=day or business_day(timezone.now())).select_related(
        "service", "booking"
    )


def capacity_problems() -> list[str]:
    """Every slot whose ``booked`` is not the number of its live bookings (should be none)."""
    live = Count("bookings", filter=Q(bookings__state__in=LIVE_STATES))
    bad = Slot.objects.annotate(live=live).exclude(booked=F("live")).values_list("pk", "booked", "live")
    return [f"slot {pk}: booked {booked}, live bookings {n}" for pk, booked, n in bad]
