"""Tiers, points and stored value. Balances live on the ledger (omnipoint.ledger); these
tables hold what the ledger does not know: rules, packages, and the lots that say when each
award of points expires."""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from omnipoint.members.models import Member


class Tier(models.Model):
    """Reached by rolling 12-month spend; brings a points multiplier and member prices."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=40)
    min_spend = models.PositiveBigIntegerField()  # fen over the last 12 months
    points_multiplier = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("1.00"))
    member_discount = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0"))  # 0.050 = 5 %

    class Meta:
        ordering = ["min_spend"]

    def __str__(self) -> str:
        return self.name


class EarnRule(models.Model):
    """Points per yuan, for a channel, category, outlet or campaign window. The most specific
    matching rule applies to a line; rules flagged ``bonus`` add on top (线下消费线上积分)."""

    name = models.CharField(max_length=80)
    points_per_yuan = models.DecimalField(max_digits=6, decimal_places=2)
    channel = models.CharField(max_length=10, blank=True)
    category = models.ForeignKey("catalog.Category", null=True, blank=True, on_delete=models.CASCADE)
    outlet = models.ForeignKey("outlets.Outlet", null=True, blank=True, on_delete=models.CASCADE)
    bonus = models.BooleanField(default=False)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    validity_days = models.PositiveIntegerField(default=365)

    def __str__(self) -> str:
        return self.name


class PointsLot(models.Model):
    """One award of points and what is left of it. Spending takes the oldest expiry first."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="points_lots")
    posting_key = models.CharField(max_length=100, unique=True)
    amount = models.PositiveIntegerField()
    remaining = models.PositiveIntegerField()
    expires_at = models.DateTimeField()
    reference = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(name="lot_remaining_le_amount", condition=Q(remaining__lte=F("amount")))
        ]
        indexes = [models.Index(fields=["member", "expires_at"], name="lot_member_expiry")]


class LotUse(models.Model):
    """Which lots a spend took from, so a refund of that spend can give the same points back."""

    lot = models.ForeignKey(PointsLot, on_delete=models.PROTECT, related_name="uses")
    spend_key = models.CharField(max_length=100, db_index=True)
    amount = models.PositiveIntegerField()


class TopupPackage(models.Model):
    """充100送10: pay ``pay_amount``, receive it as principal plus ``bonus_amount`` as bonus."""

    name = models.CharField(max_length=40)
    pay_amount = models.PositiveBigIntegerField()
    bonus_amount = models.PositiveBigIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class TopupState(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    PAID = "paid", _("Paid and credited")
    FAILED = "failed", _("Failed")


class OnlineTopup(models.Model):
    """A top-up the member pays online at the payment gateway; the wallet is credited once,
    when the gateway says it was paid (its notification, or a query on the way back)."""

    number = models.CharField(max_length=32, unique=True)  # the merchant reference at the gateway
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="online_topups")
    package = models.ForeignKey(TopupPackage, null=True, blank=True, on_delete=models.PROTECT)
    amount = models.PositiveBigIntegerField()  # fen paid
    bonus = models.PositiveBigIntegerField(default=0)
    charge_ref = models.CharField(max_length=40, blank=True)
    pay_url = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=TopupState.choices, default=TopupState.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    credited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(name="online_topup_amount_positive", condition=Q(amount__gt=0))]
