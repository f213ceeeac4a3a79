"""Appointments' pure rules, no ORM: slots cut from a weekly timetable in Asia/Shanghai, when a
booking may be made, changed or checked in, when it is a no-show, and the queue's labels.

Refusals are ``DomainError``s with a stable code; when there is something to explain (how late
is too late, how many no-shows) the error carries an ``Explanation`` in ``details["reason"]``,
worded only when shown (``appointments/explain.py``).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from omnipoint.core.channels import Channel
from omnipoint.core.errors import ConflictError, PermissionDeniedError, ValidationError
from omnipoint.core.explain import Explanation

SHANGHAI = ZoneInfo("Asia/Shanghai")

BOOK_AHEAD_DAYS = 14  # slots are open for booking this many days ahead (and materialised so far)
CHANGE_MIN_HOURS = 2  # a member cancels or reschedules no later than this before the start
CHECK_IN_EARLY_MIN = 60  # check-in opens this long before the slot
NO_SHOW_GRACE_MIN = 15  # a booking not checked in this long after its start is a no-show
NO_SHOW_LIMIT = 3  # this many no-shows ...
NO_SHOW_WINDOW_DAYS = 90  # ... within this many days, and a member books online no more
REMIND_AHEAD_HOURS = 24  # the reminder goes out this long before the start
MAX_CAPACITY = 100  # places in one slot
MIN_DURATION, MAX_DURATION = 5, 480  # minutes
MAX_OPENINGS = 28  # timetable rows of one outlet x service
QUEUE_PREFIXES = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as 1 and 0 on a screen

MEMBER_CHANNELS = (Channel.WEB, Channel.APP, Channel.WECHAT)
STAFF_CHANNELS = (Channel.HOTLINE, Channel.POS)


class Handover(models.TextChoices):
    COUNTER = "counter", _("Collected at the counter")
    POST = "post", _("Sent by post")


class BookingState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


# The states that hold a place in their slot: a slot's ``booked`` is the count of these.
LIVE_STATES = (BookingState.BOOKED, BookingState.CHECKED_IN, BookingState.DONE)


class TicketState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    DONE = "done", _("Served")
    SKIPPED = "skipped", _("Did not answer")


class AppointmentWhy(models.TextChoices):
    """The kinds of explanation appointments give (worded in ``appointments/explain.py``)."""

    TOO_LATE_TO_CHANGE = "appointments.too_late_to_change"
    TOO_MANY_NO_SHOWS = "appointments.too_many_no_shows"
    CHECK_IN_TOO_EARLY = "appointments.check_in_too_early"
    CLOSED = "appointments.closed"


@dataclass(frozen=True)
class Opening:
    """One row of a weekly timetable: on ``weekday`` (0 is Monday) from ``start`` to ``end``,
    local time, ``capacity`` places in every slot."""

    weekday: int
    start: time
    end: time
    capacity: int


@dataclass(frozen=True)
class SlotSpec:
    starts_at: datetime  # aware
    ends_at: datetime
    capacity: int


def business_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def check_duration(minutes: int) -> int:
    if (
        not isinstance(minutes, int)
        or isinstance(minutes, bool)
        or not MIN_DURATION <= minutes <= MAX_DURATION
    ):
        raise ValidationError(
            f"a service lasts {MIN_DURATION} to {MAX_DURATION} minutes", code="invalid_duration"
        )
    return minutes


def check_openings(openings: list[Opening]) -> list[Opening]:
    """Each row a real weekday and time span with 1..MAX_CAPACITY places, no two overlapping."""
    if len(openings) > MAX_OPENINGS:
        raise ValidationError(f"at most {MAX_OPENINGS} timetable rows", code="too_many_openings")
    for o in openings:
        if not 0 <= o.weekday <= 6:
            raise ValidationError("weekday is 0 (Monday) to 6 (Sunday)", code="invalid_weekday")
        if o.start >= o.end:
            raise ValidationError("an opening ends after it starts", code="invalid_opening")
        if not 1 <= o.capacity <= MAX_CAPACITY:
            raise ValidationError(f"capacity is 1 to {MAX_CAPACITY}", code="invalid_capacity")
    ordered = sorted(openings, key=lambda o: (o.weekday, o.start))
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.weekday == after.weekday and after.start < before.end:
            raise ValidationError("two openings overlap", code="openings_overlap", weekday=after.weekday)
    return ordered


def day_slots(day: date, openings: list[Opening], *, duration_min: int) -> list[SlotSpec]:
    """The slots of one local day: each opening of that weekday cut into back-to-back slots of
    the service's duration (a remainder too short for one is not offered)."""
    step = timedelta(minutes=duration_min)
    slots = []
    for o in sorted(openings, key=lambda o: o.start):
        if o.weekday != day.weekday():
            continue
        start = datetime.combine(day, o.start, tzinfo=SHANGHAI)
        end = datetime.combine(day, o.end, tzinfo=SHANGHAI)
        while start + step <= end:
            slots.append(SlotSpec(start, start + step, o.capacity))
            start += step
    return slots


