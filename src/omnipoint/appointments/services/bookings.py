"""Bookings: made online by a member, by the hotline or at the counter for one; cancelled and
moved within the rules; marked no-show by the sweep; reminded by the task queue.

A place is taken by one guarded UPDATE of the slot (``booked < capacity``, open, not started)
and given back by another (``booked > 0``), each checked to have changed one row, inside the
transaction that writes the booking, so a slot is never overbooked and a refusal changes
nothing. A move takes the new place and gives the old back in slot-id order (two moves in
opposite directions cannot deadlock). A member's ``client_key`` makes booking idempotent.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, override

from omnipoint.appointments import domain, selectors
from omnipoint.appointments.domain import BookingState
from omnipoint.appointments.models import Booking, Slot
from omnipoint.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from omnipoint.core.explain import Explanation
from omnipoint.members.models import Member
from omnipoint.members.sms import sms_send
from omnipoint.outlets.domain import AnyActor, MemberActor, Perm, StaffActor

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_KEY = 64
SWEEP_BATCH = 500


@dataclass(frozen=True)
class BookingResult:
    booking: Booking
    created: bool  # False: the same client key was booked before, and this is that booking


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _who(actor: AnyActor, member_id: int | None) -> int:
    """The member the booking is for: a member books only for themselves; staff name one."""
    if isinstance(actor, MemberActor):
        if member_id is not None and member_id != actor.member_id:
            raise PermissionDeniedError("a member books for themselves only", code="not_yourself")
        return actor.member_id
    actor.require(Perm.APPOINTMENT_DESK)
    if member_id is None:
        raise ValidationError("name the member the booking is for", code="member_required")
    if not Member.objects.filter(pk=member_id).exists():
        raise NotFoundError("member not found", code="member_not_found")
    return member_id


def _slot_for(actor: AnyActor, slot_id: int) -> Slot:
    """A slot the actor may book: anyone's for a member, one in scope for staff."""
    slot = selectors.slot_get(slot_id=slot_id)
    if not isinstance(actor, MemberActor) and not actor.scope.covers_outlet(
        outlet_id=slot.outlet_id, region_path=slot.outlet.region_path
    ):
        raise NotFoundError(f"slot {slot_id} not found", code="slot_not_found")
    return slot


def _closed(slot: Slot) -> ConflictError:
    """A closed slot's refusal, with the closure's reason when a closure closed it."""
    day = domain.business_day(slot.starts_at)
    closure = selectors.closure_on(outlet_id=slot.outlet_id, service_id=slot.service_id, day=day)
    details = {}
    if closure is not None:
        why = Explanation(domain.AppointmentWhy.CLOSED, {"day": day.isoformat(), "reason": closure.reason})
        details["reason"] = why.as_json()
    return ConflictError("this slot is closed", code="slot_closed", **details)


def _take(slot: Slot, now: datetime) -> None:
    taken = Slot.objects.filter(pk=slot.pk, is_open=True, starts_at__gt=now, booked__lt=F("capacity")).update(
        booked=F("booked") + 1
    )
    if taken != 1:
        current = Slot.objects.get(pk=slot.pk)
        if not current.is_open:
            raise _closed(current)
        domain.check_bookable(starts_at=current.starts_at, now=now)
        raise ConflictError("this slot is full", code="slot_full", capacity=current.capacity)


def _give_back(slot_id: int) -> None:
    if Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1) != 1:
        raise ConflictError(f"slot {slot_id} has no place booked", code="capacity_mismatch")


def _replay(member_id: int, client_key: str, slot_id: int) -> BookingResult | None:
    if not client_key:
        return None
    earlier = Booking.objects.filter(member_id=member_id, client_key=client_key).first()
    if earlier is None:
        return None
    if earlier.slot_id != slot_id:
        raise ValidationError("this client key booked another slot", code="client_key_reused")
    return BookingResult(earlier, created=False)


def _checks(actor: AnyActor, slot: Slot, member_id: int, channel: str, now: datetime) -> None:
    by_member = isinstance(actor, MemberActor)
    domain.check_channel(channel, by_member=by_member)
    if not slot.is_open:
        raise _closed(slot)
    domain.check_bookable(starts_at=slot.starts_at, now=now)
    if by_member:
        domain.check_no_shows(selectors.no_show_count(member_id=member_id, now=now))


def booking_create(
    *, actor: AnyActor, slot_id: int, channel: str, member_id: int | None = None, client_key: str = ""
) -> BookingResult:
    """Book a place in a slot for a member (themselves, or named by staff)."""
    slot = _slot_for(actor, slot_id)
    member = _who(actor, member_id)
    if len(client_key) > MAX_KEY:
        raise ValidationError(f"client_key is at most {MAX_KEY} characters", code="invalid_client_key")
    replay = _replay(member, client_key, slot.pk)
    if replay is not None:
        return replay
    now = timezone.now()
    _checks(actor, slot, member, channel, now)
    try:
        with transaction.atomic():
            _take(slot, now)
            booking = Booking.objects.create(
                code=_new_code(), slot=slot, outlet_id=slot.outlet_id, service_id=slot.service_id,
                member_id=member, channel=channel, client_key=client_key, booked_by_id=actor.user_id,
            )  # fmt: skip
    except IntegrityError:  # the same key, or a live booking of this member in this slot
        replay = _replay(member, client_key, slot.pk)
        if replay is not None:
            return replay
        raise ConflictError("you already hold a place in this slot", code="already_booked") from None
    return BookingResult(booking, created=True)


