"""Stock is read-only here: it changes only through the inventory services (console, API)."""

from django.contrib import admin

from omnipoint.inventory.models import CycleCount, Reservation, StockLevel, StockMovement, Transfer
from omnipoint.outlets.admin import ScopedAdmin
from omnipoint.outlets.domain import Perm


class StockAdmin(ScopedAdmin):
    view_perm = Perm.STOCK_VIEW
    scope_via = "location"


@admin.register(StockLevel)
class StockLevelAdmin(StockAdmin):
    list_display = ["location", "sku", "on_hand", "reserved", "safety_stock"]
    search_fields = ["sku__code", "sku__barcode", "location__code"]
    list_select_related = ["location", "sku"]


@admin.register(StockMovement)
class StockMovementAdmin(StockAdmin):
    list_display = ["created_at", "location", "sku", "kind", "quantity", "reference"]
    list_filter = ["kind"]
    search_fields = ["sku__code", "location__code", "reference"]
    list_select_related = ["location", "sku"]


@admin.register(Transfer)
class TransferAdmin(StockAdmin):
    scope_via = "source"
    list_display = ["pk", "source", "destination", "state", "created_at", "expected_at"]
    list_filter = ["state"]


@admin.register(CycleCount)
class CycleCountAdmin(StockAdmin):
    list_display = ["pk", "location", "state", "created_at", "posted_at"]
    list_filter = ["state"]


@admin.register(Reservation)
class ReservationAdmin(StockAdmin):
    """Holds span locations; only HQ reads them here (the console shows them per order)."""

    view_perm = "reservation.audit"
    list_display = ["owner_ref", "state", "channel", "expires_at"]
    list_filter = ["state"]
