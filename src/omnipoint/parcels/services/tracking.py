"""Tracking events (an outlet's scan, a carrier's signed webhook), holding a parcel at an outlet
for collection (驿站) with a pickup code and a text to the recipient, and handing it over by
that code.

The guards: an event is kept once by its id (a unique insert, so a repeated or racing webhook
applies once); the state moves only forwards (``UPDATE ... WHERE state_rank < rank``), so late
events join the timeline and leave the state alone, and a voided or expired parcel (ranked
above every event) stays so; a held parcel is collected once (``WHERE state = 'arrived' AND
pickup_code = code``).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from omnipoint.core import throttle
from omnipoint.core.errors import ConflictError, InvalidStateError, NotFoundError, ValidationError
from omnipoint.members.sms import sms_send
from omnipoint.outlets.domain import Perm, StaffActor, SystemActor
from omnipoint.outlets.models import Outlet
from omnipoint.parcels import domain
from omnipoint.parcels.carriers import carrier_get
from omnipoint.parcels.domain import RANK, ParcelState
from omnipoint.parcels.models import EventSource, Parcel, ParcelEvent
from omnipoint.parcels.services._shared import _outlet, _parcel_by_number, _refused_if_closed

# --- tracking events -------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    event: ParcelEvent
    fresh: bool  # False: an event of this id was taken before
    moved: bool  # whether it moved the parcel's state


def _new_code() -> str:
    return f"{secrets.randbelow(10**domain.PICKUP_CODE_DIGITS):0{domain.PICKUP_CODE_DIGITS}d}"


def _move(parcel: Parcel, kind: ParcelState, outlet: Outlet | None) -> bool:
    """Forwards only. Arriving at an outlet holds the parcel there with a fresh pickup code."""
    moving = Parcel.objects.filter(pk=parcel.pk, state_rank__lt=RANK[kind], paid_at__isnull=False)
    if kind != ParcelState.ARRIVED or outlet is None:
        return moving.update(state=kind, state_rank=RANK[kind]) == 1
    for _attempt in range(10):
        try:
            with transaction.atomic():
                return (
                    moving.update(
                        state=kind,
                        state_rank=RANK[kind],
                        hold_outlet=outlet,
                        hold_path=outlet.region_path,
                        pickup_code=_new_code(),
                        notified_at=timezone.now(),
                    )  # fmt: skip
                    == 1
                )
        except IntegrityError:  # that code is in use at this outlet: draw another
            continue
    raise ConflictError("no free pickup code at this outlet", code="pickup_codes_exhausted")


def _apply(
    parcel: Parcel,
    *,
    event_id: str,
    kind: ParcelState,
    occurred_at: datetime,
    source: str,
    outlet: Outlet | None = None,
    place: str = "",
    staff_id: int | None = None,
) -> Applied:
    """One event into the timeline (once by its id) and, when it is ahead of the parcel, its state."""
    if parcel.paid_at is None:
        raise InvalidStateError("the parcel is not paid yet", code="parcel_unpaid")
    try:
        with transaction.atomic():
            event = ParcelEvent.objects.create(
                parcel=parcel, event_id=event_id, kind=kind, source=source, occurred_at=occurred_at,
                outlet=outlet, place=place, staff_id=staff_id,
            )  # fmt: skip
    except IntegrityError:
        first = ParcelEvent.objects.get(event_id=event_id)
        if first.parcel_id != parcel.pk:
            raise ConflictError("this event id names another parcel", code="event_id_reused") from None
        return Applied(first, fresh=False, moved=False)
    moved = _move(parcel, kind, outlet)
    if moved:
        ParcelEvent.objects.filter(pk=event.pk).update(moved=True)
        if kind == ParcelState.ARRIVED:
            transaction.on_commit(lambda: _notify(parcel.pk))
    return Applied(event, fresh=True, moved=moved)


def _notify(parcel_id: int) -> None:
    """The recipient's text: where the parcel waits, and the code that collects it."""
    parcel = Parcel.objects.select_related("hold_outlet").get(pk=parcel_id)
    if parcel.hold_outlet is None or parcel.state != ParcelState.ARRIVED:
        return
    with translation.override("zh-hans"):
        text = gettext("Your parcel %(number)s is waiting at %(outlet)s (%(address)s). Collect it with code %(code)s.") % {
            "number": parcel.number, "outlet": parcel.hold_outlet.name,
            "address": parcel.hold_outlet.address, "code": parcel.pickup_code,
        }  # fmt: skip
    sms_send(mobile=parcel.recipient_mobile, text=text)


