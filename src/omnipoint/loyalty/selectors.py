"""Loyalty reads: a member's points and wallet balances, their tier and 12-month spend, what a
clerk sees at the counter, the member's points lots, what became of a points or wallet hold, and
an online top-up."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from omnipoint.core.errors import NotFoundError
from omnipoint.ledger import selectors as ledger
from omnipoint.ledger.domain import WALLET_PARTS, AccountKind
from omnipoint.loyalty import domain
from omnipoint.loyalty.hooks import MEMBER_SPEND
from omnipoint.loyalty.models import OnlineTopup, PointsLot, Tier
from omnipoint.members.domain import mask_mobile
from omnipoint.members.models import Member
from omnipoint.members.selectors import member_find
from omnipoint.outlets.domain import Actor, Perm


@dataclass(frozen=True)
class CounterView:
    """What a clerk sees when a member gives their number or shows their card."""

    id: int
    name: str
    mobile_masked: str
    tier: str
    points: int
    wallet: int


def member_for_counter(*, actor: Actor, mobile: str = "", card: str = "") -> CounterView:
    actor.require(Perm.STOCK_SELL)
    member = member_find(mobile=mobile, card=card)
    tier = member_tier(member=member)
    return CounterView(
        member.pk,
        member.name,
        mask_mobile(member.mobile),
        tier.name if tier else "",
        points_balance(member=member),
        wallet_balance(member=member)["total"],
    )


def member_lots(*, member: Member) -> QuerySet[PointsLot]:
    return PointsLot.objects.filter(member=member, remaining__gt=0).order_by("expires_at", "pk")


def points_balance(*, member: Member) -> int:
    return ledger.balance(kind=AccountKind.MEMBER_POINTS, owner_id=member.pk)


def member_spend_12m(*, member: Member) -> int:
    """What the member spent in the last twelve months, returns taken off: orders answer it
    (``MEMBER_SPEND``, registered by OrdersConfig.ready())."""
    return MEMBER_SPEND(member.pk, timezone.now() - timedelta(days=365))


def member_tier(*, member: Member) -> Tier | None:
    tiers = list(Tier.objects.all())
    chosen = domain.tier_for(
        member_spend_12m(member=member),
        [domain.TierDef(t.code, t.min_spend, t.points_multiplier) for t in tiers],
    )
    return next((t for t in tiers if chosen and t.code == chosen.code), None)


def wallet_balance(*, member: Member) -> dict[str, int]:
    held = ledger.balances(kinds=WALLET_PARTS.values(), owner_id=member.pk)
    p, b = held[AccountKind.MEMBER_WALLET_PRINCIPAL], held[AccountKind.MEMBER_WALLET_BONUS]
    return {"principal": p, "bonus": b, "total": p + b}


def hold_state(*, key: str) -> str:
    """What became of a hold taken with ``key`` (points: the key; wallet: its legs):
    "pending", "posted" or "voided"."""
    state = ledger.resolution_state(keys=[key, *domain.wallet_leg_keys(key)])
    if state is None:
        raise NotFoundError(f"hold {key} not found", code="spend_not_found")
    return state


def topup_online_get(*, number: str) -> OnlineTopup:
    topup = OnlineTopup.objects.filter(number=number).first()
    if topup is None:
        raise NotFoundError(f"top-up {number} not found", code="topup_not_found")
    return topup


def tier_names() -> dict[str, str]:
    """Each tier's name by its code, lowest tier first (what members read instead of codes)."""
    return dict(Tier.objects.order_by("min_spend", "pk").values_list("code", "name"))
