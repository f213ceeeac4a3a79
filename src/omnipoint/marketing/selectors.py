"""Marketing reads: offers within a staff member's scope, a member's own coupons and games, and
an order priced with the live promotions and the member's coupons (``checkout_price``: the
policy itself is pure, ``marketing.domain.price_order``)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from omnipoint.core.cached import remember
from omnipoint.core.errors import NotFoundError, ValidationError
from omnipoint.core.explain import Explanation, in_english
from omnipoint.loyalty.selectors import member_tier as tier_of
from omnipoint.loyalty.selectors import tier_names
from omnipoint.marketing import domain
from omnipoint.marketing.errors import (
    CouponExpiredError,
    CouponNotApplicableError,
    CouponNotAvailableError,
    CouponNotFoundError,
)
from omnipoint.marketing.models import (
    Coupon,
    CouponClaimCount,
    CouponState,
    CouponTemplate,
    Game,
    GameAttempt,
    GamePlayer,
    Promotion,
)
from omnipoint.members.models import Member
from omnipoint.outlets.domain import Actor, Perm, Scope
from omnipoint.outlets.models import Outlet


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


# --- checkout: the offers as the pricing policy takes them ------------------------------------


def _tier_names(codes: list[str], names: Mapping[str, str]) -> tuple[str, ...]:
    """A tier-limited offer's tiers by name, lowest tier first (a code no tier has, as it is)."""
    return tuple(n for c, n in names.items() if c in codes) + tuple(sorted(set(codes) - set(names)))


def promotion_rule(p: Promotion, tier_names: Mapping[str, str] | None = None) -> domain.Promotion:
    return domain.Promotion(
        id=p.pk,
        name=p.name,
        kind=p.kind,
        limits=domain.Limits(
            starts_at=p.starts_at,
            ends_at=p.ends_at,
            channels=frozenset([p.channel] if p.channel else []),
            region_paths=tuple(p.region_paths or [p.region_path]),
            outlet_ids=frozenset([p.outlet_id] if p.outlet_id else []),
            member_tiers=frozenset(p.member_tiers),
            category_ids=frozenset(p.category_ids),
            product_ids=frozenset(p.product_ids),
            tier_names=_tier_names(p.member_tiers, tier_names or {}) if p.member_tiers else (),
        ),
        percent_off=p.percent_off,
        amount_off=p.amount_off,
        threshold=p.threshold,
        repeat=p.repeat,
        bundle_quantity=p.bundle_quantity,
        bundle_price=p.bundle_price,
        buy_quantity=p.buy_quantity,
        get_quantity=p.get_quantity,
        stackable=p.stackable,
        priority=p.priority,
    )


def coupon_rule(c: Coupon, tier_names: Mapping[str, str] | None = None) -> domain.Coupon:
    t = c.template
    return domain.Coupon(
        code=c.code,
        name=t.name,
        kind=t.kind,
        limits=domain.Limits(
            starts_at=t.starts_at,
            ends_at=min(t.ends_at, c.expires_at),
            channels=frozenset(t.channels),
            region_paths=tuple(t.region_paths or [t.region_path]),
            outlet_ids=frozenset(t.outlet_ids),
            member_tiers=frozenset(t.member_tiers),
            category_ids=frozenset(t.category_ids),
            product_ids=frozenset(t.product_ids),
            tier_names=_tier_names(t.member_tiers, tier_names or {}) if t.member_tiers else (),
        ),
        value=t.value,
        percent_off=t.percent_off,
        threshold=t.threshold,
        max_discount=t.max_discount,
        stackable=t.stackable,
    )


def promotions_for_checkout(*, ctx: domain.Context) -> list[Promotion]:
    """Promotions that may apply here and now; the policy checks everything again. The active
    promotions of a channel, outlet and region are kept a while (``core.cached``, area
    "promotions", forgotten when one is saved): one query when they are not kept, none when
    they are; their time window is checked here, against ``ctx.now``."""
    key = f"{ctx.channel}:{ctx.outlet_id}:{ctx.region_path}"
    active = remember("promotions", key, lambda: _promotions_active(ctx))
    return [p for p in active or [] if p.starts_at <= ctx.now < p.ends_at]


def _promotions_active(ctx: domain.Context) -> list[Promotion]:
    ancestors = [ctx.region_path[: i + 1] for i, ch in enumerate(ctx.region_path) if ch == "/"]
    return list(
        Promotion.objects.filter(
            Q(channel="") | Q(channel=ctx.channel),
            Q(outlet__isnull=True) | Q(outlet_id=ctx.outlet_id),
            is_active=True,
            ends_at__gt=ctx.now,
            region_path__in=ancestors,
        ).order_by("-priority", "pk")
    )


def member_tier_code(*, member: Member | None) -> str:
    """The member's tier code ("" without one: then tier-limited offers do not apply)."""
    if member is None:
        return ""
    tier = tier_of(member=member)
    return tier.code if tier else ""


@dataclass
class CheckoutPricing:
    quote: domain.Quote
    coupons: list[Coupon]


def checkout_price(
    *,
    lines: Sequence[domain.PricedLine],
    channel: str,
    region_path: str,
    outlet_id: int | None,
    member: Member | None,
    coupon_codes: Sequence[str] = (),
    now: datetime | None = None,
) -> CheckoutPricing:
    """Price an order's lines with the live promotions and the member's coupons. Refuses
    (before anything is written) an unknown coupon, one of another member, one that expired,
    is used or held elsewhere, or does not apply to this order, with the reason."""
    ctx = domain.Context(
        channel=channel,
        region_path=region_path,
        outlet_id=outlet_id,
        member_tier="",
        now=now or timezone.now(),
    )
    live = promotions_for_checkout(ctx=ctx)
    codes = list(dict.fromkeys(c.strip().upper() for c in coupon_codes if c.strip()))
    coupons: list[Coupon] = []
    if codes:
        if member is None:
            raise ValidationError("coupons belong to a member: name the customer", code="member_required")
        found = {c.code: c for c in Coupon.objects.select_related("template").filter(code__in=codes)}
        for code in codes:
            coupon = found.get(code)
            if coupon is None or coupon.member_id != member.pk:
                raise CouponNotFoundError(f"coupon {code} not found", coupon=code)
            if coupon.state == CouponState.EXPIRED or coupon.expires_at <= ctx.now:
                raise CouponExpiredError(f"coupon {code} expired", coupon=code)
            if coupon.state != CouponState.ISSUED:
                raise CouponNotAvailableError(
                    f"coupon {code} is {coupon.state}", coupon=code, state=coupon.state
                )
            if not coupon.template.is_active:
                why = Explanation(domain.OfferWhy.WITHDRAWN)
                raise CouponNotApplicableError(
                    f"coupon {code} was withdrawn", coupon=code, reason=why.as_json()
                )
            coupons.append(coupon)
    names: dict[str, str] = {}
    if any(p.member_tiers for p in live) or any(c.template.member_tiers for c in coupons):
        ctx = replace(ctx, member_tier=member_tier_code(member=member))  # only then: it costs queries
        names = tier_names()  # a refusal names the tiers as members read them
    promotions = [promotion_rule(p, names) for p in live]
    quote = domain.price_order(
        lines, ctx, promotions=promotions, coupons=[coupon_rule(c, names) for c in coupons]
    )
    for code, why in quote.refused.items():
        raise CouponNotApplicableError(
            f"coupon {code} does not apply: {in_english(why)}", coupon=code, reason=why.as_json()
        )
    return CheckoutPricing(quote=quote, coupons=coupons)
