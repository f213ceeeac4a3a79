"""Flash sales through the REST API (/api/v1/flash): staff set a sale up, read it and end it;
a member claims, asks where they stand (the queue page polls it) and checks a claim out."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from omnipoint.core.api import ERRORS
from omnipoint.flashsales import selectors, services
from omnipoint.flashsales.models import FlashSale
from omnipoint.flashsales.schemas import (
    FlashCheckoutIn,
    FlashCheckoutOut,
    FlashClaimIn,
    FlashClaimOut,
    FlashSaleCreateIn,
    FlashSaleOut,
    FlashStandingOut,
)
from omnipoint.members.selectors import member_actor, member_for_user
from omnipoint.outlets.domain import MemberActor
from omnipoint.outlets.selectors import actor_get

router = Router(tags=["flash sales"])


def _member(request: HttpRequest) -> MemberActor:
    return member_actor(member_for_user(user=request.user))


def sale_out(sale: FlashSale) -> dict[str, Any]:
    pool = selectors.pool_of(sale)
    return {
        **{f: getattr(sale, f) for f in ("id", "name", "sku_id", "pool_id", "state", "starts_at", "ends_at",
                                         "per_member_limit", "pooled")},
        "on_hand": pool.on_hand, "reserved": pool.reserved, "available": pool.available,
        "sold": pool.sold, "returned": pool.returned,
        "sources": [{"outlet_id": s.outlet_id, "quantity": s.quantity, "returned": s.returned}
                    for s in selectors.sources_of(sale)],
    }  # fmt: skip


@router.post("/sales", response={201: FlashSaleOut, **ERRORS})
def sale_create(request: HttpRequest, payload: FlashSaleCreateIn):  # type: ignore[no-untyped-def]
    """Set a pool aside from outlets for a window (``flash.sale`` at a node covering them all).
    409 ``insufficient_stock`` when an outlet has less free than it is to give; nothing moves."""
    sale = services.flash_sale_create(
        actor=actor_get(user=request.user),
        name=payload.name,
        sku_id=payload.sku_id,
        sources=[(s.outlet_id, s.quantity) for s in payload.sources],
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        per_member_limit=payload.per_member_limit,
    )
    return 201, sale_out(sale)


@router.get("/sales", response={200: list[FlashSaleOut], **ERRORS})
def sale_list(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The sales of outlets under the caller's node, newest first (at most 50)."""
    return [sale_out(s) for s in selectors.flash_sales_list(actor=actor_get(user=request.user))[:50]]


@router.get("/sales/{sale_id}", response={200: FlashSaleOut, **ERRORS})
def sale_get(request: HttpRequest, sale_id: int):  # type: ignore[no-untyped-def]
    return sale_out(selectors.flash_sale_get(actor=actor_get(user=request.user), sale_id=sale_id))


@router.post("/sales/{sale_id}/end", response={200: FlashSaleOut, **ERRORS})
def sale_end(request: HttpRequest, sale_id: int):  # type: ignore[no-untyped-def]
    """Stop claims now and hand what is free back to the outlets in proportion; units still held
    go back as their claims lapse or their orders are cancelled."""
    return sale_out(services.flash_sale_end(actor=actor_get(user=request.user), sale_id=sale_id))


@router.post("/sales/{sale_id}/claims", response={201: FlashClaimOut, **ERRORS})
def claim_create(request: HttpRequest, sale_id: int, payload: FlashClaimIn):  # type: ignore[no-untyped-def]
    """A member claims units of the pool, held for them to check out. 409 ``flash_limit_reached``,
    ``sold_out``, or ``in_line`` (the pool is empty but units may come back: they wait in line)."""
    claim = services.flash_claim(actor=_member(request), sale_id=sale_id, quantity=payload.quantity)
    return 201, {"id": claim.pk, "sale_id": sale_id, "quantity": claim.quantity,
                 "expires_at": claim.reservation.expires_at}  # fmt: skip


@router.get("/sales/{sale_id}/standing", response={200: FlashStandingOut, **ERRORS})
def standing(request: HttpRequest, sale_id: int):  # type: ignore[no-untyped-def]
    """Where the member stands: cheap enough to poll every few seconds."""
    me = _member(request)
    return selectors.standing_get(actor=me, sale=selectors.sale_on_show(sale_id=sale_id)).as_json()


@router.post("/claims/{claim_id}/order", response={201: FlashCheckoutOut, **ERRORS})
def claim_checkout(request: HttpRequest, claim_id: int, payload: FlashCheckoutIn):  # type: ignore[no-untyped-def]
    """The member's claim becomes their pickup order at one of the sale's outlets."""
    order = services.flash_checkout(
        actor=_member(request),
        claim_id=claim_id,
        pickup_outlet_id=payload.pickup_outlet_id,
        payment_mode=payload.payment_mode,
    )
    return 201, {"order_id": order.pk, "number": order.number, "state": order.state, "total": order.total}
