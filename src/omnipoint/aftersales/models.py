"""Installation and after-sales tickets, what happened to each (its events), and the places of
each technician's day that visits take.

A ``TechnicianDay`` keeps its ``capacity`` and how many visits are ``booked``; the database
refuses ``booked`` above ``capacity`` (the backstop: services change it only by a guarded
UPDATE), and ``booked`` equals the number of tickets scheduled on that technician's day in a
state that holds a place (``domain.HOLDS_A_PLACE``; ``check_aftersales``). A day's capacity is
the technician's standing ``TechnicianCapacity`` (``VISITS_PER_DAY`` when none is set) unless a
manager made the day an ``exception`` (a day off is an exception of 0).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from omnipoint.aftersales.domain import (
    CODE_ATTEMPTS,
    CUSTOMER_CHANGES,
    VISITS_PER_DAY,
    TicketKind,
    TicketState,
    Window,
)
from omnipoint.members.models import Member
from omnipoint.orders.models import Order, OrderLine
from omnipoint.outlets.models import Outlet, Staff


class Ticket(models.Model):
    number = models.CharField(max_length=16, unique=True)  # what the customer quotes and follows
    kind = models.CharField(max_length=12, choices=TicketKind.choices)
    state = models.CharField(max_length=12, choices=TicketState.choices, default=TicketState.OPEN)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    order_line = models.ForeignKey(
        OrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="+")  # who answers for it
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    customer_name = models.CharField(max_length=60, blank=True)
    customer_mobile = models.CharField(max_length=11, blank=True)
    address = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=500, blank=True)
    # The customer has it (their ticket page, the text at scheduling); the technician asks for it
    # on site, and only the right code completes the ticket.
    confirmation_code = models.CharField(max_length=6)
    # Wrong codes tried on the handheld, counted by a guarded UPDATE: at CODE_ATTEMPTS the ticket
    # takes no code until the desk agrees a new visit, which issues a new one.
    code_failures = models.PositiveSmallIntegerField(default=0)
    # Times the customer moved the visit themselves (their first pick is not a change).
    customer_changes = models.PositiveSmallIntegerField(default=0)
    technician = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    visit_day = models.DateField(null=True, blank=True)
    visit_window = models.CharField(max_length=2, choices=Window.choices, blank=True)
    channel = models.CharField(max_length=10)  # system (goods delivered), web, console, api
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField()
    respond_by = models.DateTimeField()  # the SLA's first response: a visit agreed
    complete_by = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=0)  # raised by every step: its compare-and-set

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order_line"],
                condition=Q(kind__in=[TicketKind.INSTALLATION, TicketKind.SERVICE]),
                name="ticket_install_once",
            ),
            models.CheckConstraint(
                name="ticket_code_failures_in_limit", condition=Q(code_failures__lte=CODE_ATTEMPTS)
            ),
            models.CheckConstraint(
                name="ticket_customer_changes_in_limit", condition=Q(customer_changes__lte=CUSTOMER_CHANGES)
            ),
            models.CheckConstraint(
                name="ticket_visit_has_technician",
                condition=Q(visit_day__isnull=True) | Q(technician__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["outlet", "state"], name="aftersales_ticket_outlet"),
            models.Index(fields=["technician", "state"], name="aftersales_ticket_tech"),
        ]

    def __str__(self) -> str:
        return self.number


class TicketEvent(models.Model):
    """Append-only: each step a ticket took, from which state to which, by whom, with its note."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(max_length=12)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, choices=TicketState.choices)
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]


class TechnicianDay(models.Model):
    technician = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)
    # Set by a manager for this day (a day off, a short or a long day): the standing capacity
    # no longer applies to it.
    exception = models.BooleanField(default=False)
    note = models.CharField(max_length=60, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["day", "technician_id"]
        constraints = [
            models.UniqueConstraint(fields=["technician", "day"], name="technician_day_once"),
            models.CheckConstraint(name="technician_day_in_capacity", condition=Q(booked__lte=F("capacity"))),
        ]

    @property
    def remaining(self) -> int:
        return self.capacity - self.booked


class TechnicianCapacity(models.Model):
    """A technician's standing places a day, set by a manager; every day of theirs that is no
    exception has it (the days ahead are written when it changes, see ``services.capacity``)."""

    technician = models.OneToOneField(Staff, on_delete=models.CASCADE, related_name="+")
    visits_per_day = models.PositiveSmallIntegerField(default=VISITS_PER_DAY)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(null=True, blank=True)
