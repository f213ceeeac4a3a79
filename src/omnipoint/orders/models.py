from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from omnipoint.catalog.domain import ProductKind
from omnipoint.catalog.models import Sku
from omnipoint.core.channels import Channel
from omnipoint.members.models import Member
from omnipoint.orders.domain import Method, PaymentMode
from omnipoint.outlets.models import Outlet, Staff


class OrderState(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    CONFIRMED = "confirmed", _("Confirmed")  # paid, or payment due at the outlet / on delivery
    READY = "ready", _("Ready for pickup")
    SHIPPED = "shipped", _("Handed to carrier")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentState(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PAID = "paid", _("Paid")
    PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")
    REFUNDED = "refunded", _("Refunded")


class Order(models.Model):
    number = models.CharField(max_length=24, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    method = models.CharField(max_length=12, choices=Method.choices)
    state = models.CharField(max_length=10, choices=OrderState.choices, default=OrderState.PENDING)
    payment_state = models.CharField(max_length=16, choices=PaymentState.choices, default=PaymentState.UNPAID)
    payment_mode = models.CharField(max_length=12, choices=PaymentMode.choices)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    customer_name = models.CharField(max_length=60, blank=True)
    customer_mobile = models.CharField(max_length=11, blank=True)
    origin_outlet = models.ForeignKey(
        Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    keyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    salesperson = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="credited_orders"
    )
    pickup_outlet = models.ForeignKey(
        Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    total = models.PositiveBigIntegerField()  # fen
    routing = models.JSONField(default=dict)  # the routing decision and its reasons, shown to staff
    # Shown only to the customer; the clerk must be told it. Valid only at pickup_outlet, once.
    pickup_code = models.CharField(max_length=8, blank=True)
    pickup_failures = models.PositiveSmallIntegerField(default=0)
    payment_deadline = models.DateTimeField(null=True, blank=True)
    hold_until = models.DateTimeField(null=True, blank=True)  # try-in-store holds
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "payment_deadline"], name="order_pending_deadline")]
        constraints = [
            models.CheckConstraint(
                name="order_pickup_has_outlet",
                condition=~Q(method__in=["pickup", "try_in_store"]) | Q(pickup_outlet__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    unit_price = models.PositiveBigIntegerField()  # fen
    discount = models.PositiveBigIntegerField(default=0)  # promotions and coupons, fen
    amount = models.PositiveBigIntegerField()  # what is charged: unit_price x quantity - discount
    price_explanation = models.JSONField(default=list)
    location = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="+"
    )  # where it is fulfilled from
    returned_quantity = models.PositiveIntegerField(default=0)
    installation = models.BooleanField(default=False)  # a follow-up installation service is wanted
    # The product's kind when sold, which decides how the line is fulfilled: goods are held and
    # handed over, a service and a virtual item take no stock (``catalog.domain.ProductKind``).
    kind = models.CharField(max_length=10, choices=ProductKind.choices, default=ProductKind.GOODS)
    target = models.CharField(max_length=20, blank=True)  # a virtual item's recipient (mobile number)

    class Meta:
        constraints = [
            models.CheckConstraint(name="order_line_positive", condition=Q(quantity__gt=0)),
            models.CheckConstraint(
                name="order_line_returned_le_qty", condition=Q(returned_quantity__lte=F("quantity"))
            ),
        ]


def line_ref(line_id: int) -> str:
    """How an order line is named to the apps that fulfil it (virtuals' ``owner_ref``)."""
    return f"order-line:{line_id}"


class OrderEvent(models.Model):
    """Append-only history: who did what to the order, when, from which channel."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class TaskState(models.TextChoices):
    WAITING = "waiting", _("Waiting for transfer")
    QUEUED = "queued", _("Queued")
    CLAIMED = "claimed", _("Claimed")
    PICKED = "picked", _("Picked")
    PACKED = "packed", _("Packed")
    READY = "ready", _("Ready for pickup")
    HANDED_OVER = "handed_over", _("Handed to carrier")
    DONE = "done", _("Collected")
    CANCELLED = "cancelled", _("Cancelled")


class PickTask(models.Model):
    """An order's work at one outlet: what the handheld's queue shows."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="tasks")
    location = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="pick_tasks")
    state = models.CharField(max_length=12, choices=TaskState.choices, default=TaskState.QUEUED)
    # pickup: the task ends at the customer; ship: handed to a carrier (delivery, or a transfer leg)
    purpose = models.CharField(max_length=10, default="pickup")
    transfer = models.ForeignKey(
        "inventory.Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["location", "state"], name="task_queue")]
        constraints = [models.UniqueConstraint(fields=["order", "location", "purpose"], name="task_unique")]


class PickupAttempt(models.Model):
    """Every hand-over attempt, kept so that guessing is limited per order and per clerk."""

    order = models.ForeignKey(
        Order, null=True, on_delete=models.CASCADE, related_name="+"
    )  # null: code matched nothing
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="+")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ok = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["clerk", "created_at"], name="pickup_attempt_clerk")]


class PickupGuessCount(models.Model):
    """A clerk's wrong pickup codes in one clock hour: the guarded counter of the per-clerk
    limit. A guess claims a slot (``failures < limit``) before its code is looked at, and a
    right code gives its slot back, so racing guesses can never be evaluated past the limit."""

    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()  # the start of the clock hour
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clerk", "hour"], name="pickup_guess_clerk_hour"),
            models.CheckConstraint(name="pickup_guess_nonneg", condition=Q(failures__gte=0)),
        ]


class OrderReturn(models.Model):
    """Goods brought back, at any outlet: restocked there and refunded to the original tenders."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    lines = models.JSONField()  # [{"sku_id", "quantity", "amount"}]
    amount = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The refunds the return made to the order's tenders (payments' rows; orders sit above).
    refunds = models.ManyToManyField("payments.Refund", blank=True, related_name="+")


__all__ = [
    "Method",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OrderReturn",
    "OrderState",
    "PaymentMode",
    "PaymentState",
    "PickTask",
    "PickupAttempt",
    "PickupGuessCount",
    "TaskState",
]
