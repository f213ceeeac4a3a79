"""Loyalty reads about a member: what a clerk sees at the counter (tier, points, wallet) and the
member's points lots."""

from dataclasses import dataclass

from django.db.models import QuerySet

from omnipoint.loyalty.models import PointsLot
from omnipoint.loyalty.services import member_tier, points_balance, wallet_balance
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
