"""Flash sales: the pool set aside, claims on it (the hot path), a claim checked out as an
order, the sale ended and what is left handed back.

- Setting aside is a book move (``inventory.stock_move``) out of each outlet's available stock
  into the pool's stock row, guarded at each outlet: never more than is free there.
- A claim is a hold on the pool row through ``inventory.stock_hold``, the group-committed hold
  path (one lane per pool: a rush of buyers folds into a few commits). The per-member limit is a
  guarded UPDATE of the member's ``FlashBuyer`` row taken first and given back if the pool
  refuses, so under any concurrency a member never holds more than the limit.
- Checking out releases the claim and holds the same units for the order in one transaction
  (``order_place`` with the pool as its source): the pool row stays locked in between, so no one
  else can take them. The order then lives as any order: paid and collected, or cancelled by the
  payment timeout, which gives its units back to the pool.
- The end (``flash_sale_end`` by staff, ``flash_sales_settle`` every minute) stops claims and
  hands back what is free in the pool to the outlets in proportion to what each gave and has not
  had back; units that come back to the pool later (a lapsed claim, a cancelled order) go back
  on a later run, and the sale closes when its pool is empty.
"""

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from omnipoint.catalog.models import Sku
from omnipoint.core.channels import Channel
from omnipoint.core.errors import ConflictError, InvalidStateError, NotFoundError, ValidationError
from omnipoint.flashsales import domain
from omnipoint.flashsales.models import FlashBuyer, FlashClaim, FlashSale, FlashSource, FlashWaiter, SaleState
from omnipoint.flashsales.selectors import flash_sale_get
from omnipoint.inventory import services as inventory
from omnipoint.inventory.errors import InsufficientStockError
from omnipoint.inventory.models import ReservationState, StockLevel
from omnipoint.orders.domain import PaymentMode
from omnipoint.orders.models import Method, Order
from omnipoint.orders.services import LineRequest, order_place
from omnipoint.outlets.domain import SYSTEM, Actor, MemberActor, Perm, SystemActor, require_platform
from omnipoint.outlets.models import Outlet, OutletKind
from omnipoint.outlets.services import outlet_create, outlet_update

SETTLE = SystemActor(task="flash_sales_settle")


def _authorize_outlets(actor: Actor | SystemActor, outlet_ids: Iterable[int]) -> list[Outlet]:
    ids = sorted(set(outlet_ids))
    outlets = {o.pk: o for o in Outlet.objects.filter(pk__in=ids, is_active=True).select_related("region")}
    for outlet_id in ids:
        o = outlets.get(outlet_id)
        if o is None or not actor.scope.covers_outlet(outlet_id=o.pk, region_path=o.region_path):
            raise NotFoundError(f"location {outlet_id} not found", code="location_not_found")
    actor.require(Perm.FLASH_SALE)
    return [outlets[i] for i in ids]


@transaction.atomic
def flash_sale_create(
    *,
    actor: Actor | SystemActor,
    name: str,
    sku_id: int,
    sources: list[tuple[int, int]],
    starts_at: datetime,
    ends_at: datetime,
    per_member_limit: int,
) -> FlashSale:
    """Set aside a pool of one SKU from outlets (``sources``: outlet id and quantity) for a
    window. Staff with ``flash.sale`` at a node covering every source outlet (else 404)."""
    if not sources or len(sources) > 50:
        raise ValidationError("name 1..50 source outlets", code="invalid_sources")
    if len({o for o, _ in sources}) != len(sources):
        raise ValidationError("each outlet once", code="invalid_sources")
    for _, q in sources:
        if not isinstance(q, int) or not 1 <= q <= 100_000:
            raise ValidationError("each outlet gives 1..100000 units", code="invalid_quantity")
    outlets = _authorize_outlets(actor, [o for o, _ in sources])
    if not Sku.objects.filter(pk=sku_id, is_active=True).exists():
        raise NotFoundError(f"SKU {sku_id} not found", code="sku_not_found")
    domain.check_sale(
        starts_at=starts_at, ends_at=ends_at, now=timezone.now(), per_member_limit=per_member_limit, name=name
    )
    sale = FlashSale.objects.create(
        name=name.strip(),
        sku_id=sku_id,
        region_path=domain.common_path(o.region_path for o in outlets),
        per_member_limit=per_member_limit,
        starts_at=starts_at,
        ends_at=ends_at,
        pooled=sum(q for _, q in sources),
        created_by_id=actor.user_id,
    )
    first = outlets[0]
    pool = outlet_create(
        actor=SYSTEM,
        code=f"FLASH-{sale.pk}",
        name=f"闪购库存池 {sale.pk}",
        kind=OutletKind.WAREHOUSE,
        region_code=first.region.code,
        lat=first.lat,
        lng=first.lng,
        sells_at_counter=False,
    )
    pool = outlet_update(actor=SYSTEM, outlet_id=pool.pk, is_active=False)  # offered by no routing or search
    FlashSale.objects.filter(pk=sale.pk).update(pool=pool)
    sale.pool = pool
    FlashSource.objects.bulk_create(
        [FlashSource(sale=sale, outlet_id=o, quantity=q) for o, q in sorted(sources)]
    )
    inventory.stock_move(
        actor=SYSTEM,
        sku_id=sku_id,
        moves=[(o, pool.pk, q) for o, q in sorted(sources)],
        reference=f"flash:{sale.pk}",
    )
    return sale


