from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from omnipoint.outlets.domain import Level, Role


class Region(models.Model):
    """An administrative division: province, city or district (from the national adcodes)."""

    code = models.CharField(max_length=6, unique=True)  # first six digits of the adcode
    name = models.CharField(max_length=64)
    level = models.CharField(max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # "/32/3201/320102/": a scope is a prefix of it, so "under this node" is one indexed LIKE.
    path = models.CharField(max_length=32, unique=True)
    lat = models.FloatField()
    lng = models.FloatField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OutletKind(models.TextChoices):
    SELF_OPERATED = "self_operated", _("Self-operated store")
    FRANCHISE = "franchise", _("Franchise store")
    POST_OFFICE = "post_office", _("Post office")
    AGENT_POINT = "agent_point", _("Agent point")
    RURAL_POINT = "rural_point", _("Rural service point")
    EXPERIENCE = "experience", _("Experience store")
    WAREHOUSE = "warehouse", _("Warehouse")


class Outlet(models.Model):
    """A place that holds stock: a shop, a post office, an agent point or a warehouse."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=OutletKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="outlets")
    region_path = models.CharField(max_length=32, db_index=True)  # copy of region.path, for scope filters
    address = models.CharField(max_length=200, blank=True)
    lat = models.FloatField()
    lng = models.FloatField()
    opening_hours = models.CharField(max_length=60, default="09:00-21:00")
    sells_at_counter = models.BooleanField(default=True)
    pickup_point = models.BooleanField(default=False)
    ships_from_store = models.BooleanField(default=False)
    delivery_radius_km = models.PositiveIntegerField(default=0)  # 0: does not deliver
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["lat", "lng"], name="outlet_latlng")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Staff(models.Model):
    """A staff member's one role, held at one node of the tree."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    display_name = models.CharField(max_length=60)
    role = models.CharField(max_length=20, choices=Role.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")

    class Meta:
        verbose_name_plural = "staff"
        constraints = [
            models.CheckConstraint(
                name="staff_one_node",
                condition=~(Q(region__isnull=False) & Q(outlet__isnull=False)),
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.role})"
