"""The offers the browser tests shop with, set up by the HQ admin through the marketing services:
家电9折 (10% off the category of the network's first SKU, the air conditioner) and threshold
coupons, each from a day ago for 30 days."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from omnipoint.marketing import services as marketing
from omnipoint.marketing.models import CouponTemplate
from omnipoint.outlets.domain import Actor
from omnipoint.outlets.selectors import actor_get
from omnipoint.testing import Network, user_of


def hq() -> Actor:
    return actor_get(user=user_of("hq_admin"))


def window() -> dict[str, datetime]:
    now = timezone.now()
    return {"starts_at": now - timedelta(days=1), "ends_at": now + timedelta(days=30)}


def appliances_off(network: Network) -> None:
    """家电9折: 10% off the air conditioner's category."""
    marketing.promotion_create(
        actor=hq(),
        name="家电9折",
        kind="discount",
        percent_off=Decimal("10"),
        category_ids=[network.skus[0].product.category_id],
        **window(),
    )


def threshold_coupon(*, code: str, name: str, value: int, threshold: int, **extra: Any) -> CouponTemplate:
    """A coupon template worth ``value`` fen off an order of ``threshold`` fen or more."""
    return marketing.coupon_template_create(
        actor=hq(),
        code=code,
        name=name,
        kind="threshold",
        value=value,
        threshold=threshold,
        **window(),
        **extra,
    )
