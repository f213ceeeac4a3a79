from django.db.models import Q, QuerySet

from omnipoint.catalog.domain import PriceCandidate, PriceDecision, choose_price
from omnipoint.catalog.models import Category, PriceListItem, Product, Sku
from omnipoint.core.cached import remember_many
from omnipoint.core.errors import NotFoundError
from omnipoint.outlets.models import Region


def category_list() -> QuerySet[Category]:
    return Category.objects.select_related("parent").order_by("code")


def product_list(*, search: str = "", category: str = "", active_only: bool = True) -> QuerySet[Product]:
    qs = Product.objects.select_related("category", "brand", "supplier").prefetch_related("skus")
    if active_only:
        qs = qs.filter(is_active=True)
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(name_en__icontains=search)
            | Q(code__icontains=search)
            | Q(skus__barcode=search)
            | Q(skus__code=search)
        ).distinct()
    if category:
        qs = qs.filter(Q(category__code=category) | Q(category__parent__code=category))
    return qs.order_by("code")


def product_get(*, product_id: int) -> Product:
    product = product_list(active_only=False).filter(pk=product_id).first()
    if product is None:
        raise NotFoundError(f"product {product_id} not found", code="product_not_found")
    return product


def sku_get(*, sku_id: int | None = None, code: str = "", barcode: str = "") -> Sku:
    qs = Sku.objects.select_related("product")
    if sku_id is not None:
        sku = qs.filter(pk=sku_id).first()
    elif barcode:
        sku = qs.filter(barcode=barcode).first()
    else:
        sku = qs.filter(code=code).first() if code else None
    if sku is None:
        raise NotFoundError("SKU not found", code="sku_not_found")
    return sku


def prices_get(*, sku_ids: list[int], region: Region, channel: str) -> dict[int, PriceDecision]:
    """Prices of several SKUs in a region on a channel, each with where it came from; SKUs
    without any price are left out. The candidates are kept a while (``core.cached``, area
    "prices", forgotten when a price list, a price or a region changes): one query for the SKUs
    not kept, none when all are.

    Candidates are the network-wide list and the lists of the region and each of its ancestors;
    the pure policy in domain.choose_price picks one per SKU and says why.
    """
    none: list[PriceCandidate] = []
    candidates = remember_many(
        "prices", [f"{region.path}:{s}" for s in sku_ids], lambda keys: _candidates(keys, region.path), none
    )
    decisions = {s: choose_price(candidates[f"{region.path}:{s}"], channel=channel) for s in sku_ids}
    return {sku_id: d for sku_id, d in decisions.items() if d is not None}


def _candidates(keys: list[str], path: str) -> dict[str, list[PriceCandidate]]:
    """Every price a SKU has that applies in the region at ``path`` (its own list, its
    ancestors', the network's): one query for all the keys ("<path>:<sku id>") asked."""
    sku_ids = [int(k.rsplit(":", 1)[1]) for k in keys]
    ancestors = [path[: i + 1] for i, ch in enumerate(path) if ch == "/" and i > 0]
    items = (
        PriceListItem.objects.filter(sku_id__in=sku_ids, price_list__is_active=True)
        .filter(Q(price_list__region__isnull=True) | Q(price_list__region__path__in=ancestors))
        .values_list(
            "sku_id",
            "pk",
            "amount",
            "price_list__name",
            "price_list__region__name",
            "price_list__region__path",
            "channel",
        )
    )
    by_key: dict[str, list[PriceCandidate]] = {}
    for sku_id, pk, amount, name, rname, rpath, channel_ in items:
        by_key.setdefault(f"{path}:{sku_id}", []).append(
            PriceCandidate(
                item_id=pk,
                amount=amount,
                price_list=name,
                region_name=rname or "",
                region_depth=(rpath.count("/") - 1) if rpath else 0,
                channel=channel_,
            )
        )
    return by_key


def price_get(*, sku_id: int, region: Region, channel: str) -> PriceDecision:
    """The price of one SKU in a region on a channel, and where it came from."""
    decision = prices_get(sku_ids=[sku_id], region=region, channel=channel).get(sku_id)
    if decision is None:
        raise NotFoundError(f"SKU {sku_id} has no price in {region.name} on {channel}", code="no_price")
    return decision
