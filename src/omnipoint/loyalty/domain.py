"""Loyalty rules with no ORM: tiers, points earned by an order, oldest-first spending,
splitting a wallet amount between principal and bonus, and what points are worth as a tender."""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.conf import settings

from omnipoint.core.errors import ValidationError
from omnipoint.core.explain import Explanation


class LoyaltyWhy:
    """The kinds of explanation loyalty gives (worded in ``loyalty/explain.py``)."""

    EARNED = "loyalty_earned"  # rule, points_per_yuan, multiplier, points


@dataclass(frozen=True)
class TierDef:
    code: str
    min_spend: int
    multiplier: Decimal


def tier_for(spend: int, tiers: list[TierDef]) -> TierDef | None:
    """The highest tier whose threshold the rolling 12-month spend reaches."""
    reached = [t for t in tiers if spend >= t.min_spend]
    return max(reached, key=lambda t: t.min_spend) if reached else None


@dataclass(frozen=True)
class RuleDef:
    id: int
    name: str
    points_per_yuan: Decimal
    channel: str = ""
    category_id: int | None = None
    outlet_id: int | None = None
    bonus: bool = False
    validity_days: int = 365
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def matches(self, *, channel: str, category_id: int | None, outlet_id: int | None, at: datetime) -> bool:
        return (
            (not self.channel or self.channel == channel)
            and (self.category_id is None or self.category_id == category_id)
            and (self.outlet_id is None or self.outlet_id == outlet_id)
            and (self.starts_at is None or self.starts_at <= at)
            and (self.ends_at is None or at < self.ends_at)
        )

    @property
    def specificity(self) -> int:
        return bool(self.channel) + (self.category_id is not None) + (self.outlet_id is not None)


@dataclass(frozen=True)
class EarnLine:
    category_id: int | None
    amount: int  # fen actually paid for the line


@dataclass(frozen=True)
class OrderForPoints:
    """What loyalty needs of an order to credit or take back its points. Orders gives it
    (``orders.selectors.order_for_points``): loyalty never reads orders."""

    number: str
    member_id: int | None
    total: int  # fen
    paid_by_points: int  # fen of the total paid with points, which earns none
    channel: str
    outlet_id: int | None
    lines: tuple[EarnLine, ...]  # each line's amount, before the points share is taken out


@dataclass(frozen=True)
class Award:
    rule_id: int
    points: int
    validity_days: int
    why: Explanation  # which rule earned them, at what rate and tier multiplier


def points_for_order(
    lines: list[EarnLine],
    *,
    channel: str,
    outlet_id: int | None,
    rules: list[RuleDef],
    multiplier: Decimal,
    at: datetime,
) -> list[Award]:
    """Per line, the most specific base rule that matches, plus every matching bonus rule;
    points are whole, rounded down, and multiplied by the member's tier multiplier. One award
    per rule (each expires on its own date)."""
    totals: dict[int, Decimal] = {}
    by_id = {r.id: r for r in rules}
    for line in lines:
        matching = [
            r
            for r in rules
            if r.matches(channel=channel, category_id=line.category_id, outlet_id=outlet_id, at=at)
        ]
        base = max((r for r in matching if not r.bonus), key=lambda r: (r.specificity, -r.id), default=None)
        for rule in ([base] if base else []) + [r for r in matching if r.bonus]:
            totals[rule.id] = (
                totals.get(rule.id, Decimal(0)) + Decimal(line.amount) / 100 * rule.points_per_yuan
            )
    awards = []
    for rule_id, raw in sorted(totals.items()):
        points = int((raw * multiplier).to_integral_value(rounding=ROUND_DOWN))
        if points > 0:
            rule = by_id[rule_id]
            awards.append(
                Award(
                    rule_id,
                    points,
                    rule.validity_days,
                    Explanation(
                        LoyaltyWhy.EARNED,
                        {
                            "rule": rule.name,
                            "points_per_yuan": f"{rule.points_per_yuan.normalize():f}",
                            "multiplier": f"{Decimal(multiplier).normalize():f}",
                            "points": points,
                        },
                    ),
                )
            )
    return awards


def take_oldest_first(lots: list[tuple[int, int]], amount: int) -> list[tuple[int, int]]:
    """``lots`` as (lot_id, remaining), oldest expiry first -> what to take from each."""
    takes, left = [], amount
    for lot_id, remaining in lots:
        if left <= 0:
            break
        take = min(remaining, left)
        if take > 0:
            takes.append((lot_id, take))
            left -= take
    if left > 0:
        raise ValueError(f"{left} points short")
    return takes


def split_wallet(amount: int, *, principal: int, bonus: int) -> tuple[int, int]:
    """Spend principal first, then bonus (the bonus is the platform's money; the customer's
    own money goes first, which is what a refund of the principal then gives back)."""
    from_principal = min(amount, principal)
    from_bonus = amount - from_principal
    if from_bonus > bonus:
        raise ValueError("not enough in the wallet")
    return from_principal, from_bonus


def split_refund(amount: int, *, principal: int, bonus: int) -> tuple[int, int]:
    """Give a refund back in the proportions it was paid in (half-up on the principal)."""
    total = principal + bonus
    if total == 0:
        return 0, 0
    back_principal = int((Decimal(amount) * principal / total).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    back_principal = min(back_principal, principal, amount)
    return back_principal, amount - back_principal


# --- as payment tenders ---------------------------------------------------------------------


def points_for_fen(amount: int) -> int:
    """The points that pay ``amount`` fen at settings.POINTS_PER_YUAN; only exact amounts."""
    points, rest = divmod(amount * settings.POINTS_PER_YUAN, 100)
    if amount <= 0 or rest or points <= 0:
        raise ValidationError(
            f"{amount} fen is not a whole number of points ({settings.POINTS_PER_YUAN} points = 1 yuan)",
            code="invalid_amount",
        )
    return points


def fen_for_points(points: int) -> int:
    """What ``points`` pay, in fen; refused unless it is a whole number of fen."""
    if isinstance(points, bool) or not isinstance(points, int) or not 0 < points <= 10**9:
        raise ValidationError("points must be a positive whole number", code="invalid_amount")
    fen, rest = divmod(points * 100, settings.POINTS_PER_YUAN)
    if rest or fen <= 0:
        raise ValidationError(
            f"{points} points are not a whole number of fen ({settings.POINTS_PER_YUAN} points = 1 yuan)",
            code="invalid_amount",
        )
    return fen


def wallet_leg_keys(key: str) -> list[str]:
    """A wallet payment's legs: one posting a wallet part (``key:principal``, ``key:bonus``)."""
    return [f"{key}:principal", f"{key}:bonus"]
