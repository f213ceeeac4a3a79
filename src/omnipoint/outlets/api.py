from django.http import HttpRequest
from ninja import Query, Router, Schema

from omnipoint.core.api import ERRORS, MAX_ID
from omnipoint.outlets import selectors, services
from omnipoint.outlets.schemas import MeOut, OutletIn, OutletOut, OutletPatch, RegionOut

router = Router(tags=["network"])


def actor(request: HttpRequest):  # type: ignore[no-untyped-def]
    return selectors.actor_get(user=request.user)


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    a = actor(request)
    return {
        "user_id": a.user_id,
        "username": request.user.get_username(),
        "name": a.name,
        "role": a.role,
        "region_path": a.scope.region_path,
        "outlet_id": a.scope.outlet_id,
        "permissions": sorted(a.perms),
    }


class RegionFilter(Schema):
    parent: str | None = None


@router.get("/regions", response={200: list[RegionOut], **ERRORS})
def region_list(request: HttpRequest, filters: Query[RegionFilter]):  # type: ignore[no-untyped-def]
    """Divisions under a parent code (provinces when no parent is given). Public reference data."""
    if filters.parent is not None:
        selectors.region_get(code=filters.parent)
    return list(selectors.region_children(parent_code=filters.parent))


class OutletFilter(Schema):
    search: str = ""
    kind: str = ""
    region: str = ""
    limit: int = 100
    offset: int = 0


@router.get("/outlets", response={200: list[OutletOut], **ERRORS})
def outlet_list(request: HttpRequest, filters: Query[OutletFilter]):  # type: ignore[no-untyped-def]
    """Outlets in the caller's scope."""
    qs = selectors.outlet_list(
        actor=actor(request), search=filters.search, kind=filters.kind, region_code=filters.region
    )
    offset = min(max(0, filters.offset), MAX_ID)
    return list(qs[offset : offset + max(1, min(filters.limit, 500))])


@router.get("/outlets/{outlet_id}", response={200: OutletOut, **ERRORS})
def outlet_get(request: HttpRequest, outlet_id: int):  # type: ignore[no-untyped-def]
    return selectors.outlet_get(actor=actor(request), outlet_id=outlet_id)


@router.post("/outlets", response={201: OutletOut, **ERRORS})
def outlet_create(request: HttpRequest, payload: OutletIn):  # type: ignore[no-untyped-def]
    return 201, services.outlet_create(actor=actor(request), **payload.dict())


@router.patch("/outlets/{outlet_id}", response={200: OutletOut, **ERRORS})
def outlet_update(request: HttpRequest, outlet_id: int, payload: OutletPatch):  # type: ignore[no-untyped-def]
    changes = payload.dict(exclude_unset=True, exclude_none=True)
    return services.outlet_update(actor=actor(request), outlet_id=outlet_id, **changes)
