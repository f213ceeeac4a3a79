from django.db.models import Q, QuerySet

from omnipoint.core.errors import NotFoundError, PermissionDeniedError
from omnipoint.outlets.domain import ROLE_PERMS, Actor, Perm, Scope, SystemActor
from omnipoint.outlets.models import Outlet, Region, Staff


def actor_get(*, user) -> Actor:  # type: ignore[no-untyped-def]
    """The acting staff member. Users without a staff role (members, partners) have no scope."""
    staff = Staff.objects.select_related("region", "outlet").filter(user_id=user.pk).first()
    if staff is None:
        if user.is_superuser:
            return Actor(user.pk, None, None, Scope(region_path="/"), ROLE_PERMS["hq_admin"], user.username)
        raise PermissionDeniedError("this account has no staff role", code="not_staff")
    if staff.outlet_id is not None:
        scope = Scope(outlet_id=staff.outlet_id)
    else:
        scope = Scope(region_path=staff.region.path if staff.region else "/")
    return Actor(user.pk, staff.pk, staff.role, scope, ROLE_PERMS[staff.role], staff.display_name)


def staff_list(*, actor: Actor) -> QuerySet[Staff]:
    """The staff a manager manages: those held at their node or under it."""
    actor.require(Perm.STAFF_MANAGE)
    qs = Staff.objects.select_related("user", "region", "outlet").order_by(
        "outlet__code", "region__path", "pk"
    )
    scope = actor.scope
    if scope.outlet_id is not None:
        return qs.filter(outlet_id=scope.outlet_id)
    if scope.is_hq:
        return qs
    return qs.filter(
        Q(region__path__startswith=scope.region_path) | Q(outlet__region_path__startswith=scope.region_path)
    )


def scope_q(scope: Scope, via: str = "") -> Q:
    """A filter keeping rows whose outlet lies in the scope; ``via`` names the FK to the outlet
    ("" when filtering outlets themselves, "location" for stock rows)."""
    p = f"{via}__" if via else ""
    if scope.outlet_id is not None:
        return Q(**{f"{p}pk": scope.outlet_id})
    if scope.is_hq:
        return Q()
    return Q(**{f"{p}region_path__startswith": scope.region_path})


def outlet_list(
    *, actor: Actor, search: str = "", kind: str = "", region_code: str = "", active_only: bool = False
) -> QuerySet[Outlet]:
    qs = Outlet.objects.filter(scope_q(actor.scope)).select_related("region")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search) | Q(address__icontains=search))
    if kind:
        qs = qs.filter(kind=kind)
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        qs = qs.filter(region_path__startswith=region.path) if region else qs.none()
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("code")


def outlet_get(*, actor: Actor | SystemActor, outlet_id: int) -> Outlet:
    """One outlet in the actor's scope; anything else is not found (no existence leak)."""
    actor.require(Perm.NETWORK_VIEW)
    outlet = Outlet.objects.select_related("region").filter(scope_q(actor.scope), pk=outlet_id).first()
    if outlet is None:
        raise NotFoundError(f"outlet {outlet_id} not found", code="outlet_not_found")
    return outlet


def region_get(*, code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFoundError(f"region {code} not found", code="region_not_found")
    return region


def region_children(*, parent_code: str | None) -> QuerySet[Region]:
    if parent_code is None:
        return Region.objects.filter(parent__isnull=True)
    return Region.objects.filter(parent__code=parent_code)
