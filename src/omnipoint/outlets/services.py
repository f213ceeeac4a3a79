import csv
import re
from pathlib import Path

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from omnipoint.core.cached import forget
from omnipoint.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from omnipoint.outlets.domain import (
    ROLE_NODE,
    Actor,
    Perm,
    StaffActor,
    SystemActor,
    may_grant,
    region_level,
    region_parent_code,
)
from omnipoint.outlets.hooks import OUTLET_MOVED
from omnipoint.outlets.models import Outlet, Region, Staff
from omnipoint.outlets.selectors import outlet_get, region_get, staff_list

ADCODES_CSV = Path(__file__).parent / "data" / "adcodes.csv"
# A staff login opens stock and money: Django's four checks, whatever the settings say.
STAFF_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]


@transaction.atomic
def regions_load(*, actor: SystemActor, csv_path: Path = ADCODES_CSV, model: type[Region] = Region) -> int:
    """Build the region tree from the national division codes. Idempotent: known codes are kept.

    One bulk insert per level (provinces, cities, districts), parents first. ``model`` lets the
    data migration pass its historical model. The tree is national reference data: only the
    platform loads it (the migration, a test's fresh database).
    """
    if not actor.is_system:
        raise PermissionDeniedError("only the platform loads the region tree", code="forbidden")
    with open(csv_path, encoding="utf-8") as fh:
        # Rows without coordinates are the "市辖区" placeholders of prefecture cities: not places.
        rows = {r["adcode"][:6]: r for r in csv.DictReader(fh) if r["latitude"] and r["longitude"]}
    known = set(rows)
    created = 0
    for level in ("province", "city", "district"):
        existing = set(model.objects.values_list("code", flat=True))
        parents = {code: (pk, path) for pk, code, path in model.objects.values_list("pk", "code", "path")}
        new = []
        for code in sorted(c for c in rows if region_level(c) == level and c not in existing):
            parent_code = region_parent_code(code, known)
            parent_pk, parent_path = parents[parent_code] if parent_code else (None, "/")
            segment = code[:2] if parent_code is None else (code[:4] if level == "city" else code)
            row = rows[code]
            new.append(
                model(
                    code=code,
                    name=row["name"],
                    level=level,
                    parent_id=parent_pk,
                    path=parent_path + segment + "/",
                    lat=float(row["latitude"]),
                    lng=float(row["longitude"]),
                )
            )
        model.objects.bulk_create(new, batch_size=1000)
        forget("outlets")  # a bulk insert sends no signal
        forget("prices")
        created += len(new)
    return created


def _check_outlet_fields(*, lat: float, lng: float, delivery_radius_km: int) -> None:
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError("coordinates out of range", code="invalid_coordinates")
    if not 0 <= delivery_radius_km <= 500:
        raise ValidationError("delivery radius must be 0..500 km", code="invalid_radius")


@transaction.atomic
def outlet_create(
    *,
    actor: StaffActor,
    code: str,
    name: str,
    kind: str,
    region_code: str,
    lat: float,
    lng: float,
    address: str = "",
    opening_hours: str = "09:00-21:00",
    sells_at_counter: bool = True,
    pickup_point: bool = False,
    ships_from_store: bool = False,
    delivery_radius_km: int = 0,
) -> Outlet:
    actor.require(Perm.OUTLET_EDIT)
    region = region_get(code=region_code)
    if not actor.scope.covers_region(region.path):
        raise NotFoundError(f"region {region_code} not found", code="region_not_found")
    if region.level != "district":
        raise ValidationError("an outlet is placed in a district", code="not_a_district")
    _check_outlet_fields(lat=lat, lng=lng, delivery_radius_km=delivery_radius_km)
    if Outlet.objects.filter(code=code).exists():
        raise ValidationError(f"outlet code {code} is taken", code="duplicate_code")
    return Outlet.objects.create(
        code=code,
        name=name,
        kind=kind,
        region=region,
        region_path=region.path,
        lat=lat,
        lng=lng,
        address=address,
        opening_hours=opening_hours,
        sells_at_counter=sells_at_counter,
        pickup_point=pickup_point,
        ships_from_store=ships_from_store,
        delivery_radius_km=delivery_radius_km,
    )


_EDITABLE = {
    "name",
    "address",
    "opening_hours",
    "sells_at_counter",
    "pickup_point",
    "ships_from_store",
    "delivery_radius_km",
    "is_active",
    "lat",
    "lng",
}


@transaction.atomic
def outlet_update(*, actor: StaffActor, outlet_id: int, **changes: object) -> Outlet:
    actor.require(Perm.OUTLET_EDIT)
    outlet = outlet_get(actor=actor, outlet_id=outlet_id)
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise ValidationError(f"cannot change {sorted(unknown)}", code="invalid_field")
    for field, value in changes.items():
        setattr(outlet, field, value)
    _check_outlet_fields(lat=outlet.lat, lng=outlet.lng, delivery_radius_km=outlet.delivery_radius_km)
    outlet.save()
    if "lat" in changes or "lng" in changes:
        OUTLET_MOVED(outlet.pk, actor)
    return outlet


