from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from omnipoint.catalog.models import Sku
from omnipoint.outlets.models import Outlet


class StockLevelQuerySet(models.QuerySet["StockLevel"]):
    def sellable(self, quantity: int = 1, *, online: bool = True) -> "StockLevelQuerySet":
        """The rows that can sell ``quantity`` more: ``on_hand >= reserved + quantity``, and online
        (web, app, mini-program, delivery) above the safety stock too, which is left for the
        counter. The one statement of "sellable stock": every query and guarded UPDATE uses it
        (the raw statements of a hold, in ``services.reservations``, repeat it)."""
        need = F("reserved") + quantity
        return self.filter(on_hand__gte=(need + F("safety_stock")) if online else need)


class StockLevel(models.Model):
    """Stock of one SKU at one location. Changed only by the guarded UPDATEs in services.py."""

    # No single-column indexes: (sku, location) and (location, sku) below serve both keys, and
    # a lone location index tempts the planner into reading every row of each outlet on a
    # "where is it" search instead of the one row of the SKU.
    location = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="stock", db_index=False)
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="stock", db_index=False)
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    # Left for the counter: online channels may not reserve into it.
    safety_stock = models.IntegerField(default=0)
    # The location's coordinates, copied here so that "where is it" is one range scan of the
    # SKU's rows in (sku, lat, lng) instead of a probe per outlet in the box. Written when the row
    # is created and by stock_coordinates_sync when an outlet moves; check_inventory compares.
    # No default: a row created without them fails loudly instead of sitting at (0, 0).
    lat = models.FloatField()
    lng = models.FloatField()

    objects = StockLevelQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sku", "location"], name="stock_sku_location"),
            models.CheckConstraint(name="stock_reserved_nonneg", condition=Q(reserved__gte=0)),
            models.CheckConstraint(name="stock_reserved_le_on_hand", condition=Q(reserved__lte=F("on_hand"))),
            models.CheckConstraint(name="stock_safety_nonneg", condition=Q(safety_stock__gte=0)),
        ]
        indexes = [
            models.Index(fields=["location", "sku"], name="stock_location_sku"),
            # Coordinates change rarely, so stock updates (on_hand, reserved) stay HOT updates.
            models.Index(fields=["sku", "lat", "lng"], name="stock_sku_lat_lng"),
        ]

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    SALE = "sale", _("Sale")
    RETURN = "return", _("Return")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ADJUSTMENT = "adjustment", _("Adjustment")
    COUNT_CORRECTION = "count_correction", _("Count correction")


class StockMovement(models.Model):
    """The insert-only ledger: on_hand of a stock row always equals the sum of its movements."""

    location = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=MovementKind.choices)
    quantity = models.IntegerField()  # signed: + in, - out
    reference = models.CharField(max_length=60, blank=True)  # "transfer:12", "reservation:9", "count:3"
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["location", "sku", "id"], name="movement_location_sku")]
        constraints = [models.CheckConstraint(name="movement_nonzero", condition=~Q(quantity=0))]


class ReservationState(models.TextChoices):
    HELD = "held", _("Held")
    COMMITTED = "committed", _("Committed")
    RELEASED = "released", _("Released")
    EXPIRED = "expired", _("Expired")


class OwnerKind(models.TextChoices):
    """Who a hold belongs to. Each kind is its own namespace of owner references, so a clerk's
    "order:5:3" is not order 5's hold; only staff holds are closed by staff through the API."""

    STAFF = "staff", _("Staff")  # made through the API or console by a staff member
    ORDER = "order", _("Order")  # an order's; it moves only with the order
    SYSTEM = "system", _("System")  # other internal callers (tests, benchmarks)


class Reservation(models.Model):
    """Stock held for a cart, an order or a transfer until committed, released or expired."""

    owner_kind = models.CharField(max_length=10, choices=OwnerKind.choices, default=OwnerKind.SYSTEM)
    owner_ref = models.CharField(max_length=80)  # "order:123:4": with the kind, the idempotency key
    state = models.CharField(max_length=10, choices=ReservationState.choices, default=ReservationState.HELD)
    channel = models.CharField(max_length=10, blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["state", "expires_at"], name="reservation_sweep")]
        constraints = [models.UniqueConstraint(fields=["owner_kind", "owner_ref"], name="reservation_owner")]


class ReservationLine(models.Model):
    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="lines")
    location = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reservation", "location", "sku"], name="reservation_line_unique"
            ),
            models.CheckConstraint(name="reservation_line_positive", condition=Q(quantity__gt=0)),
        ]


class TransferState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")
    SHORT_RECEIVED = "short_received", _("Received short")
    CANCELLED = "cancelled", _("Cancelled")


class Transfer(models.Model):
    source = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="transfers_out")
    destination = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="transfers_in")
    state = models.CharField(max_length=16, choices=TransferState.choices, default=TransferState.DRAFT)
    # Set when the goods were already held at the source (an order's stock moving to its pickup
    # outlet): dispatch then commits that hold instead of taking free stock.
    reservation = models.OneToOneField(Reservation, null=True, blank=True, on_delete=models.PROTECT)
    note = models.CharField(max_length=200, blank=True)
    expected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(name="transfer_two_places", condition=~Q(source=F("destination")))
        ]


class TransferLine(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    received_quantity = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["transfer", "sku"], name="transfer_line_unique"),
            models.CheckConstraint(name="transfer_line_positive", condition=Q(quantity__gt=0)),
        ]


class CountState(models.TextChoices):
    OPEN = "open", _("Open")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


class CycleCount(models.Model):
    location = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="counts")
    state = models.CharField(max_length=10, choices=CountState.choices, default=CountState.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(null=True, blank=True)


class CycleCountLine(models.Model):
    count = models.ForeignKey(CycleCount, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    counted = models.PositiveIntegerField(null=True, blank=True)
    # Filled when posted: what the books said at that moment, and the correction posted.
    expected = models.IntegerField(null=True, blank=True)
    correction = models.IntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["count", "sku"], name="count_line_unique")]
