"""Reads of flash sales: a staff member's sales, one sale's pool and outlets, the live sales the
shop shows, and where a buyer stands (the queue page polls it: a handful of index reads)."""

from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.utils import timezone

from omnipoint.core.errors import NotFoundError
from omnipoint.flashsales import domain
from omnipoint.flashsales.models import FlashBuyer, FlashClaim, FlashSale, FlashSource, FlashWaiter, SaleState
from omnipoint.inventory.models import ReservationState, StockLevel
from omnipoint.outlets.domain import Actor, MemberActor, Perm, SystemActor


@dataclass(frozen=True)
class Pool:
    on_hand: int  # in the pool: free plus held
    reserved: int  # held for claims and orders
    sold: int  # taken by orders collected
    returned: int  # handed back to the outlets

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def flash_sales_list(*, actor: Actor | SystemActor) -> QuerySet[FlashSale]:
    """The sales a staff member with ``flash.sale`` sees: those of outlets under their node."""
    actor.require(Perm.FLASH_SALE)
    path = actor.scope.region_path
    if path is None:
        return FlashSale.objects.none()
    return FlashSale.objects.filter(region_path__startswith=path).select_related("sku").order_by("-pk")


def flash_sale_get(*, actor: Actor | SystemActor, sale_id: int) -> FlashSale:
    sale = flash_sales_list(actor=actor).filter(pk=sale_id).first()
    if sale is None:
        raise NotFoundError(f"flash sale {sale_id} not found", code="sale_not_found")
    return sale


def sources_of(sale: FlashSale) -> list[FlashSource]:
    return list(FlashSource.objects.filter(sale=sale).select_related("outlet").order_by("outlet_id"))


def pool_of(sale: FlashSale) -> Pool:
    row = StockLevel.objects.filter(location_id=sale.pool_id, sku_id=sale.sku_id).values_list(
        "on_hand", "reserved"
    ).first() or (0, 0)
    returned = FlashSource.objects.filter(sale=sale).aggregate(t=Sum("returned"))["t"] or 0
    return Pool(on_hand=row[0], reserved=row[1], sold=sale.pooled - row[0] - returned, returned=returned)


def sales_on_show() -> QuerySet[FlashSale]:
    """What the shop shows: open sales not over yet, soonest first."""
    return (
        FlashSale.objects.filter(state=SaleState.OPEN, ends_at__gt=timezone.now())
        .select_related("sku", "sku__product")
        .order_by("starts_at", "pk")
    )


def sale_on_show(*, sale_id: int) -> FlashSale:
    sale = FlashSale.objects.select_related("sku", "sku__product").filter(pk=sale_id).first()
    if sale is None:
        raise NotFoundError(f"flash sale {sale_id} not found", code="sale_not_found")
    return sale


def claims_open(*, actor: MemberActor, sale: FlashSale) -> list[FlashClaim]:
    """The member's claims not yet checked out and still held."""
    return list(
        FlashClaim.objects.filter(
            sale=sale,
            member_id=actor.member_id,
            order__isnull=True,
            reservation__state=ReservationState.HELD,
            reservation__expires_at__gt=timezone.now(),
        )
        .select_related("reservation")
        .order_by("pk")
    )


def standing_get(*, actor: MemberActor | None, sale: FlashSale) -> domain.Standing:
    """Where a buyer stands (a guest: as someone not in line who has claimed nothing)."""
    pool = pool_of(sale)
    units, position, open_claims = 0, None, 0
    if actor is not None:
        units = (
            FlashBuyer.objects.filter(sale=sale, member_id=actor.member_id)
            .values_list("units", flat=True)
            .first()
            or 0
        )
        open_claims = len(claims_open(actor=actor, sale=sale))
        me = FlashWaiter.objects.filter(sale=sale, member_id=actor.member_id, served_at__isnull=True).first()
        if me is not None:
            position = FlashWaiter.objects.filter(sale=sale, served_at__isnull=True, pk__lte=me.pk).count()
    return domain.standing(
        now=timezone.now(),
        starts_at=sale.starts_at,
        ends_at=sale.ends_at,
        is_open=sale.state == SaleState.OPEN,
        available=pool.available,
        held=pool.reserved,
        open_claims=open_claims,
        units=units,
        limit=sale.per_member_limit,
        position=position,
    )
