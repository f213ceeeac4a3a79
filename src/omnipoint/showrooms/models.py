"""A salesperson's showroom, the commission rules, and what each order earned or gave back.

The money itself is on the ledger (``platform:commission:expense`` -> ``staff:<id>:commission``,
one posting per accrual and per reversal, keyed by the order). The rows here say which order
and which lines a posting was for, so that a return can reverse exactly its part.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from omnipoint.catalog.models import Category, Product
from omnipoint.outlets.models import Staff


class Showroom(models.Model):
    """A salesperson's page on the storefront (专属展厅), reached by its share link."""

    staff = models.OneToOneField(Staff, on_delete=models.CASCADE, related_name="showroom")
    code = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=80, blank=True)
    greeting = models.CharField(max_length=300, blank=True)
    # True: whatever is in stock at and near the salesperson's outlet; False: ``products``.
    all_products = models.BooleanField(default=True)
    products = models.ManyToManyField(Product, blank=True, related_name="+")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code


class CommissionRule(models.Model):
    region_path = models.CharField(max_length=32, db_index=True)  # owning node; "/" is HQ
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    rate = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)
    fixed_per_unit = models.PositiveBigIntegerField(null=True, blank=True)  # fen
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="commission_rule_one_way",
                condition=Q(rate__isnull=True, fixed_per_unit__isnull=False)
                | Q(rate__isnull=False, fixed_per_unit__isnull=True),
            ),
            models.CheckConstraint(
                name="commission_rule_one_target",
                condition=Q(product__isnull=True) | Q(category__isnull=True),
            ),
        ]


class CommissionAccrual(models.Model):
    """What an order earned its salesperson when it completed (zero when no rule paid)."""

    order_id = models.BigIntegerField(unique=True)  # orders' id: showrooms sit below orders
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="commission_accruals")
    amount = models.PositiveBigIntegerField()  # fen
    lines = models.JSONField(default=list)  # [{"line_id", "sku_id", "quantity", "rule_id", "amount"}]
    posting_key = models.CharField(max_length=100, blank=True)  # blank when nothing was earned
    created_at = models.DateTimeField(auto_now_add=True)


class CommissionReversal(models.Model):
    """The part of an accrual a return took back."""

    accrual = models.ForeignKey(CommissionAccrual, on_delete=models.PROTECT, related_name="reversals")
    order_return_id = models.BigIntegerField(unique=True)  # orders' OrderReturn id
    amount = models.PositiveBigIntegerField()
    posting_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