def _changeable(actor: AnyActor, booking_id: int) -> Booking:
    booking = selectors.booking_get(actor=actor, booking_id=booking_id)
    if not isinstance(actor, MemberActor):
        actor.require(Perm.APPOINTMENT_DESK)
    if booking.state != BookingState.BOOKED:
        raise ConflictError(
            f"this booking is {booking.state}", code="booking_wrong_state", state=booking.state
        )
    domain.check_changeable(
        starts_at=booking.slot.starts_at, now=timezone.now(), by_member=isinstance(actor, MemberActor)
    )
    return booking


def _state_moved(booking: Booking) -> ConflictError:
    state = Booking.objects.values_list("state", flat=True).get(pk=booking.pk)
    return ConflictError(f"this booking is {state}", code="booking_wrong_state", state=state)


@transaction.atomic
def booking_cancel(*, actor: AnyActor, booking_id: int) -> Booking:
    """Cancel a booking (a member their own, CHANGE_MIN_HOURS ahead; staff until it starts):
    its place goes back to the slot."""
    booking = _changeable(actor, booking_id)
    moved = Booking.objects.filter(pk=booking.pk, state=BookingState.BOOKED).update(
        state=BookingState.CANCELLED, changed_at=timezone.now()
    )
    if moved != 1:
        raise _state_moved(booking)
    _give_back(booking.slot_id)
    booking.refresh_from_db()
    return booking


def booking_reschedule(*, actor: AnyActor, booking_id: int, slot_id: int) -> Booking:
    """Move a booking to another slot of the same service: the new place is taken and the old
    one given back in one transaction, or nothing changes."""
    booking = _changeable(actor, booking_id)
    target = _slot_for(actor, slot_id)
    if target.service_id != booking.service_id:
        raise ValidationError("a booking moves to a slot of the same service", code="different_service")
    if target.pk == booking.slot_id:
        return booking
    now = timezone.now()
    if not target.is_open:
        raise _closed(target)
    domain.check_bookable(starts_at=target.starts_at, now=now)
    try:
        with transaction.atomic():
            moved = Booking.objects.filter(pk=booking.pk, state=BookingState.BOOKED, slot_id=booking.slot_id)
            if (
                moved.update(slot_id=target.pk, outlet_id=target.outlet_id, changed_at=now, reminded_at=None)
                != 1
            ):
                raise _state_moved(booking)
            if target.pk < booking.slot_id:
                _take(target, now)
                _give_back(booking.slot_id)
            else:
                _give_back(booking.slot_id)
                _take(target, now)
    except IntegrityError:
        raise ConflictError("you already hold a place in this slot", code="already_booked") from None
    booking.refresh_from_db()
    return booking


def booking_materials_check(
    *, actor: StaffActor, booking_id: int, checked: list[str], note: str = ""
) -> Booking:
    """The clerk ticks the materials the customer brought (or sent ahead) against the
    service's checklist, with a note."""
    booking = selectors.booking_get(actor=actor, booking_id=booking_id)
    actor.require(Perm.APPOINTMENT_DESK)
    if booking.state not in (BookingState.BOOKED, BookingState.CHECKED_IN):
        raise ConflictError(
            f"this booking is {booking.state}", code="booking_wrong_state", state=booking.state
        )
    codes = [m["code"] for m in booking.service.materials]
    if len(note) > 200:
        raise ValidationError("the note is at most 200 characters", code="invalid_note")
    ticked = domain.check_materials(checked, codes)
    Booking.objects.filter(pk=booking.pk).update(materials_checked=ticked, materials_note=note.strip())
    booking.refresh_from_db()
    return booking


def bookings_no_show(*, actor: StaffActor, batch: int = SWEEP_BATCH) -> int:
    """The sweep: bookings not checked in NO_SHOW_GRACE_MIN after their start become no-shows
    (counted against the member) and give their place back. One transaction per booking."""
    actor.require(Perm.APPOINTMENT_DESK)
    now = timezone.now()
    due = Booking.objects.filter(
        state=BookingState.BOOKED, slot__starts_at__lt=now - timedelta(minutes=domain.NO_SHOW_GRACE_MIN)
    ).values_list("pk", "slot_id")[:batch]
    done = 0
    for pk, slot_id in due:
        with transaction.atomic():
            if Booking.objects.filter(pk=pk, state=BookingState.BOOKED).update(
                state=BookingState.NO_SHOW, changed_at=now
            ):
                _give_back(slot_id)
                done += 1
    return done


def _reminder_text(booking: Booking) -> str:
    with override("zh-hans"):
        return gettext("Reminder: %(service)s at %(outlet)s, %(at)s. Booking code %(code)s.") % {
            "service": booking.service.name,
            "outlet": booking.outlet.name,
            "at": timezone.localtime(booking.slot.starts_at).strftime("%m-%d %H:%M"),
            "code": booking.code,
        }


def bookings_remind(*, actor: StaffActor, batch: int = SWEEP_BATCH) -> int:
    """Text each member whose booking starts within REMIND_AHEAD_HOURS, once (the mark is set
    by compare-and-set, so two workers never both send it)."""
    actor.require(Perm.APPOINTMENT_DESK)
    now = timezone.now()
    due = selectors.booking_list(actor=actor, state=BookingState.BOOKED).filter(
        reminded_at__isnull=True,
        slot__starts_at__gt=now,
        slot__starts_at__lte=now + timedelta(hours=domain.REMIND_AHEAD_HOURS),
    )[:batch]
    sent = 0
    for booking in due:
        with transaction.atomic():
            if Booking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(reminded_at=now):
                text, mobile = _reminder_text(booking), booking.member.mobile
                transaction.on_commit(partial(sms_send, mobile=mobile, text=text))
                sent += 1
    return sent
