from django.db import models
from django.db.models import Q

from omnipoint.virtuals.domain import VirtualState


class VirtualFulfilment(models.Model):
    """One virtual item asked of a provider for whoever sold it (``owner_ref``: an order line)."""

    owner_ref = models.CharField(max_length=60, unique=True)  # "order-line:<id>"
    provider = models.CharField(max_length=30)
    sku_code = models.CharField(max_length=40)
    target = models.CharField(max_length=40)  # the mobile number topped up, the account credited
    amount = models.PositiveBigIntegerField()  # fen, what was charged for it
    quantity = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=VirtualState.choices, default=VirtualState.REQUESTED)
    sent = models.BooleanField(default=False)  # the provider was asked (it may have taken it)
    provider_ref = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=30, blank=True)  # a RefusalReason
    requested_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateTimeField()  # past it unconfirmed, the provider is asked to cancel
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "deadline"], name="virtual_open_deadline")]
        constraints = [
            models.CheckConstraint(name="virtual_quantity_positive", condition=Q(quantity__gt=0)),
            models.CheckConstraint(
                name="virtual_settled_when_final",
                condition=Q(state=VirtualState.REQUESTED) | Q(settled_at__isnull=False),
            ),
        ]

    @property
    def merchant_ref(self) -> str:
        return f"VF{self.pk}"


class VirtualCallback(models.Model):
    """Every callback taken, by its nonce once: a replayed one is refused."""

    provider = models.CharField(max_length=30)
    nonce = models.CharField(max_length=64)
    fulfilment = models.ForeignKey(VirtualFulfilment, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "nonce"], name="virtual_callback_once")]


class SandboxTopUpState(models.TextChoices):
    ACCEPTED = "accepted"
    DONE = "done"
    REVERSED = "reversed"


class SandboxTopUp(models.Model):
    """The sandbox provider's own book (what a carrier would keep on its servers): a top-up it
    took, then credited or reversed, by compare-and-set."""

    merchant_ref = models.CharField(max_length=40, unique=True)
    target = models.CharField(max_length=40)
    amount = models.PositiveBigIntegerField()
    txn_ref = models.CharField(max_length=40, unique=True)
    state = models.CharField(max_length=10, choices=SandboxTopUpState.choices)
    callback_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