def _live_sale(sale_id: int, now: datetime) -> FlashSale:
    sale = FlashSale.objects.filter(pk=sale_id).first()
    if sale is None:
        raise NotFoundError(f"flash sale {sale_id} not found", code="sale_not_found")
    if sale.state != SaleState.OPEN or now >= sale.ends_at:
        raise InvalidStateError("the flash sale has ended", code="sale_ended")
    if now < sale.starts_at:
        raise InvalidStateError("the flash sale has not started", code="sale_not_started")
    return sale


def flash_claim(*, actor: MemberActor, sale_id: int, quantity: int = 1) -> FlashClaim:
    """A member claims units of the pool, held for them for ``FLASH_CLAIM_SECONDS`` to check out.
    409 ``flash_limit_reached`` past the sale's limit per member; 409 ``sold_out`` when the pool
    has nothing free (``in_line`` with their place when claims are still open and units may come
    back: they wait in line, and the queue page tells them where they stand).

    Not in a transaction: the hold must reach the pool row's lane to be folded with the others."""
    if actor.member_id is None or actor.is_system:
        raise NotFoundError("sign in as a member", code="not_member")
    sale = _live_sale(sale_id, timezone.now())
    if not isinstance(quantity, int) or not 1 <= quantity <= sale.per_member_limit:
        raise ValidationError(f"claim 1..{sale.per_member_limit}", code="invalid_quantity")
    member_id = actor.member_id
    FlashBuyer.objects.bulk_create([FlashBuyer(sale=sale, member_id=member_id)], ignore_conflicts=True)
    buyer = FlashBuyer.objects.filter(sale=sale, member_id=member_id)
    if buyer.filter(units__lte=sale.per_member_limit - quantity).update(units=F("units") + quantity) != 1:
        raise ConflictError(
            f"at most {sale.per_member_limit} per member",
            code="flash_limit_reached",
            limit=sale.per_member_limit,
        )
    assert sale.pool_id is not None
    try:
        hold = inventory.stock_hold(
            actor=SYSTEM,
            owner_ref=f"flash:{sale.pk}:{member_id}:{secrets.token_hex(6)}",
            lines=[(sale.pool_id, sale.sku_id, quantity)],
            ttl_seconds=settings.FLASH_CLAIM_SECONDS,
            channel=Channel.WEB,
            respect_safety_stock=False,
        )
    except InsufficientStockError:
        buyer.filter(units__gte=quantity).update(units=F("units") - quantity)  # the limit back
        raise _refusal(sale, member_id) from None
    except BaseException:
        buyer.filter(units__gte=quantity).update(units=F("units") - quantity)
        raise
    with transaction.atomic():
        claim = FlashClaim.objects.create(sale=sale, member_id=member_id, reservation=hold, quantity=quantity)
        FlashWaiter.objects.filter(sale=sale, member_id=member_id, served_at__isnull=True).update(
            served_at=timezone.now()
        )
    return claim


def _refusal(sale: FlashSale, member_id: int) -> ConflictError:
    """Nothing free: in line while units are held (a claim or an order may give them back), else
    sold out."""
    held = StockLevel.objects.filter(location_id=sale.pool_id, sku_id=sale.sku_id, reserved__gt=0).exists()
    if not held:
        return ConflictError("sold out", code="sold_out")
    FlashWaiter.objects.bulk_create([FlashWaiter(sale=sale, member_id=member_id)], ignore_conflicts=True)
    FlashWaiter.objects.filter(sale=sale, member_id=member_id).update(served_at=None)
    return ConflictError("the pool is empty for now: you are in line", code="in_line")


