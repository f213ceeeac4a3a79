import csv
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from omnipoint.core.errors import NotFoundError, ValidationError
from omnipoint.outlets.domain import ROLE_NODE, Actor, Perm, region_level, region_parent_code
from omnipoint.outlets.models import Outlet, Region, Staff
from omnipoint.outlets.selectors import outlet_get, region_get

ADCODES_CSV = Path(__file__).parent / "data" / "adcodes.csv"


@transaction.atomic
def regions_load(*, csv_path: Path = ADCODES_CSV, model: type[Region] = Region) -> int:
    """Build the region tree from the national division codes. Idempotent: known codes are kept.

    One bulk insert per level (provinces, cities, districts), parents first. ``model`` lets the
    data migration pass its historical model.
    """
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
    actor: Actor,
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
def outlet_update(*, actor: Actor, outlet_id: int, **changes: object) -> Outlet:
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
        # Inventory copies the coordinates onto stock rows for "where is it"; imported here
        # because inventory imports outlets.
        from omnipoint.inventory.services import stock_coordinates_sync

        stock_coordinates_sync(outlet_id=outlet.pk)
    return outlet


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str,
    display_name: str,
    role: str,
    region: Region | None = None,
    outlet: Outlet | None = None,
) -> Staff:
    """Create a login with one role at one node; the node must fit the role."""
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
    user = get_user_model().objects.create_user(username=username, password=password, is_staff=True)
    return Staff.objects.create(user=user, display_name=display_name, role=role, region=region, outlet=outlet)
