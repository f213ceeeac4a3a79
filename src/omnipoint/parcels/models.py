"""Parcels sent at a counter, their tracking events (outlet scans and the carrier's webhooks),
and the rate tables that price them per network."""

from django.db import models
from django.db.models import Q

from omnipoint.parcels.domain import ParcelState, PayMethod, Service


class RateTable(models.Model):
    """A network's rates (``domain.RateTable.as_json()``); none stored: the default table."""

    network = models.CharField(max_length=20, unique=True)
    table = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.network


class Parcel(models.Model):
    number = models.CharField(max_length=13, unique=True)  # UPU S10
    network = models.CharField(max_length=20)
    service = models.CharField(max_length=10, choices=Service.choices)
    state = models.CharField(max_length=20, choices=ParcelState.choices, default=ParcelState.CREATED)
    state_rank = models.PositiveSmallIntegerField(default=0)  # domain.RANK: never goes down
    sender_name = models.CharField(max_length=40)
    sender_mobile = models.CharField(max_length=11, db_index=True)
    sender_address = models.CharField(max_length=200)
    sender_region = models.ForeignKey("outlets.Region", on_delete=models.PROTECT, related_name="+")
    recipient_name = models.CharField(max_length=40)
    recipient_mobile = models.CharField(max_length=11, db_index=True)
    recipient_address = models.CharField(max_length=200)
    recipient_region = models.ForeignKey("outlets.Region", on_delete=models.PROTECT, related_name="+")
    weight_g = models.PositiveIntegerField()
    length_cm = models.PositiveSmallIntegerField()
    width_cm = models.PositiveSmallIntegerField()
    height_cm = models.PositiveSmallIntegerField()
    declared_value = models.BigIntegerField(default=0)  # fen
    quote = models.JSONField(default=dict)  # domain.Quote.as_json(): zone, chargeable weight, parts
    postage = models.BigIntegerField()
    insurance = models.BigIntegerField(default=0)
    total = models.BigIntegerField()
    origin = models.ForeignKey("outlets.Outlet", on_delete=models.PROTECT, related_name="parcels_sent")
    origin_path = models.CharField(max_length=32, db_index=True)  # the origin's region path, for scope
    clerk = models.ForeignKey(
        "outlets.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    client_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    # Payment: once, by compare-and-set on paid_at IS NULL.
    pay_method = models.CharField(max_length=10, choices=PayMethod.choices, blank=True)
    pay_ref = models.CharField(max_length=60, blank=True)  # the gateway's charge, the wallet's key
    paid_at = models.DateTimeField(null=True, blank=True)
    # The gateway's QR charge, kept when the parcel is paid another way or given up, so that money
    # arriving for it late goes back, once (charge_refunded_at IS NULL compare-and-set).
    charge_ref = models.CharField(max_length=60, blank=True)
    charge_refunded_at = models.DateTimeField(null=True, blank=True)
    # Voided at the counter (its money given back) or expired unpaid: once, by compare-and-set.
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    # Held for collection (驿站): where, by which code, until collected.
    hold_outlet = models.ForeignKey(
        "outlets.Outlet", null=True, blank=True, on_delete=models.PROTECT, related_name="parcels_held"
    )
    hold_path = models.CharField(max_length=32, blank=True, db_index=True)
    pickup_code = models.CharField(max_length=6, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    collected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="parcels_total_parts", condition=Q(total=models.F("postage") + models.F("insurance"))
            ),
            models.CheckConstraint(name="parcels_total_positive", condition=Q(total__gt=0)),
            # Two parcels held at one outlet never share a pickup code.
            models.UniqueConstraint(
                fields=["hold_outlet", "pickup_code"],
                condition=Q(state=ParcelState.ARRIVED) & ~Q(pickup_code=""),
                name="parcels_pickup_code_unique_held",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class EventSource(models.TextChoices):
    COUNTER = "counter", "counter"
    SCAN = "scan", "scan"
    CARRIER = "carrier", "carrier"


class ParcelEvent(models.Model):
    """One tracking event, kept once by its id (``scan:<uuid>``, ``<carrier>:<their id>``): a
    repeated webhook changes nothing. The timeline is ordered by when it happened, not by when
    it arrived."""

    parcel = models.ForeignKey(Parcel, on_delete=models.PROTECT, related_name="events")
    event_id = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=ParcelState.choices)
    source = models.CharField(max_length=10, choices=EventSource.choices)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    outlet = models.ForeignKey(
        "outlets.Outlet", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(max_length=60, blank=True)  # where the carrier says it was
    staff = models.ForeignKey(
        "outlets.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moved = models.BooleanField(default=False)  # whether it moved the parcel's state

    class Meta:
        ordering = ["occurred_at", "pk"]
        indexes = [models.Index(fields=["parcel", "occurred_at"], name="parcels_event_timeline")]

    def __str__(self) -> str:
        return self.event_id
