"""Services offered at outlets, their weekly timetables and closures, the slots cut from them,
bookings, and the queue tickets of the day.

A ``Slot`` keeps its ``capacity`` and how many places are ``booked``; the database refuses
``booked`` outside ``0..capacity`` (the backstop: services change it only by a guarded UPDATE),
and ``booked`` equals the number of the slot's bookings in a live state (``check_appointments``).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from omnipoint.appointments.domain import (
    LIVE_STATES,
    MATERIAL_MAX_BYTES,
    BookingState,
    Handover,
    MaterialDecision,
    TicketState,
)
from omnipoint.members.models import Member
from omnipoint.outlets.models import Outlet


class Service(models.Model):
    """A service of the network (出入境证件代办, 社保卡办理 ...), offered by some outlets.

    ``materials`` is the checklist the customer brings: ``[{"code", "name", "name_en"}]``."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=60)
    name_en = models.CharField(max_length=80)
    duration_min = models.PositiveSmallIntegerField()
    materials = models.JSONField(default=list, blank=True)
    handover = models.CharField(max_length=10, choices=Handover.choices, default=Handover.COUNTER)
    queue_prefix = models.CharField(max_length=1, default="A")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Offer(models.Model):
    """An outlet offers a service: its weekly timetable is ``openings``."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="service_offers")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="offers")
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["outlet", "service"], name="offer_once")]


class Opening(models.Model):
    """A timetable row: on ``weekday`` (0 Monday) from ``start`` to ``end`` local time."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="openings")
    weekday = models.PositiveSmallIntegerField()
    start = models.TimeField()
    end = models.TimeField()
    capacity = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["weekday", "start"]


class Closure(models.Model):
    """A day an outlet does not take appointments (a holiday, a closure): for one service, or
    for all of them when ``service`` is empty."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="service_closures")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE)
    day = models.DateField()
    reason = models.CharField(max_length=60)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["outlet", "service", "day"], name="closure_once"),
            models.UniqueConstraint(
                fields=["outlet", "day"], condition=Q(service__isnull=True), name="closure_whole_day_once"
            ),
        ]


class Slot(models.Model):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="slots")
    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)
    is_open = models.BooleanField(default=True)  # closed: no new bookings (a closure, a timetable change)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "starts_at"], name="slot_once"),
            models.CheckConstraint(name="slot_booked_in_capacity", condition=Q(booked__lte=F("capacity"))),
        ]
        indexes = [models.Index(fields=["service", "starts_at"], name="slot_service_start")]

    @property
    def remaining(self) -> int:
        return self.capacity - self.booked


class Booking(models.Model):
    code = models.CharField(max_length=12, unique=True)  # shown as a QR, read at check-in
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="bookings")
    state = models.CharField(max_length=12, choices=BookingState.choices, default=BookingState.BOOKED)
    channel = models.CharField(max_length=12)
    client_key = models.CharField(max_length=64, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(null=True, blank=True)  # cancelled, moved or marked no-show
    checked_in_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    materials_checked = models.JSONField(default=list, blank=True)  # codes the clerk ticked
    materials_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "client_key"], condition=~Q(client_key=""), name="booking_client_key_once"
            ),
            models.UniqueConstraint(
                fields=["slot", "member"], condition=Q(state__in=LIVE_STATES), name="booking_one_per_slot"
            ),
        ]


class Ticket(models.Model):
    """A queue number of the day at an outlet, per service (A001 ...): from a booking's
    check-in, or a walk-in's. ``wait_s`` and ``service_s`` are recorded when it is called and
    when it is done."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=8)
    booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="ticket"
    )
    state = models.CharField(max_length=10, choices=TicketState.choices, default=TicketState.WAITING)
    issued_at = models.DateTimeField()
    called_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    counter = models.CharField(max_length=10, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    wait_s = models.PositiveIntegerField(null=True, blank=True)
    service_s = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["day", "number"]
        constraints = [
            models.UniqueConstraint(fields=["outlet", "service", "day", "number"], name="ticket_number_once")
        ]
        indexes = [models.Index(fields=["outlet", "day", "state"], name="ticket_queue")]


class MaterialUpload(models.Model):
    """A file a member sent ahead for one item of their booking's checklist. Never edited: a
    re-upload is the item's next ``version``. The bytes are kept in the database, private (no
    URL serves them but the views that ask who is looking), so every web host sees the same
    files; reads defer ``content`` until a file is served."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="uploads")
    item = models.CharField(max_length=32)  # the checklist item's code
    version = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=40)  # by what the file holds, not its name
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=100, blank=True)  # the member's, only to show
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["booking", "item", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "item", "version"], name="material_upload_version_once"
            ),
            models.CheckConstraint(
                name="material_upload_size", condition=Q(size__gt=0, size__lte=MATERIAL_MAX_BYTES)
            ),
        ]


class MaterialReview(models.Model):
    """The clerk's decision on one checklist item of a booking, at check-in or at the counter:
    accepted, or rejected with the reason the member reads; of the upload the clerk saw (none:
    the paper brought to the counter). Append-only: the latest review of an item counts while
    no newer upload came after it."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="material_reviews")
    item = models.CharField(max_length=32)
    upload = models.ForeignKey(
        MaterialUpload, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    decision = models.CharField(max_length=10, choices=MaterialDecision.choices)
    reason = models.CharField(max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ["booking", "item", "reviewed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="material_rejection_has_reason",
                condition=~Q(decision=MaterialDecision.REJECTED) | ~Q(reason=""),
            ),
        ]
