"""Promotions: created by a region's or HQ's staff within their scope, and ended early."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from omnipoint.core.cached import forget
from omnipoint.core.errors import (
    NotFoundError,
    ValidationError,
)
from omnipoint.marketing.models import (
    Promotion,
    PromotionKind,
)
from omnipoint.marketing.services._shared import _limit_ids, _owner_region, _window
from omnipoint.outlets.domain import Actor, Perm


def _promotion_terms(
    kind: str,
    percent_off: Decimal | None,
    amount_off: int,
    threshold: int,
    bundle_quantity: int,
    bundle_price: int,
    buy_quantity: int,
    get_quantity: int,
) -> None:
    """A promotion's terms checked for its kind."""
    if kind == PromotionKind.DISCOUNT:
        if (percent_off is None) == (amount_off <= 0):
            raise ValidationError(
                "a discount is percent_off or amount_off (one of them)", code="invalid_value"
            )
        if percent_off is not None and not 0 < percent_off <= 100:
            raise ValidationError("percent_off must be in (0, 100]", code="invalid_value")
    elif kind == PromotionKind.THRESHOLD and not 0 < amount_off < threshold:
        raise ValidationError("a 满减 needs 0 < amount_off < threshold", code="invalid_threshold")
    elif kind == PromotionKind.BUNDLE and (bundle_quantity < 2 or bundle_price <= 0):
        raise ValidationError("a bundle is 2 or more units for a price", code="invalid_bundle")
    elif kind == PromotionKind.BUY_X_GET_Y and (buy_quantity < 1 or get_quantity < 1):
        raise ValidationError("buy X get Y needs X >= 1 and Y >= 1", code="invalid_bundle")


@transaction.atomic
def promotion_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    region_code: str = "",
    channel: str = "",
    outlet_id: int | None = None,
    percent_off: Decimal | None = None,
    amount_off: int = 0,
    threshold: int = 0,
    repeat: bool = False,
    bundle_quantity: int = 0,
    bundle_price: int = 0,
    buy_quantity: int = 0,
    get_quantity: int = 0,
    category_ids: Sequence[int] = (),
    product_ids: Sequence[int] = (),
    member_tiers: Sequence[str] = (),
    stackable: bool = True,
    priority: int = 0,
) -> Promotion:
    region = _owner_region(actor, region_code)
    owner_path = region.path if region else "/"
    if kind not in PromotionKind.values:
        raise ValidationError(f"unknown promotion kind {kind}", code="invalid_kind")
    _window(starts_at, ends_at)
    _promotion_terms(
        kind, percent_off, amount_off, threshold, bundle_quantity, bundle_price, buy_quantity, get_quantity
    )
    if kind != PromotionKind.DISCOUNT:
        percent_off = None
    channels, outlets = [channel] if channel else [], [outlet_id] if outlet_id is not None else []
    ids = _limit_ids(actor, owner_path, channels, [], outlets, category_ids, product_ids)
    return Promotion.objects.create(
        name=name,
        kind=kind,
        region=region,
        region_path=owner_path,
        channel=channel,
        outlet_id=outlet_id,
        percent_off=percent_off,
        amount_off=amount_off,
        threshold=threshold,
        repeat=repeat,
        bundle_quantity=bundle_quantity,
        bundle_price=bundle_price,
        buy_quantity=buy_quantity,
        get_quantity=get_quantity,
        member_tiers=sorted(set(member_tiers)),
        stackable=stackable,
        priority=priority,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by_id=actor.user_id,
        **ids,
    )


@transaction.atomic
def promotion_end(*, actor: Actor, promotion_id: int) -> Promotion:
    actor.require(Perm.PRICE_EDIT)
    promo = Promotion.objects.filter(pk=promotion_id).first()
    if promo is None or not (actor.scope.is_hq or actor.scope.covers_region(promo.region_path)):
        raise NotFoundError(f"promotion {promotion_id} not found", code="promotion_not_found")
    Promotion.objects.filter(pk=promo.pk).update(is_active=False)
    forget("promotions")  # an update sends no signal
    promo.is_active = False
    return promo
