"""The showroom REST surface: a public showroom by its code, a salesperson's own showroom, and
commission rules for HQ and region managers. A salesperson's sales and the salespeople's
figures (``/showrooms/me/sales``, ``/showrooms/commissions``) join orders, which sit above
showrooms: ``orders.api.showrooms_router`` serves them."""

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router

from omnipoint.core.api import ERRORS, Id
from omnipoint.outlets.domain import Actor
from omnipoint.outlets.models import Outlet
from omnipoint.outlets.selectors import actor_get
from omnipoint.showrooms import selectors, services
from omnipoint.showrooms.models import Showroom
from omnipoint.showrooms.schemas import (
    RuleIn,
    RuleOut,
    RulePatch,
    ShowroomIn,
    ShowroomOut,
)

router = Router(tags=["showrooms"])


def actor(request: HttpRequest) -> Actor:
    return actor_get(user=request.user)


def outlet_out(o: Outlet | None) -> dict[str, object] | None:
    if o is None:
        return None
    return {
        "id": o.pk,
        "code": o.code,
        "name": o.name,
        "address": o.address,
        "opening_hours": o.opening_hours,
    }


def _showroom(s: Showroom) -> dict[str, object]:
    products = selectors.showroom_products(showroom=s)
    return {
        "code": s.code,
        "title": s.title,
        "greeting": s.greeting,
        "salesperson": s.staff.display_name,
        "outlet": outlet_out(s.staff.outlet),
        "share_path": reverse("storefront:showroom", kwargs={"code": s.code}),
        "products": [
            {
                "id": p.pk,
                "code": p.code,
                "name": p.name,
                "name_en": p.name_en,
                "skus": [
                    {
                        "id": k.pk,
                        "code": k.code,
                        "attributes": {str(a): str(v) for a, v in k.attributes.items()},
                    }
                    for k in p.skus.all()
                    if k.is_active
                ],
            }
            for p in products
        ],
    }


# Fixed paths first: "/{code}" would take them otherwise.


@router.get("/me", response={200: ShowroomOut, **ERRORS})
def showroom_mine(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The caller's own showroom (a salesperson), opened on first use."""
    return _showroom(selectors.showroom_get(code=services.showroom_ensure(actor=actor(request)).code))


@router.patch("/me", response={200: ShowroomOut, **ERRORS})
def showroom_edit(request: HttpRequest, payload: ShowroomIn):  # type: ignore[no-untyped-def]
    s = services.showroom_update(actor=actor(request), **payload.dict(exclude_unset=True))
    return _showroom(selectors.showroom_get(code=s.code))


@router.get("/rules", response={200: list[RuleOut], **ERRORS})
def rule_list(request: HttpRequest):  # type: ignore[no-untyped-def]
    return selectors.commission_rule_list(actor=actor(request))


@router.post("/rules", response={201: RuleOut, **ERRORS})
def rule_create(request: HttpRequest, payload: RuleIn):  # type: ignore[no-untyped-def]
    return 201, services.commission_rule_create(actor=actor(request), **payload.dict())


@router.patch("/rules/{rule_id}", response={200: RuleOut, **ERRORS})
def rule_update(request: HttpRequest, rule_id: Id, payload: RulePatch):  # type: ignore[no-untyped-def]
    return services.commission_rule_update(actor=actor(request), rule_id=rule_id, **payload.dict())


@router.delete("/rules/{rule_id}", response={204: None, **ERRORS})
def rule_delete(request: HttpRequest, rule_id: Id):  # type: ignore[no-untyped-def]
    services.commission_rule_delete(actor=actor(request), rule_id=rule_id)
    return 204, None


@router.get("/{code}", auth=None, response={200: ShowroomOut, **ERRORS})
def showroom_public(request: HttpRequest, code: str):  # type: ignore[no-untyped-def]
    """A showroom as the customer sees it: the salesperson's display name, outlet and products."""
    return _showroom(selectors.showroom_get(code=code))