def days_ahead(today: date, days: int = BOOK_AHEAD_DAYS) -> list[date]:
    return [today + timedelta(days=i) for i in range(days)]


def check_bookable(*, starts_at: datetime, now: datetime) -> None:
    """A slot may be booked from now until it starts, up to BOOK_AHEAD_DAYS ahead."""
    if starts_at <= now:
        raise ConflictError("this slot has already started", code="slot_past")
    if business_day(starts_at) >= business_day(now) + timedelta(days=BOOK_AHEAD_DAYS):
        raise ValidationError(f"book at most {BOOK_AHEAD_DAYS} days ahead", code="too_far_ahead")


def check_changeable(*, starts_at: datetime, now: datetime, by_member: bool) -> None:
    """A member cancels or moves a booking up to CHANGE_MIN_HOURS before it starts; staff (the
    hotline, the counter) until it starts."""
    limit = timedelta(hours=CHANGE_MIN_HOURS) if by_member else timedelta(0)
    if starts_at - now < limit:
        why = Explanation(AppointmentWhy.TOO_LATE_TO_CHANGE, {"hours": CHANGE_MIN_HOURS})
        raise ConflictError(
            f"a booking is changed no later than {CHANGE_MIN_HOURS} hours before it starts",
            code="too_late_to_change",
            reason=why.as_json(),
        )


def check_no_shows(count: int) -> None:
    if count >= NO_SHOW_LIMIT:
        why = Explanation(
            AppointmentWhy.TOO_MANY_NO_SHOWS,
            {"count": count, "days": NO_SHOW_WINDOW_DAYS},
        )
        raise PermissionDeniedError(
            f"{count} missed appointments in {NO_SHOW_WINDOW_DAYS} days: book at the counter or by phone",
            code="too_many_no_shows",
            reason=why.as_json(),
        )


def check_channel(channel: str, *, by_member: bool) -> str:
    allowed = MEMBER_CHANNELS if by_member else STAFF_CHANNELS
    if channel not in allowed:
        raise ValidationError(
            f"book through {', '.join(allowed)}", code="invalid_channel", allowed=list(allowed)
        )
    return channel


def check_in_window(*, starts_at: datetime, now: datetime) -> None:
    """Check-in opens CHECK_IN_EARLY_MIN before the slot and closes with the no-show grace."""
    if now < starts_at - timedelta(minutes=CHECK_IN_EARLY_MIN):
        why = Explanation(
            AppointmentWhy.CHECK_IN_TOO_EARLY,
            {"opens_at": (starts_at - timedelta(minutes=CHECK_IN_EARLY_MIN)).isoformat()},
        )
        raise ConflictError("check-in has not opened yet", code="check_in_too_early", reason=why.as_json())
    if now > no_show_after(starts_at):
        raise ConflictError("the grace period is over: the booking is a no-show", code="check_in_too_late")


def no_show_after(starts_at: datetime) -> datetime:
    return starts_at + timedelta(minutes=NO_SHOW_GRACE_MIN)


def queue_label(prefix: str, number: int) -> str:
    return f"{prefix}{number:03d}"