def _authorize_grant(actor: StaffActor, role: str, region: Region | None, outlet: Outlet | None) -> None:
    """A manager grants a role only at or under their own node and never above their own role;
    the platform (the demo, a test's personas) creates anyone."""
    if actor.is_system:
        return
    actor.require(Perm.STAFF_MANAGE)
    if outlet is not None:
        if not actor.scope.covers_outlet(outlet_id=outlet.pk, region_path=outlet.region_path):
            raise NotFoundError(f"outlet {outlet.pk} not found", code="outlet_not_found")
    elif region is not None:
        if not actor.scope.covers_region(region.path):
            raise NotFoundError(f"region {region.code} not found", code="region_not_found")
    elif not actor.scope.is_hq:
        raise NotFoundError("the HQ node is not yours", code="region_not_found")
    if not may_grant(actor.role, role):
        raise PermissionDeniedError(f"{role} is above your own role", code="role_above_yours", role=role)


@transaction.atomic
def staff_create(
    *,
    actor: StaffActor,
    username: str,
    password: str,
    display_name: str,
    role: str,
    region: Region | None = None,
    outlet: Outlet | None = None,
) -> Staff:
    """Create a login with one role at one node; the node must fit the role, and lie at or
    under a granting manager's own (``staff_add`` checks the rest of what a manager gives)."""
    node = ROLE_NODE.get(role, "?")
    if node == "?":
        raise ValidationError(f"unknown role {role}", code="invalid_role")
    fits = (
        (node is None and region is None and outlet is None)
        or (node == "outlet" and outlet is not None and region is None)
        or (region is not None and outlet is None and region.level == node)
    )
    if not fits:
        raise ValidationError(f"role {role} is held at a {node or 'HQ'} node", code="invalid_node")
    _authorize_grant(actor, role, region, outlet)
    user = get_user_model().objects.create_user(username=username, password=password, is_staff=True)
    return Staff.objects.create(user=user, display_name=display_name, role=role, region=region, outlet=outlet)


# --- staff management: a manager adds staff and assigns roles at or under their node ---------


def _grant_node(
    actor: Actor, role: str, region_code: str, outlet_id: int | None
) -> tuple[Region | None, Outlet | None]:
    """The node a role is to be held at, checked against the granting manager: the node lies at
    or under theirs (else it does not exist for them: 404) and the role is not above theirs (403)."""
    node = ROLE_NODE.get(role, "?")
    if node == "?":
        raise ValidationError(f"unknown role {role}", code="invalid_role")
    region = outlet = None
    if node == "outlet":
        if outlet_id is None:
            raise ValidationError("choose the outlet", code="node_required")
        outlet = outlet_get(actor=actor, outlet_id=outlet_id)  # outside the scope: 404
    elif node is not None:
        region = region_get(code=region_code) if region_code else None
        if region is None:
            raise ValidationError("give the region's code", code="node_required")
        if not actor.scope.covers_region(region.path):
            raise NotFoundError(f"region {region_code} not found", code="region_not_found")
    elif not actor.scope.is_hq:
        raise NotFoundError("the HQ node is not yours", code="region_not_found")
    if not may_grant(actor.role, role):
        raise PermissionDeniedError(f"{role} is above your own role", code="role_above_yours", role=role)
    return region, outlet


@transaction.atomic
def staff_add(
    *,
    actor: Actor,
    username: str,
    password: str,
    display_name: str,
    role: str,
    region_code: str = "",
    outlet_id: int | None = None,
) -> Staff:
    """A manager adds a staff member with one role at a node at or under their own."""
    actor.require(Perm.STAFF_MANAGE)
    username, display_name = username.strip(), display_name.strip()
    if not re.fullmatch(r"[\w.@+-]{1,150}", username):
        raise ValidationError("a username is letters, digits and . @ + - _", code="invalid_username")
    if not 1 <= len(display_name) <= 60:
        raise ValidationError("give the name staff will see", code="name_required")
    region, outlet = _grant_node(actor, role, region_code, outlet_id)
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise ConflictError(f"username {username} is taken", code="username_taken")
    try:
        password_validation.validate_password(
            password,
            get_user_model()(username=username),
            password_validation.get_password_validators(STAFF_PASSWORD_VALIDATORS),
        )
    except DjangoValidationError as exc:
        raise ValidationError("the password is too weak", code="weak_password", reasons=exc.messages) from exc
    return staff_create(
        actor=actor,
        username=username,
        password=password,
        display_name=display_name,
        role=role,
        region=region,
        outlet=outlet,
    )


@transaction.atomic
def staff_assign(
    *, actor: Actor, staff_id: int, role: str, region_code: str = "", outlet_id: int | None = None
) -> Staff:
    """A manager moves a staff member of their node to another role or node, both at or under
    their own; never their own role, never someone whose role is above theirs."""
    staff = staff_list(actor=actor).filter(pk=staff_id).first()
    if staff is None:
        raise NotFoundError(f"staff {staff_id} not found", code="staff_not_found")
    if staff.user_id == actor.user_id:
        raise PermissionDeniedError("another manager changes your own role", code="own_role")
    if not may_grant(actor.role, staff.role):
        raise PermissionDeniedError(f"{staff.role} is above your own role", code="role_above_yours")
    region, outlet = _grant_node(actor, role, region_code, outlet_id)
    Staff.objects.filter(pk=staff.pk).update(role=role, region=region, outlet=outlet)
    staff.refresh_from_db()
    return staff
