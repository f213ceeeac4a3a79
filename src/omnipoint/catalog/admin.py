from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from omnipoint.catalog.models import Brand, Category, PriceList, PriceListItem, Product, Sku, Supplier
from omnipoint.outlets.admin import ScopedAdmin
from omnipoint.outlets.domain import Perm
from omnipoint.outlets.models import Outlet


class CatalogAdmin(ScopedAdmin):
    """The catalogue is one for the whole network: every staff member reads it, HQ edits it."""

    edit_perm = Perm.CATALOG_EDIT


@admin.register(Category)
class CategoryAdmin(CatalogAdmin):
    list_display = ["code", "name", "name_en", "parent"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Brand)
class BrandAdmin(CatalogAdmin):
    search_fields = ["name"]


@admin.register(Supplier)
class SupplierAdmin(CatalogAdmin):
    list_display = ["name", "is_concession"]
    list_filter = ["is_concession"]
    search_fields = ["name"]


class SkuInline(admin.TabularInline):
    model = Sku
    extra = 0
    fields = ["code", "barcode", "attributes", "is_active", "max_per_order", "max_per_member"]


@admin.register(Product)
class ProductAdmin(CatalogAdmin):
    list_display = ["code", "name", "kind", "category", "brand", "supplier", "is_active"]
    list_filter = ["kind", "is_active", "category"]
    search_fields = ["code", "name", "name_en", "skus__barcode", "skus__code"]
    inlines = [SkuInline]


class PriceItemInline(admin.TabularInline):
    model = PriceListItem
    extra = 0
    raw_id_fields = ["sku"]


@admin.register(PriceList)
class PriceListAdmin(ScopedAdmin):
    """Regional staff see the network-wide list and the lists of regions under their node, and
    edit only the latter; the network-wide list is HQ's."""

    edit_perm = Perm.PRICE_EDIT
    list_display = ["name", "region", "is_active"]
    inlines = [PriceItemInline]
    raw_id_fields = ["region"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        actor = self._actor(request)
        if request.user.is_superuser or (actor and actor.scope.is_hq):
            return qs
        if actor is None:
            return qs.none()
        if actor.scope.outlet_id is not None:  # outlet staff read the lists that apply to their outlet
            path = Outlet.objects.values_list("region_path", flat=True).get(pk=actor.scope.outlet_id)
            ancestors = [path[: i + 1] for i, ch in enumerate(path) if ch == "/" and i > 0]
            return qs.filter(Q(region__isnull=True) | Q(region__path__in=ancestors))
        return qs.filter(Q(region__isnull=True) | Q(region__path__startswith=actor.scope.region_path))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        actor = self._actor(request)
        if obj is None or request.user.is_superuser or (actor and actor.scope.is_hq):
            return True
        return bool(actor and obj.region is not None and actor.scope.covers_region(obj.region.path))

    def has_add_permission(self, request: HttpRequest) -> bool:
        actor = self._actor(request)
        return request.user.is_superuser or bool(actor and actor.scope.is_hq)
