from django.db import models
from django.db.models import Q

from omnipoint.catalog.domain import ProductKind, variant_label
from omnipoint.core.channels import Channel
from omnipoint.outlets.models import Region


class Category(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=60)
    name_en = models.CharField(max_length=60, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Brand(models.Model):
    name = models.CharField(max_length=60, unique=True)

    def __str__(self) -> str:
        return self.name


class Supplier(models.Model):
    """Who supplies the goods. A concession (联营) brand's goods sit in the store but stay its own."""

    name = models.CharField(max_length=100, unique=True)
    is_concession = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=10, choices=ProductKind.choices, default=ProductKind.GOODS)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.PROTECT)
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.PROTECT)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Sku(models.Model):
    """A sellable variant of a product (style / colour / size), the unit stock is kept in."""

    code = models.CharField(max_length=40, unique=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="skus")
    attributes = models.JSONField(default=dict, blank=True)  # {"colour": "白", "size": "1.5匹"}
    barcode = models.CharField(max_length=32, unique=True, null=True, blank=True)
    is_active = models.BooleanField(default=True)
    # Against hoarding, for orders from the customer channels; empty: the network's default
    # (settings ORDER_MAX_UNITS_PER_SKU, MEMBER_MAX_OPEN_UNITS_PER_SKU).
    max_per_order = models.PositiveIntegerField(null=True, blank=True)
    max_per_member = models.PositiveIntegerField(null=True, blank=True)  # in the member's open orders

    class Meta:
        ordering = ["code"]
        verbose_name = "SKU"

    def __str__(self) -> str:
        return self.code

    @property
    def variant(self) -> str:
        return variant_label(self.attributes or {})

    @property
    def label(self) -> str:
        return f"{self.product.name} {self.variant}".strip()


class PriceList(models.Model):
    """Prices for a region (null: the whole network). Deeper regions override shallower ones."""

    name = models.CharField(max_length=80)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    """One SKU's price on a list; ``channel`` blank applies to every channel (同价)."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="prices")
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True, default="")
    amount = models.PositiveBigIntegerField()  # fen

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["price_list", "sku", "channel"], name="price_item_unique"),
            models.CheckConstraint(name="price_positive", condition=Q(amount__gt=0)),
        ]
