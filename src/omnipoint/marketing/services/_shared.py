"""What the marketing services share: the node an offer belongs to, whose
coupons a staff member may issue, and the checks of an offer's window and limits."""

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone

from omnipoint.catalog.models import Category, Product
from omnipoint.core.channels import Channel
from omnipoint.core.errors import (
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from omnipoint.marketing.models import (
    CouponTemplate,
)
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.models import Outlet, Region
from omnipoint.outlets.selectors import region_get

MAX_CAMPAIGN_MEMBERS = 1000
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the counter


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _coupon_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))


def _owner_region(actor: Actor, region_code: str) -> Region | None:
    """The node an offer belongs to: a region in the actor's scope, or none (HQ, network-wide)."""
    actor.require(Perm.PRICE_EDIT)
    if not region_code:
        if not actor.scope.is_hq:
            raise PermissionDeniedError("only HQ creates network-wide offers", code="hq_only")
        return None
    region = region_get(code=region_code)
    if not actor.scope.covers_region(region.path):
        raise NotFoundError(f"region {region_code} not found", code="region_not_found")
    return region


def _actor_outlet_path(actor: Actor) -> str | None:
    if actor.scope.outlet_id is None:
        return None
    return Outlet.objects.filter(pk=actor.scope.outlet_id).values_list("region_path", flat=True).first()


def _issuable_by(actor: Actor, template: CouponTemplate, outlet_path: str | None) -> bool:
    """Staff issue coupons only of templates limited to their own region (HQ: any). A clerk
    at an outlet issues those of the regions above their outlet (not network-wide ones), if
    the template is not limited to other outlets."""
    if actor.scope.is_hq:
        return True
    if actor.scope.region_path is not None:
        return template.region_path.startswith(actor.scope.region_path)
    return (
        outlet_path is not None
        and template.region_path != "/"
        and outlet_path.startswith(template.region_path)
        and (not template.outlet_ids or actor.scope.outlet_id in template.outlet_ids)
    )


def _window(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError("the window must end after it starts", code="invalid_window")


def _limit_ids(
    actor: Actor,
    owner_path: str,
    channels: Sequence[str],
    region_codes: Sequence[str],
    outlet_ids: Sequence[int],
    category_ids: Sequence[int],
    product_ids: Sequence[int],
) -> dict[str, Any]:
    bad = sorted(set(channels) - set(Channel.values))
    if bad:
        raise ValidationError(f"unknown channel {bad[0]}", code="invalid_channel")
    paths = []
    if region_codes:
        regions = {r.code: r.path for r in Region.objects.filter(code__in=region_codes)}
        for code in region_codes:
            if code not in regions or not regions[code].startswith(owner_path):
                raise NotFoundError(f"region {code} not found", code="region_not_found")
            paths.append(regions[code])
    if outlet_ids:
        found = dict(Outlet.objects.filter(pk__in=outlet_ids).values_list("pk", "region_path"))
        for oid in outlet_ids:
            if oid not in found or not (
                found[oid].startswith(owner_path)
                and actor.scope.covers_outlet(outlet_id=oid, region_path=found[oid])
            ):
                raise NotFoundError(f"outlet {oid} not found", code="outlet_not_found")
    if category_ids and Category.objects.filter(pk__in=category_ids).count() != len(set(category_ids)):
        raise NotFoundError("a category was not found", code="category_not_found")
    if product_ids and Product.objects.filter(pk__in=product_ids).count() != len(set(product_ids)):
        raise NotFoundError("a product was not found", code="product_not_found")
    return {
        "region_paths": sorted(set(paths)),
        "category_ids": sorted(set(category_ids)),
        "product_ids": sorted(set(product_ids)),
    }
