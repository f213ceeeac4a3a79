"""Member reads, each cut to what its reader may see: the member themselves (everything), a
clerk at the counter (what serving needs), a region manager (activity in their region)."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from omnipoint.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from omnipoint.ledger.models import Posting, PostingState
from omnipoint.loyalty.models import PointsLot
from omnipoint.loyalty.services import member_tier, points_balance, wallet_balance
from omnipoint.members.domain import mask_mobile, normalise_mobile, sees_member_activity
from omnipoint.members.models import Member
from omnipoint.orders.models import Order
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.selectors import scope_q


def _not_found() -> NotFoundError:
    return NotFoundError("member not found", code="member_not_found")


def member_find(*, mobile: str = "", card: str = "") -> Member:
    """By mobile number (normalised; a malformed one is refused) or by member card code."""
    if mobile:
        member = Member.objects.filter(mobile=normalise_mobile(mobile)).first()
    elif card:
        member = Member.objects.filter(card_code=card.strip()[:20]).first()
    else:
        raise ValidationError("give a mobile number or a card code", code="lookup_required")
    if member is None:
        raise _not_found()
    return member


def member_of_user(*, user) -> Member:  # type: ignore[no-untyped-def]
    member = Member.objects.filter(user_id=user.pk).first() if user.is_authenticated else None
    if member is None:
        raise PermissionDeniedError("sign in as a member", code="not_member")
    return member


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


def member_orders(*, member: Member) -> QuerySet[Order]:
    """One order history across channels: placed as the member, or with their mobile (a
    counter sale before they signed up, a guest checkout)."""
    return (
        Order.objects.filter(Q(member=member) | Q(customer_mobile=member.mobile))
        .select_related("pickup_outlet", "origin_outlet")
        .order_by("-created_at", "-pk")
    )


def member_lots(*, member: Member) -> QuerySet[PointsLot]:
    return PointsLot.objects.filter(member=member, remaining__gt=0).order_by("expires_at", "pk")


def member_postings(*, member: Member, limit: int = 100) -> list[Posting]:
    """The member's points and wallet movements, newest first (holds shown as holds)."""
    return list(
        Posting.objects.filter(Q(debit__member=member) | Q(credit__member=member))
        .exclude(kind=PostingState.VOID_PENDING)
        .select_related("debit", "credit")
        .order_by("-created_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class Activity:
    member: Member
    mobile_masked: str
    tier: str
    points: int
    wallet: dict[str, int]
    orders: list[Order]
    postings: list[Posting]


def _orders_in_scope(actor: Actor, member: Member) -> QuerySet[Order]:
    scope = actor.scope
    return (
        member_orders(member=member)
        .filter(
            scope_q(scope, "origin_outlet")
            | scope_q(scope, "pickup_outlet")
            | scope_q(scope, "lines__location")
        )
        .distinct()
    )


def member_activity(*, actor: Actor, member_id: int) -> Activity:
    """A region manager's view of a member whose orders touch their region: those orders, the
    member's balances and their points and wallet movements. HQ sees every member. A member
    with no order in the region is not found (no leak of who shops elsewhere)."""
    actor.require(Perm.STOCK_VIEW)
    if not sees_member_activity(outlet_scoped=actor.scope.outlet_id is not None):
        raise PermissionDeniedError("counter staff see only what serving a member needs", code="forbidden")
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        raise _not_found()
    orders = list(_orders_in_scope(actor, member)[:100])
    if not orders and not actor.scope.is_hq:
        raise _not_found()
    tier = member_tier(member=member)
    return Activity(
        member,
        mask_mobile(member.mobile),
        tier.name if tier else "",
        points_balance(member=member),
        wallet_balance(member=member),
        orders,
        member_postings(member=member),
    )


def members_in_scope(*, actor: Actor, search: str = "", limit: int = 50) -> list[Member]:
    """Members whose orders touch the actor's region (all members for HQ), newest first."""
    actor.require(Perm.STOCK_VIEW)
    if not sees_member_activity(outlet_scoped=actor.scope.outlet_id is not None):
        raise PermissionDeniedError("counter staff see only what serving a member needs", code="forbidden")
    scope = actor.scope
    qs = Member.objects.all()
    if not scope.is_hq:
        in_scope = Order.objects.filter(
            scope_q(scope, "origin_outlet")
            | scope_q(scope, "pickup_outlet")
            | scope_q(scope, "lines__location")
        ).exclude(member__isnull=True)
        qs = qs.filter(pk__in=in_scope.values("member_id"))
    if search:
        qs = qs.filter(Q(mobile=search) | Q(card_code=search) | Q(name__icontains=search))
    return list(qs.order_by("-pk")[:limit])
