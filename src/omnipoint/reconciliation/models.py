"""A provider's statement of one day as imported (``ReconRun``), its lines as the provider wrote
them (``StatementLine``: inserted once, never changed), the differences the matching found and
how each was resolved (``Resolution``: who, when, why; the lines stay as they are)."""

from typing import Any

from django.conf import settings
from django.db import models

from omnipoint.billpay.models import BillPayment
from omnipoint.payments.models import Payment, Refund
from omnipoint.reconciliation.domain import DiffKind, LineKind, Reason, Source


class ReconRun(models.Model):
    """One provider's statement of one business day, imported and matched once."""

    provider = models.CharField(max_length=20)
    day = models.DateField()
    source = models.CharField(max_length=10, choices=Source.choices)
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task = models.CharField(max_length=40, blank=True)
    lines = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)  # lines with no difference
    # the statement's own summary rows
    stated_count = models.PositiveIntegerField(default=0)
    stated_paid = models.BigIntegerField(default=0)
    stated_refunded = models.BigIntegerField(default=0)
    stated_fees = models.BigIntegerField(default=0)
    match_seconds = models.FloatField(default=0)
    # matched again after a repair (the lines as imported, the open differences found afresh)
    rematched_at = models.DateTimeField(null=True, blank=True)
    rematched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-day", "provider"]
        constraints = [models.UniqueConstraint(fields=["provider", "day"], name="recon_one_run_per_day")]

    def __str__(self) -> str:
        return f"{self.provider} {self.day}"


class StatementLine(models.Model):
    """A row of the statement, as the provider wrote it. Never updated."""

    run = models.ForeignKey(ReconRun, on_delete=models.PROTECT, related_name="statement_lines")
    line_no = models.PositiveIntegerField()
    traded_at = models.DateTimeField()
    provider_ref = models.CharField(max_length=64)  # 微信订单号
    merchant_ref = models.CharField(max_length=32)  # 商户订单号: our payment (or top-up) number
    kind = models.CharField(max_length=8, choices=LineKind.choices)
    state = models.CharField(max_length=12)
    amount = models.BigIntegerField()  # the charge's amount, fen
    refund_ref = models.CharField(max_length=64, blank=True)  # 微信退款单号
    merchant_refund_ref = models.CharField(max_length=64, blank=True)
    refund_amount = models.BigIntegerField(default=0)
    fee = models.BigIntegerField()  # negative on a refund: the fee given back
    rate = models.CharField(max_length=12, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "line_no"], name="recon_line_once")]
        indexes = [models.Index(fields=["provider_ref"], name="recon_line_provider_ref")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("an imported statement line is never changed")
        super().save(*args, **kwargs)


class Difference(models.Model):
    """What the matching found: a line without its match here, or one of ours without its line."""

    run = models.ForeignKey(ReconRun, on_delete=models.PROTECT, related_name="differences")
    kind = models.CharField(max_length=20, choices=DiffKind.choices)
    line = models.ForeignKey(StatementLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    refund = models.ForeignKey(Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # a bill paid online by the gateway (billpay's), for its charge or its refund
    bill = models.ForeignKey(BillPayment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    merchant_ref = models.CharField(max_length=64, blank=True)  # the number it is about
    provider_ref = models.CharField(max_length=64, blank=True)
    ours = models.BigIntegerField(null=True, blank=True)  # fen as we hold it (None: nothing here)
    theirs = models.BigIntegerField(null=True, blank=True)  # fen as the provider says it
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["kind", "pk"]
        indexes = [models.Index(fields=["run", "kind"], name="recon_difference_kind")]


class Resolution(models.Model):
    """How a difference was settled: once, by whom, when and why."""

    difference = models.OneToOneField(Difference, on_delete=models.PROTECT, related_name="resolution")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=40, blank=True)  # what a repair did
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField()
