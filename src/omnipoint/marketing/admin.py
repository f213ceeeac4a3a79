from django.contrib import admin

from omnipoint.marketing.models import Coupon, CouponTemplate, Game, GameAttempt, Prize, Promotion


@admin.register(CouponTemplate)
class CouponTemplateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "kind", "region_path", "issued_count", "budget_count", "ends_at"]
    search_fields = ["code", "name"]
    readonly_fields = ["issued_count", "discount_committed"]


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "template", "member", "state", "order", "discount", "expires_at"]
    list_filter = ["state", "source"]
    search_fields = ["code", "member__mobile"]
    # State changes go through the services (guarded); the admin only looks.
    readonly_fields = ["state", "order", "discount", "template", "member"]


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "kind", "channel", "region_path", "priority", "stackable", "is_active", "ends_at"]
    list_filter = ["kind", "is_active"]


class PrizeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Prize
    readonly_fields = ["remaining"]
    extra = 0


@admin.register(Game)
class GameAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "kind", "region_path", "awarded_count", "budget_count", "ends_at"]
    inlines = [PrizeInline]
    readonly_fields = ["awarded_count"]


@admin.register(GameAttempt)
class GameAttemptAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["game", "member", "prize", "delivery", "created_at"]
    list_filter = ["delivery"]
