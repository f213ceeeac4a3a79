"""The showroom REST surface: a public showroom by its code, a salesperson's own sales, the
salespeople's figures for managers in scope, and commission rules for HQ and region managers."""

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema

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
    SalesOut,
    SalespersonRow,
    ShowroomIn,
    ShowroomOut,
)

router = Router(tags=["showrooms"])


def actor(request: HttpRequest) -> Actor:
    return actor_get(user=request.user)


def _outlet(o: Outlet | None) -> dict[str, object] | None:
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
        "outlet": _outlet(s.staff.outlet),
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


def _sales(s: selectors.Sales) -> dict[str, object]:
    return {
        "staff_id": s.staff.pk,
        "display_name": s.staff.display_name,
        "outlet": _outlet(s.staff.outlet),
        "accrued": s.accrued,
        "reversed": s.reversed,
        "net": s.net,
        "ledger_balance": s.balance,
        "orders": [
            {
                "number": x.order.number,
                "state": x.order.state,
                "channel": x.order.channel,
                "method": x.order.method,
                "total": x.order.total,
                "created_at": x.order.created_at,
                "completed_at": x.order.completed_at,
                "commission_accrued": x.accrued,
                "commission_reversed": x.reversed,
            }
            for x in s.sales
        ],
    }


# Fixed paths first: "/{code}" would take them otherwise.


@router.get("/me", response={200: ShowroomOut, **ERRORS})
def showroom_mine(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The caller's own showroom (a salesperson), opened on first use."""
    staff = services.own_salesperson(actor(request))
    return _showroom(selectors.showroom_get(code=services.showroom_ensure(staff=staff).code))


@router.patch("/me", response={200: ShowroomOut, **ERRORS})
def showroom_edit(request: HttpRequest, payload: ShowroomIn):  # type: ignore[no-untyped-def]
    s = services.showroom_update(actor=actor(request), **payload.dict(exclude_unset=True))
    return _showroom(selectors.showroom_get(code=s.code))


@router.get("/me/sales", response={200: SalesOut, **ERRORS})
def sales_mine(request: HttpRequest):  # type: ignore[no-untyped-def]
    """A salesperson's own orders (those credited to them) and commission."""
    return _sales(selectors.sales_mine(actor=actor(request)))


class CommissionFilter(Schema):
    staff_id: Id | None = None


@router.get("/commissions", response={200: list[SalespersonRow] | SalesOut, **ERRORS})
def commissions(request: HttpRequest, f: Query[CommissionFilter]):  # type: ignore[no-untyped-def]
    """Managers: the salespeople in their scope with their figures, or one of them in detail."""
    a = actor(request)
    if f.staff_id is not None:
        return _sales(selectors.salesperson_sales(actor=a, staff_id=f.staff_id))
    return [
        {
            "staff_id": r["staff"].pk,  # type: ignore[attr-defined]
            "display_name": r["staff"].display_name,  # type: ignore[attr-defined]
            "outlet": _outlet(r["staff"].outlet),  # type: ignore[attr-defined]
            "orders": r["orders"],
            "accrued": r["accrued"],
            "reversed": r["reversed"],
            "net": r["net"],
        }
        for r in selectors.salesperson_list(actor=a)
    ]


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
