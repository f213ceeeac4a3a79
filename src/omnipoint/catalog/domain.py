"""Which price applies, and why. Pure: candidates in, one decision with its reasons out."""

from dataclasses import dataclass, field
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _

from omnipoint.core.explain import Explanation

# How a variant reads: style, then colour, then size, then any other attribute by name. A JSON
# object's key order is no order (PostgreSQL's jsonb keeps keys sorted by length), so say one.
VARIANT_AXES = ("style", "colour", "size")


class ProductKind(models.TextChoices):
    """How a product's lines are fulfilled: goods take stock (held, picked, handed over); a
    service takes none and is done by people (an installation ticket, in aftersales); a virtual
    item takes none and is fulfilled by a provider (a top-up, a subscription, a prepaid card)."""

    GOODS = "goods", _("Physical goods")
    SERVICE = "service", _("Service")
    VIRTUAL = "virtual", _("Virtual item")


def takes_stock(kind: str) -> bool:
    """Whether a line of this product kind is held, picked and handed over as goods."""
    return kind == ProductKind.GOODS


def variant_label(attributes: dict[str, object]) -> str:
    """A SKU's variant in words, "白 / 1匹": its attribute values in the stated axis order."""
    rank = {axis: i for i, axis in enumerate(VARIANT_AXES)}
    keys = sorted(attributes, key=lambda k: (rank.get(k, len(rank)), k))
    return " / ".join(str(attributes[k]) for k in keys)


class PriceWhy(StrEnum):
    """The reasons a price is what it is (worded in ``catalog/explain.py``)."""

    LIST_FOR_REGION = "price_list_region"  # price_list, region
    LIST_FOR_NETWORK = "price_list_network"  # price_list
    CHANNEL_PRICE = "price_channel"  # channel
    SAME_ON_EVERY_CHANNEL = "price_same_every_channel"
    OVERRIDES = "price_overrides"  # count
    AS_SET = "price_as_set"


@dataclass(frozen=True)
class PriceCandidate:
    item_id: int
    amount: int  # fen
    price_list: str
    region_name: str  # "" for the network-wide list
    region_depth: int  # 0 network-wide, 1 province, 2 city, 3 district
    channel: str  # "" for every channel


@dataclass(frozen=True)
class PriceDecision:
    amount: int
    chosen: PriceCandidate
    reasons: list[Explanation] = field(default_factory=list)
    overridden: list[PriceCandidate] = field(default_factory=list)


def choose_price(candidates: list[PriceCandidate], *, channel: str) -> PriceDecision | None:
    """The most specific region wins; within it a list's channel price beats its all-channel price.

    So one SKU costs the same on every channel of a region (同价) unless someone wrote a price
    for that channel on purpose.
    """
    usable = [c for c in candidates if c.channel in ("", channel)]
    if not usable:
        return None
    ranked = sorted(usable, key=lambda c: (-c.region_depth, c.channel == "", c.item_id))
    best = ranked[0]
    if best.region_name:
        reasons = [
            Explanation(PriceWhy.LIST_FOR_REGION, {"price_list": best.price_list, "region": best.region_name})
        ]
    else:
        reasons = [Explanation(PriceWhy.LIST_FOR_NETWORK, {"price_list": best.price_list})]
    if best.channel:
        reasons.append(Explanation(PriceWhy.CHANNEL_PRICE, {"channel": best.channel}))
    else:
        reasons.append(Explanation(PriceWhy.SAME_ON_EVERY_CHANNEL))
    if len(ranked) > 1:
        reasons.append(Explanation(PriceWhy.OVERRIDES, {"count": len(ranked) - 1}))
    return PriceDecision(amount=best.amount, chosen=best, reasons=reasons, overridden=ranked[1:])
