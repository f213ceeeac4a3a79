"""Showroom and commission reads: the public showroom, a salesperson's commission, the figures
of the salespeople in a manager's scope, and offers of the outlets near a customer. A
salesperson's orders with their commission are ``orders.selectors.sales_mine`` /
``salesperson_sales`` (orders sit above showrooms)."""

from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from omnipoint.catalog.models import Product, Sku
from omnipoint.core.errors import NotFoundError, PermissionDeniedError
from omnipoint.core.geo import bounding_box, haversine_km
from omnipoint.inventory.models import StockLevel
from omnipoint.ledger import selectors as ledger
from omnipoint.ledger.domain import AccountKind
from omnipoint.outlets.domain import Actor, Role
from omnipoint.outlets.models import Outlet, Staff
from omnipoint.outlets.selectors import scope_q
from omnipoint.showrooms import domain
from omnipoint.showrooms.models import CommissionAccrual, CommissionReversal, CommissionRule, Showroom

NEAR_OUTLET_KM = 5.0  # "all products available near their outlet"
NEARBY_OFFERS_KM = 1.0
MAX_ROWS = 100


def showroom_get(*, code: str) -> Showroom:
    """A live showroom by its code; anything else is not found."""
    code = (code or "").strip().lower()
    showroom = (
        Showroom.objects.select_related("staff__outlet")
        .filter(code=code, is_active=True, staff__role=Role.SALESPERSON, staff__user__is_active=True)
        .first()
        if domain.showroom_code_valid(code)
        else None
    )
    if showroom is None:
        raise NotFoundError(f"showroom {code[:20]} not found", code="showroom_not_found")
    return showroom


def showroom_products(*, showroom: Showroom, limit: int = 40) -> list[Product]:
    """What the showroom shows: its chosen products, or the products in stock (free to sell
    online) at the salesperson's outlet and the outlets near it."""
    qs = Product.objects.filter(is_active=True).select_related("brand", "category").prefetch_related("skus")
    if not showroom.all_products:
        return list(qs.filter(pk__in=showroom.products.values("pk")).order_by("code")[:limit])
    outlet = showroom.staff.outlet
    if outlet is None:
        return list(qs.order_by("code")[:limit])
    min_lat, max_lat, min_lng, max_lng = bounding_box(outlet.lat, outlet.lng, NEAR_OUTLET_KM)
    near = Outlet.objects.filter(
        is_active=True, lat__range=(min_lat, max_lat), lng__range=(min_lng, max_lng)
    ).values_list("pk", flat=True)
    in_stock = StockLevel.objects.sellable().filter(location_id__in=list(near)).values("sku__product_id")
    return list(qs.filter(pk__in=in_stock).order_by("code")[:limit])


# --- sales and commission -------------------------------------------------------------------
# The orders themselves sit above showrooms: ``orders.selectors`` lists a salesperson's orders
# and joins these figures to them.


@dataclass(frozen=True)
class Commission:
    """What one salesperson was credited and what returns took back, and their ledger balance."""

    accrued: int = 0
    reversed: int = 0
    balance: int = 0  # the ledger account's balance: accrued less reversed


def commission_of(*, staff: Staff) -> Commission:
    accrued = CommissionAccrual.objects.filter(staff=staff).aggregate(t=Coalesce(Sum("amount"), 0))["t"]
    reversed_ = CommissionReversal.objects.filter(accrual__staff=staff).aggregate(
        t=Coalesce(Sum("amount"), 0)
    )["t"]
    balance = ledger.posted_balance(kind=AccountKind.STAFF_COMMISSION, owner_id=staff.pk)
    return Commission(accrued, reversed_, balance)


