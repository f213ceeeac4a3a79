"""Setting up appointments: the network's services, what each outlet offers on which weekly
timetable, the days it is closed, and the slots cut from all that for the days ahead.

Slots are materialised: ``slots_materialise`` writes the next BOOK_AHEAD_DAYS of an offer
(inserting what is missing, never touching a slot's ``booked``), after every change of the
timetable or the closures and once a day for the day that came into reach. A slot the
timetable no longer has, or on a closed day, is closed (no new bookings); its bookings stand,
for the outlet to call or move.
"""

from datetime import date, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from omnipoint.appointments import domain, selectors
from omnipoint.appointments.domain import Handover, Opening
from omnipoint.appointments.models import Closure, Offer, Service, Slot
from omnipoint.appointments.models import Opening as OpeningRow
from omnipoint.core.errors import ConflictError, ValidationError
from omnipoint.outlets.domain import Perm, StaffActor

MAX_MATERIALS = 20


def _text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if (required and not text) or len(text) > max_length:
        raise ValidationError(f"{field}: 1 to {max_length} characters", code="invalid_text", field=field)
    return text


def _materials(items: list[dict[str, str]]) -> list[dict[str, str]]:
    if len(items) > MAX_MATERIALS:
        raise ValidationError(f"at most {MAX_MATERIALS} materials", code="too_many_materials")
    out, seen = [], set()
    for item in items:
        code = _text(item.get("code", ""), field="materials.code", max_length=32)
        if code in seen:
            raise ValidationError("each material once", code="duplicate_material", item=code)
        seen.add(code)
        out.append(
            {
                "code": code,
                "name": _text(item.get("name", ""), field="materials.name", max_length=60),
                "name_en": _text(item.get("name_en", ""), field="materials.name_en", max_length=80),
            }
        )
    return out


def service_create(
    *,
    actor: StaffActor,
    code: str,
    name: str,
    name_en: str,
    duration_min: int,
    materials: list[dict[str, str]],
    handover: str = Handover.COUNTER,
    queue_prefix: str = "A",
) -> Service:
    """A service of the network (HQ's catalogue). Creating an existing code again is refused."""
    actor.require(Perm.CATALOG_EDIT)
    if handover not in Handover.values:
        raise ValidationError("handover is counter or post", code="invalid_handover")
    fields = {
        "name": _text(name, field="name", max_length=60),
        "name_en": _text(name_en, field="name_en", max_length=80),
        "duration_min": domain.check_duration(duration_min),
        "materials": _materials(materials),
        "handover": handover,
        "queue_prefix": domain.check_prefix(queue_prefix),
    }
    code = _text(code, field="code", max_length=32)
    if Service.objects.filter(code=code).exists():
        raise ConflictError(f"service {code} exists", code="service_exists")
    return Service.objects.create(code=code, **fields)


@transaction.atomic
def offer_set(*, actor: StaffActor, outlet_id: int, service_id: int, openings: list[Opening]) -> Offer:
    """An outlet offers a service on a weekly timetable (replacing the one it had); an empty
    timetable stops offering it. The slots of the days ahead follow in the same transaction."""
    outlet = selectors.outlet_at(actor=actor, outlet_id=outlet_id, perm=Perm.SERVICE_SETUP)
    service = selectors.service_get(service_id=service_id)
    rows = domain.check_openings(openings)
    offer, _ = Offer.objects.get_or_create(outlet=outlet, service=service)
    offer.openings.all().delete()
    OpeningRow.objects.bulk_create(
        [
            OpeningRow(offer=offer, weekday=o.weekday, start=o.start, end=o.end, capacity=o.capacity)
            for o in rows
        ]
    )
    Offer.objects.filter(pk=offer.pk).update(is_active=bool(rows))
    offer.refresh_from_db()
    slots_materialise(actor=actor, offer_id=offer.pk)
    return offer


@transaction.atomic
def closure_add(
    *, actor: StaffActor, outlet_id: int, day: date, reason: str, service_id: int | None = None
) -> Closure:
    """A day the outlet takes no appointments (for one service, or all): its slots close."""
    outlet = selectors.outlet_at(actor=actor, outlet_id=outlet_id, perm=Perm.SERVICE_SETUP)
    service = selectors.service_get(service_id=service_id) if service_id is not None else None
    if day < domain.business_day(timezone.now()):
        raise ValidationError("a closure is today or later", code="day_past")
    closure, _ = Closure.objects.get_or_create(
        outlet=outlet,
        service=service,
        day=day,
        defaults={"reason": _text(reason, field="reason", max_length=60)},
    )
    offers = Offer.objects.filter(outlet=outlet)
    for offer_id in (offers.filter(service=service) if service else offers).values_list("pk", flat=True):
        slots_materialise(actor=actor, offer_id=offer_id)
    return closure


def _closed_days(offer: Offer, days: list[date]) -> set[date]:
    closures = Closure.objects.filter(outlet_id=offer.outlet_id, day__in=days)
    return set(closures.filter(service__isnull=True).values_list("day", flat=True)) | set(
        closures.filter(service_id=offer.service_id).values_list("day", flat=True)
    )


def _wanted(offer: Offer, days: list[date]) -> dict[datetime, domain.SlotSpec]:
    if not offer.is_active:
        return {}
    openings = [Opening(o.weekday, o.start, o.end, o.capacity) for o in offer.openings.all()]
    closed = _closed_days(offer, days)
    duration = offer.service.duration_min
    return {
        s.starts_at: s
        for day in days
        if day not in closed
        for s in domain.day_slots(day, openings, duration_min=duration)
    }


@transaction.atomic
def slots_materialise(*, actor: StaffActor, offer_id: int, today: date | None = None) -> int:
    """Bring the slots of the days ahead in line with the timetable and closures: insert the
    missing, open or close the rest, set capacities (never below what is booked). Returns how
    many slots were inserted."""
    actor.require(Perm.SERVICE_SETUP)
    offer = Offer.objects.select_related("service").get(pk=offer_id)
    days = domain.days_ahead(today or domain.business_day(timezone.now()))
    wanted = _wanted(offer, days)
    start = datetime.combine(days[0], datetime.min.time(), tzinfo=domain.SHANGHAI)
    existing = dict(Slot.objects.filter(offer=offer, starts_at__gte=start).values_list("starts_at", "pk"))
    new = [
        Slot(offer=offer, outlet_id=offer.outlet_id, service_id=offer.service_id, starts_at=s.starts_at,
             ends_at=s.ends_at, capacity=s.capacity)
        for at, s in wanted.items() if at not in existing
    ]  # fmt: skip
    Slot.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    gone = [pk for at, pk in existing.items() if at not in wanted]
    Slot.objects.filter(pk__in=gone).update(is_open=False)
    by_capacity: dict[int, list[datetime]] = {}
    for at, s in wanted.items():
        if at in existing:
            by_capacity.setdefault(s.capacity, []).append(at)
    for capacity, starts in by_capacity.items():
        kept = Slot.objects.filter(offer=offer, starts_at__in=starts)
        kept.filter(booked__lte=capacity).update(capacity=capacity, is_open=True)
        kept.filter(booked__gt=capacity).update(capacity=F("booked"), is_open=True)
    return len(new)


def slots_roll(*, actor: StaffActor) -> int:
    """The daily run: every offer's slots for the day that came into reach."""
    actor.require(Perm.SERVICE_SETUP)
    total = 0
    for offer_id in Offer.objects.filter(is_active=True).values_list("pk", flat=True).order_by("pk"):
        total += slots_materialise(actor=actor, offer_id=offer_id)
    return total
