"""The parties the network settles with, their statements, and the jobs that make them.

A ``Party`` is one counterparty and its terms: a concession supplier (at a node of the tree: its
goods sold at the outlets under it; "/" is the whole network), a franchise or agent outlet, or a
salesperson; the deduction rate (the network's share) for suppliers and franchisees, by category
in ``PartyRate``. The deduction rate lives here, with the party, rather than on
``catalog.Supplier``: it is a term of the settlement, may differ by category and by the node a
contract covers, and the catalogue does not need it.

A ``Statement`` is one party's period: its lines and totals are derived from immutable facts
(order lines of completed orders, returns, ledger postings) when it is generated; it changes
only by compare-and-set on its state (draft -> confirmed -> paid). ``region_path`` and
``outlet`` are the party's, copied for scope filters.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from omnipoint.settlement.domain import Cycle, PartyKind, StatementState


class Party(models.Model):
    kind = models.CharField(max_length=12, choices=PartyKind.choices)
    name = models.CharField(max_length=120)
    supplier = models.ForeignKey(
        "catalog.Supplier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outlet = models.ForeignKey(
        "outlets.Outlet", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        "outlets.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=32, db_index=True)  # the node it is settled at, for scope
    cycle = models.CharField(max_length=12, choices=Cycle.choices, blank=True)  # blank: the network's
    rate = models.DecimalField(max_digits=5, decimal_places=4, default=0)  # suppliers, franchisees
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name", "pk"]
        verbose_name_plural = "parties"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "outlet"],
                condition=Q(kind__in=[PartyKind.FRANCHISE, PartyKind.AGENT]),
                name="settlement_one_party_per_outlet",
            ),
            models.UniqueConstraint(
                fields=["staff"], condition=Q(staff__isnull=False), name="settlement_one_party_per_staff"
            ),
            models.UniqueConstraint(
                fields=["supplier", "region_path"],
                condition=Q(supplier__isnull=False),
                name="settlement_one_party_per_supplier_node",
            ),
            models.CheckConstraint(name="settlement_rate_0_1", condition=Q(rate__gte=0, rate__lte=1)),
        ]

    def __str__(self) -> str:
        return self.name


class PartyRate(models.Model):
    """A deduction rate for one category of goods (and the categories under it)."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="rates")
    category = models.ForeignKey("catalog.Category", on_delete=models.PROTECT, related_name="+")
    rate = models.DecimalField(max_digits=5, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["party", "category"], name="settlement_rate_per_category"),
            models.CheckConstraint(
                name="settlement_category_rate_0_1", condition=Q(rate__gte=0, rate__lte=1)
            ),
        ]


class Statement(models.Model):
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="statements")
    kind = models.CharField(max_length=12, choices=PartyKind.choices)
    period = models.CharField(max_length=10)
    cycle = models.CharField(max_length=12, choices=Cycle.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()  # exclusive
    region_path = models.CharField(max_length=32, db_index=True)
    outlet = models.ForeignKey(
        "outlets.Outlet", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=10, choices=StatementState.choices, default=StatementState.DRAFT)
    sales = models.BigIntegerField(default=0)
    returns = models.BigIntegerField(default=0)
    deduction = models.BigIntegerField(default=0)
    amount = models.BigIntegerField(default=0)  # signed: > 0 owed to the party, < 0 owed by it
    generated_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pay_key = models.CharField(max_length=64, null=True, blank=True, unique=True)  # the client's payout key

    class Meta:
        ordering = ["-starts_on", "kind", "party_id"]
        constraints = [
            models.UniqueConstraint(fields=["party", "period"], name="settlement_one_statement_per_period"),
            models.CheckConstraint(
                name="settlement_paid_has_key",
                condition=~Q(state=StatementState.PAID) | Q(pay_key__isnull=False, paid_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_id} {self.period}"

    @property
    def last_day(self) -> date:
        return self.ends_on - timedelta(days=1)


class SettlementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    item = models.CharField(max_length=120)
    item_en = models.CharField(max_length=120, blank=True)
    count = models.BigIntegerField(default=0)
    sales = models.BigIntegerField(default=0)
    returns = models.BigIntegerField(default=0)
    net = models.BigIntegerField(default=0)
    rate = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    deduction = models.BigIntegerField(default=0)
    payable = models.BigIntegerField(default=0)
    corrects = models.CharField(max_length=10, blank=True)  # an adjustment: the earlier period it corrects

    class Meta:
        ordering = ["statement_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "position"], name="settlement_line_position")
        ]


class JobState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class SettlementJob(models.Model):
    """A long run on the task queue (a period's statements, a statement's file), with its
    progress for the page that polls it."""

    kind = models.CharField(max_length=10)  # "generate" or "export"
    period = models.CharField(max_length=10, blank=True)
    statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    fmt = models.CharField(max_length=4, blank=True)
    lang = models.CharField(max_length=10, blank=True)  # the file's language: the reader's
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.CharField(max_length=200, blank=True)  # under VAR_DIR/settlement/
    error = models.CharField(max_length=40, blank=True)  # the refusal's code
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
