"""Which price applies, and why. Pure: candidates in, one decision with its reasons out."""

from dataclasses import dataclass, field


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
    reasons: list[str] = field(default_factory=list)
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
    where = best.region_name or "the whole network"
    reasons = [f"price list '{best.price_list}' for {where}"]
    if best.channel:
        reasons.append(f"a price set for the {best.channel} channel")
    else:
        reasons.append("the same price on every channel (同价)")
    if len(ranked) > 1:
        reasons.append(f"overrides {len(ranked) - 1} less specific price(s)")
    return PriceDecision(amount=best.amount, chosen=best, reasons=reasons, overridden=ranked[1:])
