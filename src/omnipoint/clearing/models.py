"""The books of each business day and the counter shifts.

A closed day is a ``ClearingRun`` (one per day: the unique day is what makes two runs at once
leave one result) and its ``ClearingFigure`` rows. A figure is one number: node x channel x
payment method x measure, not a row of columns per node, because

- the measures do not share their dimensions: goods sold and points have no payment method,
  takings have one, a top-up has neither an order nor always an outlet; a wide row would be
  mostly empty columns and meaningless zeros;
- most combinations are zero and are simply not stored;
- rolling up the tree, comparing a re-run and booking adjustments are one generic rule over
  (key, value) pairs (``domain.rollup`` / ``domain.corrections``), and a new measure is a new
  enum value, not a migration.

Adjustments are figures too: booked in the day being closed (``day``), naming the closed day
they correct (``corrects``); a day's own figures have ``corrects == day``.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from omnipoint.clearing.domain import Level
from omnipoint.outlets.models import Outlet, Staff


class ClearingRun(models.Model):
    """A business day, closed. It never changes once written."""

    day = models.DateField(unique=True)
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task = models.CharField(max_length=40, blank=True)  # the scheduled job that closed it, if any

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return self.day.isoformat()


class ClearingFigure(models.Model):
    run = models.ForeignKey(ClearingRun, on_delete=models.PROTECT, related_name="figures")
    day = models.DateField()  # the day whose books it is in (the run's day)
    corrects = models.DateField()  # the day it is about: ``day`` itself, or an earlier closed day
    level = models.CharField(max_length=12, choices=Level.choices)
    node = models.CharField(max_length=40)  # "outlet:<id>", a region path, "hq" or "unassigned"
    region_path = models.CharField(max_length=32)  # for scope filters; "/" for HQ and no outlet
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, blank=True)
    method = models.CharField(max_length=12, blank=True)
    measure = models.CharField(max_length=24)
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "corrects", "node", "channel", "method", "measure"],
                name="clearing_figure_cell",
            ),
            models.CheckConstraint(
                name="clearing_corrects_not_after_day", condition=Q(corrects__lte=F("day"))
            ),
        ]
        indexes = [
            models.Index(fields=["day", "node"], name="clearing_figure_day_node"),
            models.Index(fields=["corrects", "level"], name="clearing_figure_corrects"),
        ]


class CounterShift(models.Model):
    """A clerk's shift at one outlet's counter (交班): opened, then closed with a cash count."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="+")
    clerk = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set once, at the close, from the clerk's cash tenders and cash refunds during the shift.
    cash_taken = models.BigIntegerField(null=True, blank=True)
    cash_refunded = models.BigIntegerField(null=True, blank=True)
    declared_cash = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clerk"], condition=Q(closed_at__isnull=True), name="clearing_one_open_shift"
            ),
            models.CheckConstraint(
                name="clearing_shift_closed_whole",
                condition=Q(closed_at__isnull=True, declared_cash__isnull=True)
                | Q(closed_at__isnull=False, declared_cash__gte=0, cash_taken__isnull=False),
            ),
        ]

    @property
    def expected_cash(self) -> int | None:
        if self.cash_taken is None or self.cash_refunded is None:
            return None
        return self.cash_taken - self.cash_refunded

    @property
    def difference(self) -> int | None:
        expected = self.expected_cash
        return None if expected is None or self.declared_cash is None else self.declared_cash - expected
