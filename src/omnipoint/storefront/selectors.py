"""What the storefront pages read, composed from the catalogue, inventory and outlets selectors.

Nothing here writes. Prices come from ``catalog.selectors.prices_get`` (the same call that
prices an order), availability from ``inventory.selectors.stock_nearby`` with ``online=True``
so that an outlet's safety stock stays for its counter.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from omnipoint.catalog.domain import PriceDecision
from omnipoint.catalog.models import Product, Sku
from omnipoint.catalog.selectors import prices_get
from omnipoint.core.channels import Channel
from omnipoint.core.errors import NotFoundError
from omnipoint.core.geo import bounding_box, haversine_km
from omnipoint.inventory.selectors import NearbyStock, stock_nearby
from omnipoint.outlets.models import Outlet, Region
from omnipoint.storefront.offers import Badge, product_badges

CHANNEL = Channel.WEB
DEFAULT_REGION = "310101"  # 上海市黄浦区
NEARBY_RADIUS_KM = 20.0
PICKUP_RADIUS_KM = 50.0
# "Only N left" below this many free units; more is plain "in stock".
LOW_STOCK = 5


def region_for(code: str) -> Region:
    """The customer's district; an unknown or non-district code falls back to the default."""
    region = Region.objects.filter(code=code, level="district").first() if code else None
    return region or Region.objects.get(code=DEFAULT_REGION)


@dataclass(frozen=True)
class Card:
    product: Product
    price: int | None  # fen: the lowest price of its SKUs in the region, None when unpriced
    varies: bool  # the SKUs do not all cost the same
    badges: tuple[Badge, ...] = ()  # the automatic promotions that apply to it here


def product_cards(products: Iterable[Product], *, region: Region) -> list[Card]:
    """Products with their price in a region on the web channel, and the promotions that apply
    to them there. One price query and one promotions query for the page."""
    products = list(products)
    sku_ids = [s.pk for p in products for s in p.skus.all() if s.is_active]
    prices = prices_get(sku_ids=sku_ids, region=region, channel=CHANNEL)
    badges = product_badges(products, region=region, channel=CHANNEL)
    cards = []
    for p in products:
        amounts = {prices[s.pk].amount for s in p.skus.all() if s.is_active and s.pk in prices}
        cards.append(
            Card(p, min(amounts) if amounts else None, len(amounts) > 1, tuple(badges.get(p.pk, ())))
        )
    return cards


@dataclass(frozen=True)
class Variant:
    sku: Sku
    price: PriceDecision | None


def product_variants(product: Product, *, region: Region) -> list[Variant]:
    skus = [s for s in product.skus.all() if s.is_active]
    prices = prices_get(sku_ids=[s.pk for s in skus], region=region, channel=CHANNEL)
    return [Variant(s, prices.get(s.pk)) for s in skus]


def product_for_sale(*, product_id: int) -> Product:
    product = Product.objects.prefetch_related("skus").filter(pk=product_id, is_active=True).first()
    if product is None:
        raise NotFoundError(f"product {product_id} not found", code="product_not_found")
    return product


def stock_near(*, lat: float, lng: float, sku_id: int, limit: int = 10) -> list[NearbyStock]:
    return stock_nearby(lat=lat, lng=lng, sku_id=sku_id, radius_km=NEARBY_RADIUS_KM, limit=limit, online=True)


@dataclass(frozen=True)
class CartLine:
    sku: Sku
    quantity: int
    unit_price: int | None  # None: no price in this region, cannot be ordered

    @property
    def amount(self) -> int:
        return (self.unit_price or 0) * self.quantity


@dataclass
class CartView:
    lines: list[CartLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(ln.amount for ln in self.lines)

    @property
    def count(self) -> int:
        return sum(ln.quantity for ln in self.lines)

    @property
    def orderable(self) -> bool:
        return bool(self.lines) and all(ln.unit_price is not None for ln in self.lines)


def cart_view(cart: dict[int, int], *, region: Region) -> CartView:
    """The session cart's SKUs, priced for the region. SKUs no longer on sale drop out."""
    skus = {
        s.pk: s
        for s in Sku.objects.select_related("product").filter(
            pk__in=list(cart), is_active=True, product__is_active=True
        )
    }
    prices = prices_get(sku_ids=list(skus), region=region, channel=CHANNEL)
    return CartView(
        [
            CartLine(skus[sku_id], qty, prices[sku_id].amount if sku_id in prices else None)
            for sku_id, qty in cart.items()
            if sku_id in skus
        ]
    )


@dataclass(frozen=True)
class PickupPoint:
    outlet: Outlet
    distance_km: float
    in_stock: bool  # every cart line is free to sell there now
    left: int | None  # the fewest free units among the lines, when that is low


def pickup_points(
    *,
    lat: float,
    lng: float,
    lines: dict[int, int],
    radius_km: float = PICKUP_RADIUS_KM,
    limit: int = 20,
    first: int | None = None,
) -> list[PickupPoint]:
    """Pickup-point outlets near the customer, nearest first, each saying whether it holds the
    whole cart now. One that does not can still be chosen: the order is then routed through a
    transfer from the nearest location that has the goods. ``first`` (the showroom's outlet)
    leads the list wherever it is, when it is a pickup point."""
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius_km)
    outlets = Outlet.objects.filter(
        pickup_point=True,
        is_active=True,
        lat__range=(min_lat, max_lat),
        lng__range=(min_lng, max_lng),
    )
    near = sorted(((haversine_km(lat, lng, o.lat, o.lng), o) for o in outlets), key=lambda t: (t[0], t[1].pk))
    near = [(d, o) for d, o in near if d <= radius_km][:limit]
    mine = Outlet.objects.filter(pk=first, pickup_point=True, is_active=True).first() if first else None
    if mine is not None:
        near = [(haversine_km(lat, lng, mine.lat, mine.lng), mine)] + [t for t in near if t[1].pk != mine.pk]
        near = near[:limit]
    free: dict[int, dict[int, int]] = {}  # outlet -> sku -> free units
    for sku_id, qty in sorted(lines.items()):
        centres = [(lat, lng, radius_km)] + ([(mine.lat, mine.lng, 0.1)] if mine is not None else [])
        for c_lat, c_lng, radius in centres:
            for s in stock_nearby(
                lat=c_lat, lng=c_lng, sku_id=sku_id, quantity=qty, radius_km=radius, limit=200, online=True
            ):
                free.setdefault(s.outlet_id, {})[sku_id] = s.available
    points = []
    for distance, outlet in near:
        have = free.get(outlet.pk, {})
        in_stock = bool(lines) and all(sku in have for sku in lines)
        fewest = min(have.values()) if in_stock and have else None
        points.append(
            PickupPoint(
                outlet,
                round(distance, 2),
                in_stock,
                fewest if fewest is not None and fewest <= LOW_STOCK else None,
            )
        )
    return points


def region_path(region: Region) -> list[Region]:
    """The region and its ancestors, root first (for the chooser's breadcrumb)."""
    codes = [region.path.strip("/").split("/")[i] for i in range(region.path.count("/") - 1)]
    found = {r.path.strip("/").split("/")[-1]: r for r in Region.objects.filter(code__in=_codes(codes))}
    return [found[c] for c in codes if c in found]


def _codes(segments: list[str]) -> list[str]:
    """Path segments are adcode prefixes ("31", "3101", "310101"); codes are six digits."""
    return [s.ljust(6, "0") for s in segments]
