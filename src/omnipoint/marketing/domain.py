"""Promotion and coupon pricing, and the prize draw. Pure: no ORM, no clock, no randomness
that the caller does not pass in.

Pricing, in order:
  1. Each line starts at its list price (unit price x quantity) from the catalogue.
  2. Promotions apply automatically. Those whose limits (window, channel, region, outlet,
     member tier) rule them out, or that cover none of the lines, are left out with a reason.
     The customer gets the better of two offers: the stackable promotions together, applied
     in priority order (highest first) each on what the previous left, or the single best
     exclusive promotion alone. Equal discounts go to the higher priority.
     Prices stay the same on every channel of a region (同价) unless a promotion is limited
     to one channel on purpose.
  3. Coupons then apply, in the order given, to what the promotions left. A coupon that does
     not apply is refused with its reason (the checkout tells the customer; it never drops a
     coupon silently). A coupon that is not stackable must be the only goods coupon.
  4. Every discount is spread over the lines it covers in proportion to what they still cost,
     in whole fen (largest remainder), so a line never goes below zero and the line discounts
     add up to exactly the order's discount. Percentages round half up to the fen.
Each line's explanation names every promotion and coupon that took something off it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from omnipoint.core.explain import Explanation


class PromotionKind:
    DISCOUNT = "discount"  # percent or amount per unit off the covered items
    THRESHOLD = "threshold"  # 满减: covered items worth at least T get A off (optionally per T)
    BUNDLE = "bundle"  # N covered units for a fixed price
    BUY_X_GET_Y = "buy_x_get_y"  # of every X+Y covered units, the Y cheapest are free

    ALL = (DISCOUNT, THRESHOLD, BUNDLE, BUY_X_GET_Y)


class CouponKind:
    FIXED = "fixed"  # an amount off (with an optional minimum spend)
    PERCENTAGE = "percentage"  # a percentage off, optionally capped
    THRESHOLD = "threshold"  # 满减: spend at least T, get A off
    FREE_DELIVERY = "free_delivery"  # waives the delivery fee; takes nothing off the goods

    ALL = (FIXED, PERCENTAGE, THRESHOLD, FREE_DELIVERY)


class OfferWhy(StrEnum):
    """What promotions and coupons did to an order, and why one was left out or refused
    (worded in ``marketing/explain.py``). Amounts in fen, times in ISO."""

    PROMOTION = "promotion"  # on a line: promotion, discount_fen
    COUPON = "coupon"  # on a line: coupon (code), name, discount_fen
    PROMOTION_NOT_APPLIED = "promotion_not_applied"  # promotion, why (an explanation)
    PROMOTIONS_OUTDONE = "promotions_outdone"  # promotions, winner
    NOT_YET_VALID = "offer_not_yet_valid"  # starts_at
    EXPIRED = "offer_expired"  # ends_at
    CHANNEL_ONLY = "offer_channel_only"  # channels, channel
    REGION_ONLY = "offer_region_only"
    OUTLET_ONLY = "offer_outlet_only"  # not at this outlet
    CERTAIN_OUTLETS_ONLY = "offer_certain_outlets_only"  # home delivery, outlets only
    TIER_ONLY = "offer_tier_only"  # tiers
    COVERS_NOTHING = "coupon_covers_nothing"
    THRESHOLD_NOT_MET = "coupon_threshold_not_met"  # threshold_fen, base_fen
    NOT_COMBINABLE = "coupon_not_combinable"
    GIVEN_TWICE = "coupon_given_twice"
    WITHDRAWN = "coupon_withdrawn"
    BUDGET_SPENT = "coupon_budget_spent"
    PRIZE_RAN_OUT = "prize_ran_out"  # prize: the drawn prize's stock ran out
    PRIZE_BUDGET_SPENT = "prize_budget_spent"  # the game's prize budget is spent
    PRIZE_COUPONS_GONE = "prize_coupons_gone"  # prize: its coupon template has none left
    PRIZE_COUPON_WITHDRAWN = "prize_coupon_withdrawn"  # prize: its coupon is no longer offered


OFFER_LINES = (OfferWhy.PROMOTION, OfferWhy.COUPON)


def percent_of(amount: int, percent: Decimal) -> int:
    """``percent`` % of ``amount`` fen, rounded half up to the fen."""
    return int((Decimal(amount) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` fen over ``weights`` in proportion, in whole fen that add up exactly
    (largest remainder; ties to the earlier weight). Never more than a weight: ``total`` is
    capped at their sum."""
    whole = sum(weights)
    total = max(0, min(total, whole))
    if whole == 0 or total == 0:
        return [0] * len(weights)
    shares = [total * w // whole for w in weights]
    rest = total - sum(shares)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in by_remainder[:rest]:
        shares[i] += 1
    return shares


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PricedLine:
    sku_id: int
    product_id: int
    category_id: int
    quantity: int
    unit_price: int  # fen, from the price list
    explanation: tuple[Explanation, ...] = ()

    @property
    def gross(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class Context:
    channel: str
    region_path: str  # where the order is priced: the pickup / counter outlet's or the delivery district's
    outlet_id: int | None  # the pickup or counter outlet; None for home delivery
    member_tier: str
    now: datetime


@dataclass(frozen=True)
class Limits:
    """Where and for whom an offer holds. Empty sets mean "any"."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    channels: frozenset[str] = frozenset()
    region_paths: tuple[str, ...] = ()  # path prefixes, e.g. "/31/" for Shanghai
    outlet_ids: frozenset[int] = frozenset()
    member_tiers: frozenset[str] = frozenset()
    category_ids: frozenset[int] = frozenset()
    product_ids: frozenset[int] = frozenset()
    sku_ids: frozenset[int] = frozenset()
    tier_names: tuple[str, ...] = ()  # the member tiers as members read them, lowest first

    def refusal(self, ctx: Context) -> Explanation | None:
        """Why this offer does not hold for this order, or None when it does."""
        if self.starts_at is not None and ctx.now < self.starts_at:
            return Explanation(OfferWhy.NOT_YET_VALID, {"starts_at": self.starts_at.isoformat()})
        if self.ends_at is not None and ctx.now >= self.ends_at:
            return Explanation(OfferWhy.EXPIRED, {"ends_at": self.ends_at.isoformat()})
        if self.channels and ctx.channel not in self.channels:
            return Explanation(
                OfferWhy.CHANNEL_ONLY, {"channels": sorted(self.channels), "channel": ctx.channel}
            )
        if self.region_paths and not any(ctx.region_path.startswith(p) for p in self.region_paths):
            return Explanation(OfferWhy.REGION_ONLY)
        if self.outlet_ids and ctx.outlet_id not in self.outlet_ids:
            return Explanation(OfferWhy.OUTLET_ONLY if ctx.outlet_id else OfferWhy.CERTAIN_OUTLETS_ONLY)
        if self.member_tiers and ctx.member_tier not in self.member_tiers:
            return Explanation(
                OfferWhy.TIER_ONLY, {"tiers": list(self.tier_names) or sorted(self.member_tiers)}
            )
        return None

    def covers(self, line: PricedLine) -> bool:
        if not (self.category_ids or self.product_ids or self.sku_ids):
            return True
        return (
            line.category_id in self.category_ids
            or line.product_id in self.product_ids
            or line.sku_id in self.sku_ids
        )


@dataclass(frozen=True)
class Promotion:
    id: int
    name: str
    kind: str
    limits: Limits = Limits()
    percent_off: Decimal | None = None  # discount
    amount_off: int = 0  # discount: per unit; threshold: per threshold reached
    threshold: int = 0  # threshold: fen of covered items
    repeat: bool = False  # threshold: 每满 T 减 A (once per T reached) instead of once
    bundle_quantity: int = 0
    bundle_price: int = 0
    buy_quantity: int = 0
    get_quantity: int = 0
    stackable: bool = True
    priority: int = 0


@dataclass(frozen=True)
class Coupon:
    code: str
    name: str
    kind: str
    limits: Limits = Limits()
    value: int = 0  # fixed / threshold: fen off
    percent_off: Decimal | None = None  # percentage
    threshold: int = 0  # minimum covered spend, fen
    max_discount: int = 0  # percentage: cap in fen, 0 = none
    stackable: bool = False  # may be combined with other goods coupons


# --- outputs --------------------------------------------------------------------------------


@dataclass
class LineResult:
    sku_id: int
    quantity: int
    unit_price: int
    discount: int = 0
    explanation: list[Explanation] = field(default_factory=list)

    @property
    def gross(self) -> int:
        return self.unit_price * self.quantity

    @property
    def amount(self) -> int:
        return self.gross - self.discount


@dataclass
class Quote:
    lines: list[LineResult]
    promotions: dict[int, int] = field(default_factory=dict)  # promotion id -> discount
    coupons: dict[str, int] = field(default_factory=dict)  # coupon code -> discount
    refused: dict[str, Explanation] = field(default_factory=dict)  # coupon code -> why
    notes: list[Explanation] = field(default_factory=list)  # promotions left out, and why
    free_delivery: bool = False

    @property
    def total(self) -> int:
        return sum(ln.amount for ln in self.lines)

    @property
    def discount(self) -> int:
        return sum(ln.discount for ln in self.lines)


# --- the policy -----------------------------------------------------------------------------


def _units(nets: list[int], lines: Sequence[PricedLine], covered: list[int]) -> list[tuple[int, int]]:
    """Each covered unit as (what it still costs, line index): a line's net spread over its
    units in whole fen, the odd fen on its first units. Dearest first."""
    units: list[tuple[int, int]] = []
    for i in covered:
        q = lines[i].quantity
        base, odd = divmod(nets[i], q)
        units += [(base + (1 if k < odd else 0), i) for k in range(q)]
    return sorted(units, key=lambda u: (-u[0], u[1]))


def _per_line(units: list[tuple[int, int]], n: int) -> list[int]:
    out = [0] * n
    for value, i in units:
        out[i] += value
    return out


def _promotion_discounts(p: Promotion, lines: Sequence[PricedLine], nets: list[int]) -> list[int]:
    """What one promotion takes off each line, given what each line still costs."""
    n = len(lines)
    covered = [i for i, ln in enumerate(lines) if p.limits.covers(ln) and nets[i] > 0]
    if not covered:
        return [0] * n
    if p.kind == PromotionKind.DISCOUNT:
        out = [0] * n
        for i in covered:
            if p.percent_off is not None:
                out[i] = min(nets[i], percent_of(nets[i], p.percent_off))
            else:
                out[i] = min(nets[i], p.amount_off * lines[i].quantity)
        return out
    if p.kind == PromotionKind.THRESHOLD:
        base = sum(nets[i] for i in covered)
        if p.threshold <= 0 or base < p.threshold:
            return [0] * n
        times = base // p.threshold if p.repeat else 1
        shares = allocate(p.amount_off * times, [nets[i] for i in covered])
        out = [0] * n
        for i, s in zip(covered, shares, strict=True):
            out[i] = s
        return out
    if p.kind == PromotionKind.BUNDLE:
        if p.bundle_quantity <= 0:
            return [0] * n
        units = _units(nets, lines, covered)
        bundles = len(units) // p.bundle_quantity
        bundled = units[: bundles * p.bundle_quantity]  # the dearest units make the bundles
        value = sum(v for v, _ in bundled)
        saving = max(0, value - bundles * p.bundle_price)
        per_line = _per_line(bundled, n)
        idx = [i for i in range(n) if per_line[i]]
        out = [0] * n
        for i, s in zip(idx, allocate(saving, [per_line[i] for i in idx]), strict=True):
            out[i] = s
        return out
    if p.kind == PromotionKind.BUY_X_GET_Y:
        group = p.buy_quantity + p.get_quantity
        if p.buy_quantity <= 0 or p.get_quantity <= 0:
            return [0] * n
        units = _units(nets, lines, covered)
        free = (len(units) // group) * p.get_quantity
        return _per_line(units[len(units) - free :], n) if free else [0] * n
    return [0] * n


def _apply_all(promos: Sequence[Promotion], lines: Sequence[PricedLine]) -> tuple[list[list[int]], int]:
    """Apply promotions one after another; each one's per-line discounts, and their sum."""
    nets = [ln.gross for ln in lines]
    steps = []
    for p in promos:
        d = _promotion_discounts(p, lines, nets)
        nets = [net - x for net, x in zip(nets, d, strict=True)]
        steps.append(d)
    return steps, sum(sum(s) for s in steps)


def _coupon_discounts(
    c: Coupon, lines: Sequence[PricedLine], nets: list[int]
) -> tuple[list[int], Explanation | None]:
    n = len(lines)
    covered = [i for i, ln in enumerate(lines) if c.limits.covers(ln) and nets[i] > 0]
    if not covered:
        return [0] * n, Explanation(OfferWhy.COVERS_NOTHING)
    base = sum(nets[i] for i in covered)
    if base < c.threshold:
        return [0] * n, Explanation(
            OfferWhy.THRESHOLD_NOT_MET, {"threshold_fen": c.threshold, "base_fen": base}
        )
    if c.kind == CouponKind.FREE_DELIVERY:
        return [0] * n, None
    if c.kind == CouponKind.PERCENTAGE:
        off = percent_of(base, c.percent_off or Decimal(0))
        if c.max_discount:
            off = min(off, c.max_discount)
    else:
        off = c.value
    out = [0] * n
    for i, s in zip(covered, allocate(off, [nets[i] for i in covered]), strict=True):
        out[i] = s
    return out, None


def _usable_promotions(
    promotions: Sequence[Promotion], lines: Sequence[PricedLine], ctx: Context, quote: Quote
) -> list[Promotion]:
    """The promotions that hold here and now and cover a line, highest priority first; those
    refused by their limits are noted with why."""
    usable: list[Promotion] = []
    for p in sorted(promotions, key=lambda p: (-p.priority, p.id)):
        why = p.limits.refusal(ctx)
        if why:
            quote.notes.append(
                Explanation(OfferWhy.PROMOTION_NOT_APPLIED, {"promotion": p.name, "why": why.as_json()})
            )
        elif any(p.limits.covers(ln) for ln in lines):
            usable.append(p)
    return usable


def _best_promotions(usable: list[Promotion], lines: Sequence[PricedLine], quote: Quote) -> list[Promotion]:
    """The offer that takes off most: the stackable promotions together, or one that does not
    stack (the higher priority of equals); the offers it outdid are noted."""
    stack = [p for p in usable if p.stackable]
    offers: list[tuple[int, int, list[Promotion]]] = []  # (discount, priority, promotions)
    if stack:
        _, total = _apply_all(stack, lines)
        offers.append((total, stack[0].priority, stack))
    for p in usable:
        if not p.stackable:
            _, total = _apply_all([p], lines)
            offers.append((total, p.priority, [p]))
    if not offers:
        return []
    best = max(offers, key=lambda o: (o[0], o[1]))  # max() keeps the first of equals
    if best[0] <= 0:
        return []
    chosen = best[2]
    for total, _, promos in offers:
        if promos is not chosen and total > 0:
            quote.notes.append(
                Explanation(
                    OfferWhy.PROMOTIONS_OUTDONE,
                    {"promotions": [p.name for p in promos], "winner": chosen[0].name},
                )
            )
    return chosen


def _take_promotions(chosen: list[Promotion], lines: Sequence[PricedLine], quote: Quote) -> None:
    steps, _ = _apply_all(chosen, lines)
    for p, d in zip(chosen, steps, strict=True):
        if not any(d):
            continue
        quote.promotions[p.id] = sum(d)
        for r, x in zip(quote.lines, d, strict=True):
            if x:
                r.discount += x
                r.explanation.append(
                    Explanation(OfferWhy.PROMOTION, {"promotion": p.name, "discount_fen": x})
                )


def _take_coupons(coupons: Sequence[Coupon], lines: Sequence[PricedLine], ctx: Context, quote: Quote) -> None:
    """Each coupon given takes its discount off what the promotions left, or is refused with why."""
    goods_coupons = [c for c in coupons if c.kind != CouponKind.FREE_DELIVERY]
    seen: set[str] = set()
    for c in coupons:
        if c.code in seen:
            quote.refused[c.code] = Explanation(OfferWhy.GIVEN_TWICE)
            continue
        seen.add(c.code)
        why = c.limits.refusal(ctx)
        if why is None and c.kind != CouponKind.FREE_DELIVERY and len(goods_coupons) > 1:
            if not all(g.stackable for g in goods_coupons):
                why = Explanation(OfferWhy.NOT_COMBINABLE)
        if why is None:
            d, why = _coupon_discounts(c, lines, [r.amount for r in quote.lines])
        if why is not None:
            quote.refused[c.code] = why
            continue
        quote.coupons[c.code] = sum(d)
        if c.kind == CouponKind.FREE_DELIVERY:
            quote.free_delivery = True
        for r, x in zip(quote.lines, d, strict=True):
            if x:
                r.discount += x
                r.explanation.append(
                    Explanation(OfferWhy.COUPON, {"coupon": c.code, "name": c.name, "discount_fen": x})
                )


def price_order(
    lines: Sequence[PricedLine],
    ctx: Context,
    *,
    promotions: Sequence[Promotion] = (),
    coupons: Sequence[Coupon] = (),
) -> Quote:
    """Price an order: the promotions that apply, then the coupons given. See the module doc."""
    quote = Quote(
        lines=[LineResult(ln.sku_id, ln.quantity, ln.unit_price, 0, list(ln.explanation)) for ln in lines]
    )
    chosen = _best_promotions(_usable_promotions(promotions, lines, ctx, quote), lines, quote)
    if chosen:
        _take_promotions(chosen, lines, quote)
    _take_coupons(coupons, lines, ctx, quote)
    return quote


# --- games ----------------------------------------------------------------------------------


def prize_pick(weights: Sequence[tuple[int, int]], no_prize_weight: int, roll: int) -> int | None:
    """The prize that a roll in [0, total weight) lands on, or None for "no prize".

    ``weights`` are (prize id, weight) in a fixed order; the "no prize" slice comes last.
    The caller rolls with ``secrets.randbelow(prize_roll_range(...))``.
    """
    for prize_id, weight in weights:
        w = max(0, weight)
        if roll < w:
            return prize_id
        roll -= w
    return None


def prize_roll_range(weights: Sequence[tuple[int, int]], no_prize_weight: int) -> int:
    return sum(max(0, w) for _, w in weights) + max(0, no_prize_weight)
