from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from omnipoint.orders.models import Order, OrderEvent, OrderLine
from omnipoint.orders.selectors import order_list
from omnipoint.outlets.admin import ScopedAdmin
from omnipoint.outlets.domain import Perm


class LineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = readonly_fields = ("sku", "quantity", "unit_price", "amount", "location", "returned_quantity")


class EventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "kind", "channel", "actor", "data")


@admin.register(Order)
class OrderAdmin(ScopedAdmin):
    """Read-only: orders change through their services (console, API, storefront)."""

    view_perm = Perm.STOCK_VIEW
    list_display = ["number", "channel", "method", "state", "payment_state", "total", "created_at"]
    list_filter = ["state", "channel", "method"]
    search_fields = ["number", "customer_mobile"]
    inlines = [LineInline, EventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        actor = self._actor(request)
        if request.user.is_superuser:
            return super().get_queryset(request)
        return order_list(actor=actor) if actor else Order.objects.none()