@transaction.atomic
def flash_checkout(
    *,
    actor: MemberActor,
    claim_id: int,
    pickup_outlet_id: int,
    payment_mode: str = PaymentMode.ONLINE,
) -> Order:
    """A claim becomes the member's pickup order at one of the sale's outlets: the claim's hold is
    released and the order's taken in the same transaction. Checking out a claim again returns
    its order; 409 ``claim_lapsed`` once its hold lapsed."""
    claim = (
        FlashClaim.objects.select_for_update()
        .select_related("sale", "reservation")
        .filter(pk=claim_id, member_id=actor.member_id)
        .first()
    )
    if claim is None or actor.member_id is None:
        raise NotFoundError(f"claim {claim_id} not found", code="claim_not_found")
    if payment_mode not in (PaymentMode.ONLINE, PaymentMode.AT_OUTLET):
        raise ValidationError("pay online or at the outlet", code="invalid_payment_mode")
    if claim.order_id is not None:
        return Order.objects.get(pk=claim.order_id)
    sale = claim.sale
    if not FlashSource.objects.filter(sale=sale, outlet_id=pickup_outlet_id).exists():
        raise ValidationError("collect at one of the sale's outlets", code="pickup_not_in_sale")
    r = claim.reservation
    if r.state != ReservationState.HELD or r.expires_at <= timezone.now():
        raise InvalidStateError("the claim lapsed", code="claim_lapsed")
    inventory.reservation_release(actor=SYSTEM, reservation_id=r.pk)
    order = order_place(
        actor=actor,
        channel=Channel.WEB,
        method=Method.PICKUP,
        lines=[LineRequest(sku_id=sale.sku_id, quantity=claim.quantity)],
        payment_mode=payment_mode,
        pickup_outlet_id=pickup_outlet_id,
        source_location_id=sale.pool_id,
    )
    FlashClaim.objects.filter(pk=claim.pk).update(order=order)
    return order


def flash_sale_end(*, actor: Actor | SystemActor, sale_id: int) -> FlashSale:
    """Stop a sale now (staff with ``flash.sale`` who see it) and hand back what is free."""
    flash_sale_get(actor=actor, sale_id=sale_id)  # the permission, then the scope
    now = timezone.now()
    FlashSale.objects.filter(pk=sale_id, state=SaleState.OPEN).update(state=SaleState.ENDED, ended_at=now)
    _hand_back(sale_id)
    return FlashSale.objects.get(pk=sale_id)


def flash_sales_settle(*, actor: SystemActor, now: datetime | None = None) -> int:
    """Every minute: end the sales whose window is over and hand back what is free in the pools of
    ended sales. Returns the units handed back."""
    require_platform(actor)
    now = now or timezone.now()
    FlashSale.objects.filter(state=SaleState.OPEN, ends_at__lte=now).update(
        state=SaleState.ENDED, ended_at=now
    )
    return sum(
        _hand_back(s) for s in FlashSale.objects.filter(state=SaleState.ENDED).values_list("pk", flat=True)
    )


def _hand_back(sale_id: int) -> int:
    """What is free in an ended sale's pool back to its outlets, in proportion to what each gave
    and has not had back (``domain.apportion``); the sale closes when its pool is empty. One
    hand-back of a sale at a time (its row locked); the pool's move is guarded all the same."""
    with transaction.atomic():
        sale = FlashSale.objects.select_for_update().filter(pk=sale_id, state=SaleState.ENDED).first()
        if sale is None or sale.pool_id is None:
            return 0
        on_hand, reserved = StockLevel.objects.values_list("on_hand", "reserved").get(
            location_id=sale.pool_id, sku_id=sale.sku_id
        )
        free = on_hand - reserved
        if free > 0:
            sources = list(FlashSource.objects.filter(sale=sale).order_by("outlet_id"))
            shares = domain.apportion(free, {s.outlet_id: s.quantity - s.returned for s in sources})
            for s in sources:
                q = shares.get(s.outlet_id, 0)
                if (
                    q
                    and FlashSource.objects.filter(pk=s.pk, returned__lte=F("quantity") - q).update(
                        returned=F("returned") + q
                    )
                    != 1
                ):
                    raise InvalidStateError(
                        "an outlet would get back more than it gave", code="flash_inconsistent"
                    )
            inventory.stock_move(
                actor=SETTLE,
                sku_id=sale.sku_id,
                moves=[(sale.pool_id, o, q) for o, q in sorted(shares.items())],
                reference=f"flash:{sale.pk}:back",
            )
        if reserved == 0:
            FlashSale.objects.filter(pk=sale.pk, state=SaleState.ENDED).update(state=SaleState.CLOSED)
        return max(free, 0)
