"""The Django admin for master data, under the same scope rules as the API and the console.

Staff have no Django model permissions: what they may see and change in the admin comes from
their role (``ROLE_PERMS``) and what lies under their node (``scope_q``). Superusers see all.
Writes that have a service go through it, so the admin cannot bypass a rule the API keeps.
"""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from omnipoint.core.errors import DomainError
from omnipoint.outlets import services
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.models import Outlet, Region, Staff
from omnipoint.outlets.selectors import actor_get, scope_q


def request_actor(request: HttpRequest) -> Actor | None:
    user = request.user
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return None
    try:
        return actor_get(user=user)
    except DomainError:
        return None


class ScopedAdmin(admin.ModelAdmin):
    """``view_perm`` / ``edit_perm`` name the role permissions; ``scope_via`` the path to the
    outlet a row belongs to ("" for outlets themselves, None for network-wide data)."""

    view_perm: str = Perm.NETWORK_VIEW
    edit_perm: str | None = None  # None: read-only in the admin (changed through services elsewhere)
    scope_via: str | None = None

    def _actor(self, request: HttpRequest) -> Actor | None:
        if not hasattr(request, "_omnipoint_actor"):
            request._omnipoint_actor = request_actor(request)  # type: ignore[attr-defined]
        return request._omnipoint_actor  # type: ignore[attr-defined]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        actor = self._actor(request)
        if request.user.is_superuser or self.scope_via is None:
            return qs
        return qs.filter(scope_q(actor.scope, self.scope_via)) if actor else qs.none()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        actor = self._actor(request)
        return request.user.is_superuser or (actor is not None and actor.can(self.view_perm))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        actor = self._actor(request)
        return self.edit_perm is not None and (
            request.user.is_superuser or (actor is not None and actor.can(self.edit_perm))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # master data is deactivated, never deleted (stock and orders point at it)


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["code", "name", "level", "path"]
    search_fields = ["code", "name"]
    list_filter = ["level"]


@admin.register(Outlet)
class OutletAdmin(ScopedAdmin):
    edit_perm = Perm.OUTLET_EDIT
    scope_via = ""
    list_display = ["code", "name", "kind", "region", "pickup_point", "ships_from_store", "is_active"]
    list_filter = ["kind", "is_active", "pickup_point", "ships_from_store"]
    search_fields = ["code", "name", "address"]
    raw_id_fields = ["region"]
    readonly_fields = ["region_path"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code", "region", "region_path"] if obj is not None else ["region_path"]

    def save_model(self, request: HttpRequest, obj: Outlet, form: Any, change: bool) -> None:
        actor = self._actor(request)
        if actor is None:
            raise PermissionDenied
        try:
            if change:
                changes = {f: form.cleaned_data[f] for f in form.changed_data}
                saved = services.outlet_update(actor=actor, outlet_id=obj.pk, **changes)
            else:
                data = {f: v for f, v in form.cleaned_data.items() if f not in ("region", "is_active")}
                saved = services.outlet_create(actor=actor, region_code=obj.region.code, **data)
        except DomainError as exc:
            raise PermissionDenied(exc.message) from exc
        obj.pk = saved.pk


@admin.register(Staff)
class StaffAdmin(ScopedAdmin):
    """Staff and their nodes, read-only and for superusers only: managers add staff and assign
    roles in the console (/console/staff/), scoped to their node by outlets.services."""

    view_perm = "staff.admin"  # no role holds it
    list_display = ["display_name", "role", "region", "outlet", "user"]
    list_filter = ["role"]
    search_fields = ["display_name", "user__username"]
