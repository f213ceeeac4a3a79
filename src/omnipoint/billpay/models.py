"""Bill payments, the outlets that take them, the callbacks billers sent, and the sandbox
billers' own side (``SandboxBill``: what a water or power company would keep)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from omnipoint.billpay.domain import BillerKind, PayMode, PayState


class BillOutlet(models.Model):
    """An outlet that takes bill payments, and how: cash recorded at our own counter, or an
    agent's float (预存款) debited on the ledger, with its rebate schedule."""

    outlet = models.OneToOneField("outlets.Outlet", on_delete=models.PROTECT, related_name="billpay")
    mode = models.CharField(max_length=14, choices=PayMode.choices)
    rebate_schedule = models.JSONField(default=dict, blank=True)  # domain.RebateSchedule.as_json()
    enrolled_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.outlet_id} {self.mode}"


class BillPayment(models.Model):
    number = models.CharField(max_length=20, unique=True)  # our reference, sent to the biller
    biller = models.CharField(max_length=40)  # the biller's code (billpay.billers)
    kind = models.CharField(max_length=12, choices=BillerKind.choices)
    account = models.CharField(max_length=40)
    bill_ref = models.CharField(max_length=60)  # the biller's reference of the bill
    period = models.CharField(max_length=7)  # "2026-11"
    due_date = models.DateField(null=True, blank=True)
    masked_name = models.CharField(max_length=40, blank=True)
    amount = models.BigIntegerField()
    mode = models.CharField(max_length=14, choices=PayMode.choices)
    outlet = models.ForeignKey(
        "outlets.Outlet", null=True, blank=True, on_delete=models.PROTECT, related_name="bill_payments"
    )
    region_path = models.CharField(max_length=32, blank=True, db_index=True)  # the outlet's, for scope
    # The customer, when they gave their mobile at the counter: their bills show online.
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="bill_payments"
    )
    clerk = models.ForeignKey(
        "outlets.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=10, choices=PayState.choices, default=PayState.HELD)
    why = models.JSONField(default=dict, blank=True)  # core.explain.Explanation of how it ended
    client_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    biller_ref = models.CharField(max_length=60, blank=True)  # the biller's transaction
    deadline = models.DateTimeField()  # not confirmed by then: asked, then reversed
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    rebate = models.BigIntegerField(default=0)  # fen accrued to the agent for it
    # Paid online by the gateway: the charge there, its hosted page, and its refund (once).
    gateway_ref = models.CharField(max_length=64, blank=True)
    pay_url = models.CharField(max_length=300, blank=True)
    refund_ref = models.CharField(max_length=64, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="billpay_amount_positive", condition=Q(amount__gt=0)),
            # One bill is paid once: only a reversed payment leaves the bill free for another.
            models.UniqueConstraint(
                fields=["biller", "bill_ref"],
                condition=~Q(state=PayState.REVERSED),
                name="billpay_bill_paid_once",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "deadline"], name="billpay_due"),
            models.Index(fields=["outlet", "paid_at"], name="billpay_outlet_paid"),
        ]

    def __str__(self) -> str:
        return self.number


class BillerCallback(models.Model):
    """A biller's verified confirmation, kept once by its nonce: a replay is refused."""

    biller = models.CharField(max_length=40)
    nonce = models.CharField(max_length=64)
    payment = models.ForeignKey(BillPayment, on_delete=models.PROTECT, related_name="callbacks")
    outcome = models.CharField(max_length=30)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["biller", "nonce"], name="billpay_callback_once")]


class SandboxBillState(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted, not yet confirmed")
    PAID = "paid", _("Paid")
    REVERSED = "reversed", _("Reversed")


class SandboxBill(models.Model):
    """The sandbox biller's record of a bill someone paid (an unpaid bill needs no row: it is
    derived from the seed). One row per bill: the biller itself takes a bill once."""

    biller = models.CharField(max_length=40)
    bill_ref = models.CharField(max_length=60, unique=True)
    account = models.CharField(max_length=40)
    amount = models.BigIntegerField()
    state = models.CharField(max_length=10, choices=SandboxBillState.choices)
    merchant_ref = models.CharField(max_length=20)  # our payment number
    txn_ref = models.CharField(max_length=40)
    accepted_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    callback_attempts = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.bill_ref


class BillComplaint(models.Model):
    """A customer's complaint about a bill payment, recorded by staff: it weighs on the
    outlet's stars."""

    payment = models.ForeignKey(BillPayment, on_delete=models.PROTECT, related_name="complaints")
    outlet = models.ForeignKey("outlets.Outlet", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(
        "outlets.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)


class AgentRating(models.Model):
    """An outlet's stars (星级) for a month, recomputed from its bills and complaints."""

    outlet = models.ForeignKey("outlets.Outlet", on_delete=models.PROTECT, related_name="+")
    month = models.CharField(max_length=7)
    stars = models.PositiveSmallIntegerField()
    bills = models.PositiveIntegerField()
    complaints = models.PositiveIntegerField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["outlet", "month"], name="billpay_rating_month"),
            models.CheckConstraint(name="billpay_stars_1_5", condition=Q(stars__gte=1, stars__lte=5)),
        ]