def check_prefix(prefix: str) -> str:
    if len(prefix) != 1 or prefix not in QUEUE_PREFIXES:
        raise ValidationError("the queue prefix is one capital letter", code="invalid_prefix")
    return prefix


def check_materials(items: list[str], checklist: list[str]) -> list[str]:
    """The clerk ticks items of the service's checklist: only those, each once."""
    unknown = sorted(set(items) - set(checklist))
    if unknown:
        raise ValidationError("not on the service's checklist", code="unknown_material", items=unknown)
    return [m for m in checklist if m in set(items)]


# --- materials sent ahead ---------------------------------------------------------------------

MATERIAL_MAX_BYTES = 5 * 1024 * 1024  # one file of a checklist item
MATERIAL_MAX_VERSIONS = 10  # uploads of one item of one booking (each re-upload is a version)
MATERIAL_REASON_MAX = 200
# The states in which materials are still sent and checked: before the visit, and at the outlet
# until the service is done.
MATERIAL_STATES = (BookingState.BOOKED, BookingState.CHECKED_IN)
JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"


class MaterialDecision(models.TextChoices):
    ACCEPTED = "accepted", pgettext_lazy("appointments", "Accepted")
    REJECTED = "rejected", pgettext_lazy("appointments", "Rejected")


class MaterialStatus(models.TextChoices):
    """Where one checklist item of a booking stands, as the member and the clerk see it."""

    MISSING = "missing", pgettext_lazy("appointments", "Not sent yet")
    PENDING = "pending", pgettext_lazy("appointments", "Sent, to be checked at the outlet")
    ACCEPTED = "accepted", pgettext_lazy("appointments", "Accepted")
    REJECTED = "rejected", pgettext_lazy("appointments", "Rejected")


class FileTooLargeError(ValidationError):
    code = "file_too_large"
    status = 413


def sniff_material(content: bytes) -> str:
    """The file's type by what it holds, never by its name: a JPEG or PNG image, or a PDF, each
    whole enough to open (a PNG's header chunk, a PDF's end marker); anything else is refused."""
    if not content:
        raise ValidationError("the file is empty", code="empty_file")
    if len(content) > MATERIAL_MAX_BYTES:
        raise FileTooLargeError(
            f"a file is at most {MATERIAL_MAX_BYTES // (1024 * 1024)} MB", max_bytes=MATERIAL_MAX_BYTES
        )
    if content.startswith(b"\xff\xd8\xff") and len(content) > 4:
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n") and content[12:16] == b"IHDR":
        return PNG
    if content.startswith(b"%PDF-") and b"%%EOF" in content[-1024:]:
        return PDF
    raise ValidationError(
        "send a photo (JPEG or PNG) or a PDF", code="unsupported_file_type", allowed=[JPEG, PNG, PDF]
    )


def check_item(item: str, checklist: list[str]) -> str:
    if item not in checklist:
        raise ValidationError("not on the service's checklist", code="unknown_material", items=[item])
    return item


def check_review(decision: str, reason: str) -> str:
    """A decision is accepted or rejected; a rejection says why (the member reads it)."""
    if decision not in MaterialDecision.values:
        raise ValidationError(
            "accepted or rejected", code="invalid_decision", allowed=list(MaterialDecision.values)
        )
    text = reason.strip()
    if len(text) > MATERIAL_REASON_MAX:
        raise ValidationError(f"a reason is at most {MATERIAL_REASON_MAX} characters", code="invalid_reason")
    if decision == MaterialDecision.REJECTED and not text:
        raise ValidationError("say why the material is rejected", code="reason_required")
    return text


def material_status(
    *, latest_upload_id: int | None, review_decision: str | None, review_upload_id: int | None
) -> MaterialStatus:
    """An item's latest review counts while it is of the latest upload (or of the paper brought
    when nothing was sent); an upload after it is waiting to be checked again."""
    if review_decision is not None and review_upload_id == latest_upload_id:
        return MaterialStatus(review_decision)
    return MaterialStatus.PENDING if latest_upload_id is not None else MaterialStatus.MISSING


def safe_filename(name: str) -> str:
    """The member's name for the file, kept only to show it: no path, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable() and ch not in '"<>')[:100]