@transaction.atomic
def parcel_scan(
    *,
    actor: StaffActor,
    outlet_id: int,
    number: str,
    kind: str,
    occurred_at: datetime | None = None,
    scan_id: str = "",
) -> Applied:
    """An outlet scans a parcel: dispatched, arrived at the outlet (held there for collection),
    out for delivery, delivered. Any parcel may pass through an outlet in the actor's scope.
    ``scan_id`` (the handheld's own) makes a repeated scan the first."""
    actor.require(Perm.PARCEL)
    state = domain.scan_kind(kind)
    outlet = _outlet(actor, outlet_id)
    parcel = _parcel_by_number(number)
    _refused_if_closed(parcel)
    now = timezone.now()
    when = occurred_at or now
    if when > now:
        raise ValidationError("a scan cannot happen in the future", code="invalid_time")
    if len(scan_id) > 60:
        raise ValidationError("a scan id is at most 60 characters", code="invalid_key")
    event_id = f"scan:{outlet.pk}:{scan_id}" if scan_id else f"scan:{secrets.token_hex(12)}"
    return _apply(
        parcel, event_id=event_id, kind=state, occurred_at=when, source=EventSource.SCAN, outlet=outlet,
        staff_id=actor.staff_id,
    )  # fmt: skip


@transaction.atomic
def webhook_receive(
    *, actor: SystemActor, carrier: str, body: bytes, headers: dict[str, str]
) -> dict[str, int]:
    """A carrier's signed webhook of tracking events. Forged, stale or unreadable webhooks, or
    one naming a malformed number or a parcel we do not know, are refused whole and change
    nothing; an event seen before is counted as a duplicate."""
    c = carrier_get(carrier)
    events = c.verify(body, headers)
    counts = {"applied": 0, "moved": 0, "duplicate": 0}
    for e in events:
        parcel = _parcel_by_number(e.number)
        outlet = Outlet.objects.filter(code=e.outlet_code).first() if e.outlet_code else None
        if e.outlet_code and outlet is None:
            raise NotFoundError(f"outlet {e.outlet_code} not found", code="outlet_not_found")
        if not e.event_id:
            raise ValidationError("an event needs its id", code="malformed_webhook")
        done = _apply(
            parcel, event_id=f"{c.code}:{e.event_id}", kind=domain.scan_kind(e.kind), occurred_at=e.occurred_at,
            source=EventSource.CARRIER, outlet=outlet, place=e.place,
        )  # fmt: skip
        counts["applied" if done.fresh else "duplicate"] += 1
        counts["moved"] += int(done.moved)
    return counts


# --- collection (驿站) -----------------------------------------------------------------------


class WrongPickupCodeError(ValidationError):
    code = "wrong_pickup_code"


def parcel_collect(*, actor: StaffActor, outlet_id: int, number: str, code: str) -> Parcel:
    """The recipient collects a parcel held at the outlet by its pickup code (on the handheld).
    A wrong code is refused and counted: past ``parcel_pickup_code``'s limit the parcel is locked
    for the hour (429). Two hand-overs at once give it once."""
    actor.require(Perm.PARCEL)
    outlet = _outlet(actor, outlet_id)
    parcel = _parcel_by_number(number)
    if parcel.hold_outlet_id != outlet.pk or parcel.state not in (ParcelState.ARRIVED, ParcelState.COLLECTED):
        raise InvalidStateError("this parcel is not held at this outlet", code="parcel_not_held")
    if parcel.state == ParcelState.COLLECTED:
        raise ConflictError("this parcel was collected already", code="parcel_collected")
    if not throttle.hit("parcel_pickup_code", parcel.number):
        raise throttle.ThrottledError(
            "too many wrong codes for this parcel: try again later", code="pickup_locked"
        )
    if not domain.pickup_code_ok(code) or not secrets.compare_digest(code, parcel.pickup_code):
        raise WrongPickupCodeError("that is not this parcel's pickup code")
    throttle.forgive("parcel_pickup_code", parcel.number)
    _hand_over(actor, parcel, outlet)
    parcel.refresh_from_db()
    return parcel


@transaction.atomic
def _hand_over(actor: StaffActor, parcel: Parcel, outlet: Outlet) -> None:
    now = timezone.now()
    done = Parcel.objects.filter(
        pk=parcel.pk, state=ParcelState.ARRIVED, hold_outlet=outlet, pickup_code=parcel.pickup_code
    ).update(state=ParcelState.COLLECTED, state_rank=RANK[ParcelState.COLLECTED], collected_at=now)
    if done != 1:
        raise ConflictError("this parcel was collected already", code="parcel_collected")
    ParcelEvent.objects.create(
        parcel=parcel, event_id=f"collect:{parcel.number}", kind=ParcelState.COLLECTED, source=EventSource.SCAN,
        occurred_at=now, outlet=outlet, staff_id=actor.staff_id, moved=True,
    )  # fmt: skip