def commission_by_order(*, order_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per order that accrued (completed): (accrued, reversed by its returns)."""
    reversed_by_order = dict(
        CommissionReversal.objects.filter(accrual__order_id__in=order_ids)
        .values_list("accrual__order_id")
        .annotate(t=Sum("amount"))
    )
    return {
        order_id: (amount, reversed_by_order.get(order_id, 0))
        for order_id, amount in CommissionAccrual.objects.filter(order_id__in=order_ids).values_list(
            "order_id", "amount"
        )
    }


def salesperson_mine(*, actor: Actor) -> Staff:
    """The actor, a salesperson."""
    staff = Staff.objects.select_related("outlet").filter(pk=actor.staff_id or 0).first()
    if staff is None or staff.role != Role.SALESPERSON:
        raise PermissionDeniedError("this is for salespeople", code="not_salesperson")
    return staff


def require_manager(actor: Actor) -> None:
    if actor.role in domain.MANAGER_ROLES or (actor.role is None and actor.scope.is_hq):
        return
    raise PermissionDeniedError("your role may not see salespeople's figures", code="forbidden")


def salespeople_in_scope(*, actor: Actor) -> list[dict[str, object]]:
    """The salespeople at outlets in a manager's scope, with their commission figures."""
    require_manager(actor)
    rows = list(
        Staff.objects.filter(scope_q(actor.scope, via="outlet"), role=Role.SALESPERSON, outlet__isnull=False)
        .select_related("outlet")
        .order_by("outlet__code", "display_name", "pk")[:MAX_ROWS]
    )
    accrued = dict(
        CommissionAccrual.objects.filter(staff__in=rows).values_list("staff_id").annotate(t=Sum("amount"))
    )
    reversed_ = dict(
        CommissionReversal.objects.filter(accrual__staff__in=rows)
        .values_list("accrual__staff_id")
        .annotate(t=Sum("amount"))
    )
    return [
        {
            "staff": s,
            "accrued": accrued.get(s.pk, 0),
            "reversed": reversed_.get(s.pk, 0),
            "net": accrued.get(s.pk, 0) - reversed_.get(s.pk, 0),
        }
        for s in rows
    ]


def salesperson_in_scope(*, actor: Actor, staff_id: int) -> Staff:
    """One salesperson, for a manager whose scope holds their outlet."""
    require_manager(actor)
    staff = (
        Staff.objects.select_related("outlet")
        .filter(scope_q(actor.scope, via="outlet"), pk=staff_id, role=Role.SALESPERSON)
        .first()
    )
    if staff is None:
        raise NotFoundError(f"salesperson {staff_id} not found", code="salesperson_not_found")
    return staff


def _rule_scope_q(actor: Actor) -> Q:
    """Rules owned at or under the actor's node, and those of the nodes above it."""
    if actor.scope.is_hq:
        return Q()
    path = actor.scope.region_path
    if path is None:
        path = (
            Outlet.objects.filter(pk=actor.scope.outlet_id or 0).values_list("region_path", flat=True).first()
        )
        path = path or "/"
        return Q(region_path__in=[path[: i + 1] for i, ch in enumerate(path) if ch == "/"])
    above = [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]
    return Q(region_path__startswith=path) | Q(region_path__in=above)


def commission_rule_list(*, actor: Actor) -> list[CommissionRule]:
    require_manager(actor)
    return list(
        CommissionRule.objects.filter(_rule_scope_q(actor))
        .select_related("product", "category")
        .order_by("region_path", "pk")[:500]
    )


# --- nearby offers ----------------------------------------------------------------------------


@dataclass
class OutletOffers:
    outlet: Outlet
    distance_km: float
    skus: list[tuple[Sku, int]] = field(default_factory=list)  # (SKU, free to sell online)


def offers_nearby(
    *, lat: float, lng: float, radius_km: float = NEARBY_OFFERS_KM, per_outlet: int = 12, limit: int = 10
) -> list[OutletOffers]:
    """Outlets within ``radius_km`` where a customer can reserve and try in store (pickup
    points), nearest first, each with the SKUs it has free to sell online now."""
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius_km)
    outlets = Outlet.objects.filter(
        is_active=True, pickup_point=True, lat__range=(min_lat, max_lat), lng__range=(min_lng, max_lng)
    ).select_related("region")
    near = sorted(((haversine_km(lat, lng, o.lat, o.lng), o) for o in outlets), key=lambda t: (t[0], t[1].pk))
    found = [OutletOffers(o, round(d, 3)) for d, o in near if d <= radius_km][:limit]
    by_outlet = {f.outlet.pk: f for f in found}
    rows = (
        StockLevel.objects.sellable()
        .filter(
            location_id__in=list(by_outlet),
            sku__is_active=True,
            sku__product__is_active=True,
        )
        .select_related("sku__product")
        .order_by("location_id", "sku__code")
    )
    for row in rows:
        offers = by_outlet[row.location_id]
        if len(offers.skus) < per_outlet:
            offers.skus.append((row.sku, row.on_hand - row.reserved - row.safety_stock))
    return [f for f in found if f.skus]
