"""A flash sale: a pool of one SKU's stock set aside from chosen outlets for a time window.

The pool is a stock row of its own (``inventory.StockLevel`` at the sale's pool location, an
inactive location that no routing or search offers), so its buyers' holds go through the
group-committed hold path like any hot row, and every unit in or out of it is a movement."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import pgettext_lazy

from omnipoint.catalog.models import Sku
from omnipoint.inventory.models import Reservation
from omnipoint.members.models import Member
from omnipoint.orders.models import Order
from omnipoint.outlets.models import Outlet


class SaleState(models.TextChoices):
    OPEN = (
        "open",
        pgettext_lazy("flash", "Open"),
    )  # the pool is set aside; selling between starts_at and ends_at
    ENDED = "ended", pgettext_lazy("flash", "Ended")  # no more claims; what is left goes back as holds end
    CLOSED = "closed", pgettext_lazy("flash", "Closed")  # the pool is empty: everything sold or handed back


class FlashSale(models.Model):
    name = models.CharField(max_length=60)
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    pool = models.OneToOneField(Outlet, null=True, on_delete=models.PROTECT, related_name="+")
    # The deepest region path above every source outlet ("/" across provinces): who sees the sale.
    region_path = models.CharField(max_length=32)
    per_member_limit = models.PositiveIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=SaleState.choices, default=SaleState.OPEN)
    pooled = models.PositiveIntegerField(default=0)  # units set aside
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "ends_at"], name="flash_sale_due")]
        constraints = [models.CheckConstraint(name="flash_window", condition=Q(ends_at__gt=F("starts_at")))]


class FlashSource(models.Model):
    """What one outlet gave to the pool, and what it has had back."""

    sale = models.ForeignKey(FlashSale, on_delete=models.CASCADE, related_name="sources")
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    returned = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sale", "outlet"], name="flash_source_unique"),
            models.CheckConstraint(name="flash_source_returned_le", condition=Q(returned__lte=F("quantity"))),
        ]


class FlashBuyer(models.Model):
    """A member's units claimed in a sale: the per-member limit is a guarded UPDATE of this row.
    A claim let lapse still counts (the limit is on what a member may take, not on what they pay)."""

    sale = models.ForeignKey(FlashSale, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    units = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sale", "member"], name="flash_buyer_unique")]


class FlashClaim(models.Model):
    """Units of the pool held for a member (a reservation on the pool row), until they check out
    (the hold becomes their order's) or it lapses."""

    sale = models.ForeignKey(FlashSale, on_delete=models.CASCADE, related_name="claims")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    reservation = models.OneToOneField(Reservation, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    order = models.OneToOneField(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["sale", "member"], name="flash_claim_member")]


class FlashWaiter(models.Model):
    """A member waiting in line after the pool ran out while claims were still open: their
    place is their id's rank among the sale's waiters."""

    sale = models.ForeignKey(FlashSale, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    served_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sale", "member"], name="flash_waiter_unique")]
        indexes = [models.Index(fields=["sale", "served_at", "id"], name="flash_waiter_line")]
