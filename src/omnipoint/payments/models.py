from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from omnipoint.core.money import Money
from omnipoint.payments.domain import Method, PaymentState, RefundState


class Payment(models.Model):
    """One tender: money taken (or being taken) for an order by one method.

    Its state and its refunded amount change only through guarded conditional UPDATEs in
    services.py (pending -> succeeded once; refunded_amount never past amount).
    """

    number = models.CharField(max_length=32, unique=True)  # our reference, echoed by the provider
    order_id = models.BigIntegerField()  # orders' id: payments sit below orders and keep no FK
    method = models.CharField(max_length=12, choices=Method.choices)
    provider = models.CharField(max_length=20)  # "sandbox", "cash", later "wallet", ...
    provider_ref = models.CharField(max_length=64, blank=True)
    amount = models.PositiveBigIntegerField()  # fen
    refunded_amount = models.PositiveBigIntegerField(default=0)
    state = models.CharField(max_length=10, choices=PaymentState.choices, default=PaymentState.PENDING)
    # Counted toward the order's paid total. A payment that arrives for an order that was
    # already cancelled or fully paid is not counted: it is refunded at once (see ``note``).
    counted = models.BooleanField(default=False)
    pay_url = models.CharField(max_length=300, blank=True)  # the provider's hosted page, if any
    note = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["order_id", "state"], name="payment_order_state")]
        constraints = [
            models.CheckConstraint(name="payment_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="payment_refund_le_amount", condition=Q(refunded_amount__lte=F("amount"))
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_ref"],
                condition=~Q(provider_ref=""),
                name="payment_provider_ref_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def refundable(self) -> int:
        return self.amount - self.refunded_amount if self.state == PaymentState.SUCCEEDED else 0


class OrderBalance(models.Model):
    """The money side of one order: what its counted tenders paid and what went back.

    The guard that makes split tender safe on every database: a tender is counted only by
    ``filter(paid__lte=F("total") - amount).update(paid=F("paid") + amount)``, so the
    tenders of an order can never add up to more than its total.
    """

    order_id = models.BigIntegerField(primary_key=True)  # orders' id, as for Payment
    total = models.PositiveBigIntegerField()
    paid = models.PositiveBigIntegerField(default=0)
    refunded = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(name="balance_paid_le_total", condition=Q(paid__lte=F("total"))),
            models.CheckConstraint(name="balance_refunded_le_paid", condition=Q(refunded__lte=F("paid"))),
        ]


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveBigIntegerField()
    state = models.CharField(max_length=10, choices=RefundState.choices, default=RefundState.PENDING)
    provider_ref = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(name="refund_amount_positive", condition=Q(amount__gt=0))]


class PaymentNotification(models.Model):
    """Every notification a provider (or anyone) sent us, kept as received: the forged and the
    wrong ones too, with what we made of them."""

    provider = models.CharField(max_length=20)
    body = models.TextField()
    signature = models.CharField(max_length=200, blank=True)
    verified = models.BooleanField(default=False)
    # "applied", "duplicate", "refunded_cancelled", "refunded_overpaid", "failed", or the error code
    outcome = models.CharField(max_length=40, default="received")
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    created_at = models.DateTimeField(auto_now_add=True)


class ChargeState(models.TextChoices):
    PENDING = "pending", _("Waiting for the payer")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class SandboxCharge(models.Model):
    """The sandbox gateway's own books (standing for WeChat Pay's / Alipay's side): a charge
    the payer settles on the hosted page, then notified to the merchant."""

    ref = models.CharField(max_length=40, unique=True)  # the gateway's transaction id
    merchant_ref = models.CharField(max_length=32, unique=True)  # the merchant's payment number
    amount = models.PositiveBigIntegerField()
    refunded = models.PositiveBigIntegerField(default=0)
    state = models.CharField(max_length=10, choices=ChargeState.choices, default=ChargeState.PENDING)
    description = models.CharField(max_length=100, blank=True)
    return_url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)  # when the merchant acknowledged
    notify_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["paid_at"], name="sandbox_charge_paid_at")]
        constraints = [
            models.CheckConstraint(name="charge_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="charge_refund_le_amount", condition=Q(refunded__lte=F("amount"))),
        ]

    @property
    def money(self) -> Money:
        return Money(self.amount)

    @property
    def refunded_money(self) -> Money:
        return Money(self.refunded)


class SandboxRefund(models.Model):
    """A refund the sandbox gateway made (its own books, as for charges): one row per refund,
    which its daily trade statement lists."""

    charge = models.ForeignKey(SandboxCharge, on_delete=models.PROTECT, related_name="refunds")
    ref = models.CharField(max_length=40, unique=True)  # the gateway's refund id
    amount = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.CheckConstraint(name="sandbox_refund_positive", condition=Q(amount__gt=0))]
