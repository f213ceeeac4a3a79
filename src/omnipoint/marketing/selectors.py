"""Marketing reads: offers within a staff member's scope, a member's own coupons and games."""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from omnipoint.core.errors import NotFoundError, PermissionDeniedError
from omnipoint.marketing.models import (
    Coupon,
    CouponClaimCount,
    CouponTemplate,
    Game,
    GameAttempt,
    GamePlayer,
    Promotion,
)
from omnipoint.members.models import Member
from omnipoint.outlets.domain import Actor, Perm, Scope
from omnipoint.outlets.models import Outlet


def member_for_user(*, user) -> Member:  # type: ignore[no-untyped-def]
    """The member behind a storefront login; staff and partner accounts have none."""
    member = Member.objects.filter(user_id=user.pk).first() if user is not None else None
    if member is None:
        raise PermissionDeniedError("this account is not a member", code="not_member")
    return member


def _ancestors(path: str) -> list[str]:
    return [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]


def offer_scope_q(scope: Scope) -> Q:
    """Offers a staff member sees: those owned at or under their node, and those of the nodes
    above it (which apply to them). An outlet's staff see those of the regions above it."""
    if scope.is_hq:
        return Q()
    if scope.region_path is not None:
        return Q(region_path__startswith=scope.region_path) | Q(region_path__in=_ancestors(scope.region_path))
    path = Outlet.objects.filter(pk=scope.outlet_id or 0).values_list("region_path", flat=True).first() or "/"
    return Q(region_path__in=_ancestors(path))


def coupon_template_list(*, actor: Actor, active_only: bool = False) -> QuerySet[CouponTemplate]:
    actor.require(Perm.NETWORK_VIEW)
    qs = CouponTemplate.objects.filter(offer_scope_q(actor.scope))
    if active_only:
        qs = qs.filter(is_active=True, ends_at__gt=timezone.now())
    return qs.order_by("-pk")


def coupon_template_get(*, actor: Actor, template_id: int) -> CouponTemplate:
    template = coupon_template_list(actor=actor).filter(pk=template_id).first()
    if template is None:
        raise NotFoundError(f"coupon template {template_id} not found", code="template_not_found")
    return template


def coupon_templates_claimable(*, now: datetime | None = None) -> QuerySet[CouponTemplate]:
    now = now or timezone.now()
    return CouponTemplate.objects.filter(
        is_active=True, claimable=True, starts_at__lte=now, ends_at__gt=now
    ).order_by("ends_at", "pk")


def coupon_list_for_member(*, member: Member, state: str = "") -> QuerySet[Coupon]:
    qs = Coupon.objects.filter(member=member).select_related("template")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-pk")


def coupon_list(*, actor: Actor, template_id: int) -> QuerySet[Coupon]:
    """Coupons issued from a template in the actor's scope."""
    template = coupon_template_get(actor=actor, template_id=template_id)
    return Coupon.objects.filter(template=template).select_related("template").order_by("-pk")


def promotion_list(*, actor: Actor, active_only: bool = False) -> QuerySet[Promotion]:
    actor.require(Perm.NETWORK_VIEW)
    qs = Promotion.objects.filter(offer_scope_q(actor.scope))
    if active_only:
        qs = qs.filter(is_active=True, ends_at__gt=timezone.now())
    return qs.order_by("-priority", "-pk")


def game_list(*, actor: Actor) -> QuerySet[Game]:
    actor.require(Perm.NETWORK_VIEW)
    return Game.objects.filter(offer_scope_q(actor.scope)).prefetch_related("prizes").order_by("-pk")


def game_get(*, game_id: int) -> Game:
    """A live game as members see it."""
    game = Game.objects.prefetch_related("prizes").filter(pk=game_id, is_active=True).first()
    if game is None:
        raise NotFoundError(f"game {game_id} not found", code="game_not_found")
    return game


def attempt_list_for_member(*, member: Member, game_id: int | None = None) -> QuerySet[GameAttempt]:
    qs = GameAttempt.objects.filter(member=member).select_related("prize", "coupon__template")
    if game_id is not None:
        qs = qs.filter(game_id=game_id)
    return qs.order_by("-pk")


# --- the storefront: what a customer sees -----------------------------------------------------


def coupon_claims_for_member(*, member: Member) -> dict[int, int]:
    """How many coupons of each template the member holds from it (template id -> count)."""
    return dict(CouponClaimCount.objects.filter(member=member).values_list("template_id", "count"))


def promotions_live(
    *, region_path: str, channel: str, outlet_id: int | None = None, now: datetime | None = None
) -> list[Promotion]:
    """Automatic promotions that hold now for anyone buying on ``channel`` in the region (and,
    with ``outlet_id``, at that outlet): the ones checkout would consider, less those limited
    to member tiers or to narrower regions elsewhere. Highest priority first. One query."""
    now = now or timezone.now()
    ancestors = _ancestors(region_path)
    outlet_q = Q(outlet__isnull=True) | Q(outlet_id=outlet_id) if outlet_id else Q(outlet__isnull=True)
    rows = Promotion.objects.filter(
        Q(channel="") | Q(channel=channel),
        outlet_q,
        is_active=True,
        starts_at__lte=now,
        ends_at__gt=now,
        region_path__in=ancestors,
    ).order_by("-priority", "pk")
    return [
        p
        for p in rows
        if not p.member_tiers
        and (not p.region_paths or any(region_path.startswith(r) for r in p.region_paths))
    ]


def games_live(*, now: datetime | None = None) -> QuerySet[Game]:
    now = now or timezone.now()
    return Game.objects.filter(is_active=True, starts_at__lte=now, ends_at__gt=now).order_by("ends_at", "pk")


def game_attempts_left(*, game: Game, member: Member) -> int:
    used = GamePlayer.objects.filter(game=game, member=member).values_list("attempts", flat=True).first() or 0
    return max(0, game.attempts_per_member - used)
