from django.http import HttpRequest
from ninja import Query, Router, Schema

from omnipoint.catalog import selectors, services
from omnipoint.catalog.domain import PriceWhy
from omnipoint.catalog.schemas import CategoryOut, PriceIn, PriceOut, ProductOut, SkuOut
from omnipoint.core.api import ERRORS, MAX_ID, explained
from omnipoint.core.channels import Channel
from omnipoint.core.explain import Explanation
from omnipoint.outlets.selectors import actor_get, region_get

router = Router(tags=["catalog"])


@router.get("/categories", response={200: list[CategoryOut], **ERRORS})
def category_list(request: HttpRequest):  # type: ignore[no-untyped-def]
    return list(selectors.category_list())


class ProductFilter(Schema):
    search: str = ""
    category: str = ""
    limit: int = 50
    offset: int = 0


@router.get("/products", response={200: list[ProductOut], **ERRORS})
def product_list(request: HttpRequest, filters: Query[ProductFilter]):  # type: ignore[no-untyped-def]
    qs = selectors.product_list(search=filters.search, category=filters.category)
    offset = min(max(0, filters.offset), MAX_ID)
    return list(qs[offset : offset + max(1, min(filters.limit, 200))])


@router.get("/products/{product_id}", response={200: ProductOut, **ERRORS})
def product_get(request: HttpRequest, product_id: int):  # type: ignore[no-untyped-def]
    return selectors.product_get(product_id=product_id)


class SkuLookup(Schema):
    barcode: str = ""
    code: str = ""


@router.get("/skus/lookup", response={200: SkuOut, **ERRORS})
def sku_lookup(request: HttpRequest, filters: Query[SkuLookup]):  # type: ignore[no-untyped-def]
    """Find a SKU by the barcode a scanner read, or by its code."""
    return selectors.sku_get(barcode=filters.barcode, code=filters.code)


class PriceQuery(Schema):
    region: str
    channel: Channel = Channel.WEB


@router.get("/skus/{sku_id}/price", response={200: PriceOut, **ERRORS})
def price_get(request: HttpRequest, sku_id: int, q: Query[PriceQuery]):  # type: ignore[no-untyped-def]
    """The price in a region on a channel, with the reasons it is that price."""
    selectors.sku_get(sku_id=sku_id)
    decision = selectors.price_get(sku_id=sku_id, region=region_get(code=q.region), channel=q.channel)
    return {
        "sku_id": sku_id,
        "region_code": q.region,
        "channel": q.channel,
        "amount": decision.amount,
        "price_list": decision.chosen.price_list,
        "reasons": explained(decision.reasons),
    }


@router.put("/prices", response={200: PriceOut, **ERRORS})
def price_set(request: HttpRequest, payload: PriceIn):  # type: ignore[no-untyped-def]
    """Set a SKU's price on a price list (optionally for one channel only)."""
    item = services.price_set(
        actor=actor_get(user=request.user),
        price_list_id=payload.price_list_id,
        sku_id=payload.sku_id,
        amount=payload.amount,
        channel=payload.channel or "",
    )
    region = item.price_list.region
    return {
        "sku_id": item.sku_id,
        "region_code": region.code if region else "",
        "channel": item.channel,
        "amount": item.amount,
        "price_list": item.price_list.name,
        "reasons": explained([Explanation(PriceWhy.AS_SET)]),
    }
