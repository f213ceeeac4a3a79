"""Marketing writes: coupon templates and issuance, checkout pricing with promotions and
coupons, coupon hold / redeem / release for orders, games and their prize draw.

What bounds a give-away changes only through guarded conditional UPDATEs, checked for
exactly one changed row: a template's issued coupons (``issued_count < budget_count``) and
discount budget, a member's claims of a template, a coupon's state (issued -> held ->
redeemed, back to issued on cancel), a prize's stock (``remaining > 0``), a game's awards and a
player's attempts. Rows are touched in one order everywhere: a member's own counter row, then
the coupon, then the prize, the game, the template; checkout then reserves stock.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from omnipoint.catalog.models import Category, Product
from omnipoint.core.channels import Channel
from omnipoint.core.errors import (
    ConflictError,
    DomainError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from omnipoint.core.explain import Explanation, in_english
from omnipoint.loyalty.services import member_tier as tier_of
from omnipoint.loyalty.services import points_award
from omnipoint.marketing import domain
from omnipoint.marketing.models import (
    Coupon,
    CouponClaimCount,
    CouponKind,
    CouponSource,
    CouponState,
    CouponTemplate,
    Delivery,
    Game,
    GameAttempt,
    GameKind,
    GamePlayer,
    Prize,
    PrizeKind,
    Promotion,
    PromotionKind,
)
from omnipoint.members.models import Member
from omnipoint.members.services import member_get_or_create
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.models import Outlet, Region
from omnipoint.outlets.selectors import region_get

MAX_CAMPAIGN_MEMBERS = 1000
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the counter


class CouponNotFoundError(NotFoundError):
    code = "coupon_not_found"


class CouponExpiredError(ValidationError):
    code = "coupon_expired"


class CouponNotApplicableError(ValidationError):
    code = "coupon_not_applicable"


class CouponNotAvailableError(ConflictError):
    code = "coupon_not_available"


class ClaimLimitError(ConflictError):
    code = "claim_limit_reached"


class BudgetExhaustedError(ConflictError):
    code = "coupon_budget_exhausted"


class AttemptsExhaustedError(ConflictError):
    code = "attempts_exhausted"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _coupon_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))


# --- scope ----------------------------------------------------------------------------------


def _owner_region(actor: Actor, region_code: str) -> Region | None:
    """The node an offer belongs to: a region in the actor's scope, or none (HQ, network-wide)."""
    actor.require(Perm.PRICE_EDIT)
    if not region_code:
        if not actor.scope.is_hq:
            raise PermissionDeniedError("only HQ creates network-wide offers", code="hq_only")
        return None
    region = region_get(code=region_code)
    if not actor.scope.covers_region(region.path):
        raise NotFoundError(f"region {region_code} not found", code="region_not_found")
    return region


def _actor_outlet_path(actor: Actor) -> str | None:
    if actor.scope.outlet_id is None:
        return None
    return Outlet.objects.filter(pk=actor.scope.outlet_id).values_list("region_path", flat=True).first()


def template_issuable_by(actor: Actor, template: CouponTemplate, outlet_path: str | None) -> bool:
    """Staff issue coupons only of templates limited to their own region (HQ: any). A clerk
    at an outlet issues those of the regions above their outlet (not network-wide ones), if
    the template is not limited to other outlets."""
    if actor.scope.is_hq:
        return True
    if actor.scope.region_path is not None:
        return template.region_path.startswith(actor.scope.region_path)
    return (
        outlet_path is not None
        and template.region_path != "/"
        and outlet_path.startswith(template.region_path)
        and (not template.outlet_ids or actor.scope.outlet_id in template.outlet_ids)
    )


# --- validation of offer limits -------------------------------------------------------------


def _window(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError("the window must end after it starts", code="invalid_window")


def _limit_ids(
    actor: Actor,
    owner_path: str,
    *,
    channels: Sequence[str],
    region_codes: Sequence[str],
    outlet_ids: Sequence[int],
    category_ids: Sequence[int],
    product_ids: Sequence[int],
) -> dict[str, Any]:
    bad = sorted(set(channels) - set(Channel.values))
    if bad:
        raise ValidationError(f"unknown channel {bad[0]}", code="invalid_channel")
    paths = []
    if region_codes:
        regions = {r.code: r.path for r in Region.objects.filter(code__in=region_codes)}
        for code in region_codes:
            if code not in regions or not regions[code].startswith(owner_path):
                raise NotFoundError(f"region {code} not found", code="region_not_found")
            paths.append(regions[code])
    if outlet_ids:
        found = dict(Outlet.objects.filter(pk__in=outlet_ids).values_list("pk", "region_path"))
        for oid in outlet_ids:
            if oid not in found or not (
                found[oid].startswith(owner_path)
                and actor.scope.covers_outlet(outlet_id=oid, region_path=found[oid])
            ):
                raise NotFoundError(f"outlet {oid} not found", code="outlet_not_found")
    if category_ids and Category.objects.filter(pk__in=category_ids).count() != len(set(category_ids)):
        raise NotFoundError("a category was not found", code="category_not_found")
    if product_ids and Product.objects.filter(pk__in=product_ids).count() != len(set(product_ids)):
        raise NotFoundError("a product was not found", code="product_not_found")
    return {
        "region_paths": sorted(set(paths)),
        "category_ids": sorted(set(category_ids)),
        "product_ids": sorted(set(product_ids)),
    }


# --- coupon templates -----------------------------------------------------------------------


@transaction.atomic
def coupon_template_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    value: int = 0,
    percent_off: Decimal | None = None,
    threshold: int = 0,
    max_discount: int = 0,
    region_code: str = "",
    channels: Sequence[str] = (),
    region_codes: Sequence[str] = (),
    outlet_ids: Sequence[int] = (),
    category_ids: Sequence[int] = (),
    product_ids: Sequence[int] = (),
    member_tiers: Sequence[str] = (),
    claim_limit: int = 1,
    budget_count: int | None = None,
    budget_amount: int | None = None,
    stackable: bool = False,
    claimable: bool = True,
) -> CouponTemplate:
    region = _owner_region(actor, region_code)
    owner_path = region.path if region else "/"
    if kind not in CouponKind.values:
        raise ValidationError(f"unknown coupon kind {kind}", code="invalid_kind")
    _window(starts_at, ends_at)
    if kind in (CouponKind.FIXED, CouponKind.THRESHOLD) and value <= 0:
        raise ValidationError(f"a {kind} coupon takes an amount off (value)", code="invalid_value")
    if kind == CouponKind.THRESHOLD and threshold <= value:
        raise ValidationError("a 满减 coupon's threshold must exceed its value", code="invalid_threshold")
    if kind == CouponKind.PERCENTAGE and (percent_off is None or not 0 < percent_off <= 100):
        raise ValidationError("a percentage coupon needs 0 < percent_off <= 100", code="invalid_value")
    if kind != CouponKind.PERCENTAGE:
        percent_off, max_discount = None, 0
    if claim_limit < 1:
        raise ValidationError("claim_limit must be at least 1", code="invalid_claim_limit")
    if CouponTemplate.objects.filter(code=code).exists():
        raise ConflictError(f"template code {code} is taken", code="duplicate_code")
    ids = _limit_ids(
        actor,
        owner_path,
        channels=channels,
        region_codes=region_codes,
        outlet_ids=outlet_ids,
        category_ids=category_ids,
        product_ids=product_ids,
    )
    return CouponTemplate.objects.create(
        code=code,
        name=name,
        kind=kind,
        value=value,
        percent_off=percent_off,
        threshold=threshold,
        max_discount=max_discount,
        region=region,
        region_path=owner_path,
        channels=sorted(set(channels)),
        outlet_ids=sorted(set(outlet_ids)),
        member_tiers=sorted(set(member_tiers)),
        starts_at=starts_at,
        ends_at=ends_at,
        claim_limit=claim_limit,
        budget_count=budget_count,
        budget_amount=budget_amount,
        stackable=stackable,
        claimable=claimable,
        created_by_id=actor.user_id,
        **ids,
    )


# --- issuing --------------------------------------------------------------------------------


def _take_claim(template: CouponTemplate, member: Member) -> None:
    """One more of this template for this member, within the per-member limit. Guarded."""
    CouponClaimCount.objects.bulk_create(
        [CouponClaimCount(template=template, member=member)], ignore_conflicts=True
    )
    if (
        CouponClaimCount.objects.filter(
            template=template, member=member, count__lt=template.claim_limit
        ).update(count=F("count") + 1)
        != 1
    ):
        raise ClaimLimitError(
            f"at most {template.claim_limit} coupon(s) of '{template.name}' per member",
            limit=template.claim_limit,
        )


def _take_budget(template: CouponTemplate) -> None:
    """One more coupon issued from the template, within its budget. Guarded."""
    if (
        CouponTemplate.objects.filter(pk=template.pk)
        .filter(Q(budget_count__isnull=True) | Q(issued_count__lt=F("budget_count")))
        .update(issued_count=F("issued_count") + 1)
        != 1
    ):
        raise BudgetExhaustedError(f"'{template.name}' has no coupons left", template=template.code)


def _issue(
    template: CouponTemplate,
    member: Member,
    *,
    source: str,
    user_id: int | None,
    now: datetime,
    per_member_limit: bool = True,
) -> Coupon:
    if not template.is_active or now >= template.ends_at:
        raise CouponExpiredError(f"'{template.name}' is no longer offered", template=template.code)
    if per_member_limit:
        _take_claim(template, member)
    _take_budget(template)
    return Coupon.objects.create(
        template=template,
        member=member,
        code=_coupon_code(),
        source=source,
        issued_by_id=user_id,
        expires_at=template.ends_at,
    )


def _template(**lookup: object) -> CouponTemplate:
    template = CouponTemplate.objects.filter(**lookup).first()
    if template is None:
        raise NotFoundError("coupon template not found", code="template_not_found")
    return template


@transaction.atomic
def coupon_claim(*, member: Member, template_code: str, now: datetime | None = None) -> Coupon:
    """A member claims a coupon themselves (领券)."""
    template = _template(code=template_code, claimable=True)
    return _issue(template, member, source=CouponSource.CLAIM, user_id=member.user_id, now=_now(now))


def _member(member_id: int | None, mobile: str) -> Member:
    if member_id is not None:
        member = Member.objects.filter(pk=member_id).first()
        if member is None:
            raise NotFoundError(f"member {member_id} not found", code="member_not_found")
        return member
    if mobile:
        return member_get_or_create(mobile=mobile)
    raise ValidationError("name the member (member_id or mobile)", code="member_required")


@transaction.atomic
def coupon_issue(
    *,
    actor: Actor,
    template_id: int,
    member_id: int | None = None,
    mobile: str = "",
    now: datetime | None = None,
) -> Coupon:
    """Staff give a member a coupon (at the counter, on the hotline). The member's claim limit holds."""
    actor.require(Perm.STOCK_SELL)
    template = _template(pk=template_id)
    if not template_issuable_by(actor, template, _actor_outlet_path(actor)):
        raise NotFoundError("coupon template not found", code="template_not_found")
    member = _member(member_id, mobile)
    return _issue(template, member, source=CouponSource.STAFF, user_id=actor.user_id, now=_now(now))


@dataclass
class CampaignResult:
    issued: list[Coupon] = field(default_factory=list)
    skipped: list[dict[str, object]] = field(default_factory=list)


def coupons_issue_campaign(
    *, actor: Actor, template_id: int, member_ids: Sequence[int], now: datetime | None = None
) -> CampaignResult:
    """Bulk issuance to a list of members, one coupon each. Members at their claim limit are
    skipped; the run stops when the budget is spent. Each coupon is its own transaction, so a
    retried campaign issues only what is still missing (the claim limit sees to that)."""
    actor.require(Perm.PRICE_EDIT)
    template = _template(pk=template_id)
    if not template_issuable_by(actor, template, _actor_outlet_path(actor)):
        raise NotFoundError("coupon template not found", code="template_not_found")
    if not member_ids or len(member_ids) > MAX_CAMPAIGN_MEMBERS:
        raise ValidationError(f"name 1..{MAX_CAMPAIGN_MEMBERS} members", code="invalid_members")
    wanted = list(dict.fromkeys(member_ids))
    members = Member.objects.in_bulk(wanted)
    missing = [m for m in wanted if m not in members]
    if missing:
        raise NotFoundError(f"member {missing[0]} not found", code="member_not_found", member_id=missing[0])
    result = CampaignResult()
    at = _now(now)
    for i, member_id in enumerate(wanted):
        try:
            with transaction.atomic():
                result.issued.append(
                    _issue(
                        template,
                        members[member_id],
                        source=CouponSource.CAMPAIGN,
                        user_id=actor.user_id,
                        now=at,
                    )
                )
        except ClaimLimitError as exc:
            result.skipped.append({"member_id": member_id, "code": exc.code})
        except (BudgetExhaustedError, CouponExpiredError) as exc:
            result.skipped += [{"member_id": m, "code": exc.code} for m in wanted[i:]]
            break
    return result


def coupons_expire(*, now: datetime | None = None) -> int:
    """Issued coupons past their date become expired (held ones follow their order)."""
    return Coupon.objects.filter(state=CouponState.ISSUED, expires_at__lte=_now(now)).update(
        state=CouponState.EXPIRED
    )


# --- promotions -----------------------------------------------------------------------------


@transaction.atomic
def promotion_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    region_code: str = "",
    channel: str = "",
    outlet_id: int | None = None,
    percent_off: Decimal | None = None,
    amount_off: int = 0,
    threshold: int = 0,
    repeat: bool = False,
    bundle_quantity: int = 0,
    bundle_price: int = 0,
    buy_quantity: int = 0,
    get_quantity: int = 0,
    category_ids: Sequence[int] = (),
    product_ids: Sequence[int] = (),
    member_tiers: Sequence[str] = (),
    stackable: bool = True,
    priority: int = 0,
) -> Promotion:
    region = _owner_region(actor, region_code)
    owner_path = region.path if region else "/"
    if kind not in PromotionKind.values:
        raise ValidationError(f"unknown promotion kind {kind}", code="invalid_kind")
    _window(starts_at, ends_at)
    if kind == PromotionKind.DISCOUNT:
        if (percent_off is None) == (amount_off <= 0):
            raise ValidationError(
                "a discount is percent_off or amount_off (one of them)", code="invalid_value"
            )
        if percent_off is not None and not 0 < percent_off <= 100:
            raise ValidationError("percent_off must be in (0, 100]", code="invalid_value")
    elif kind == PromotionKind.THRESHOLD and not 0 < amount_off < threshold:
        raise ValidationError("a 满减 needs 0 < amount_off < threshold", code="invalid_threshold")
    elif kind == PromotionKind.BUNDLE and (bundle_quantity < 2 or bundle_price <= 0):
        raise ValidationError("a bundle is 2 or more units for a price", code="invalid_bundle")
    elif kind == PromotionKind.BUY_X_GET_Y and (buy_quantity < 1 or get_quantity < 1):
        raise ValidationError("buy X get Y needs X >= 1 and Y >= 1", code="invalid_bundle")
    if kind != PromotionKind.DISCOUNT:
        percent_off = None
    ids = _limit_ids(
        actor,
        owner_path,
        channels=[channel] if channel else [],
        region_codes=[],
        outlet_ids=[outlet_id] if outlet_id is not None else [],
        category_ids=category_ids,
        product_ids=product_ids,
    )
    return Promotion.objects.create(
        name=name,
        kind=kind,
        region=region,
        region_path=owner_path,
        channel=channel,
        outlet_id=outlet_id,
        percent_off=percent_off,
        amount_off=amount_off,
        threshold=threshold,
        repeat=repeat,
        bundle_quantity=bundle_quantity,
        bundle_price=bundle_price,
        buy_quantity=buy_quantity,
        get_quantity=get_quantity,
        member_tiers=sorted(set(member_tiers)),
        stackable=stackable,
        priority=priority,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by_id=actor.user_id,
        **ids,
    )


@transaction.atomic
def promotion_end(*, actor: Actor, promotion_id: int) -> Promotion:
    actor.require(Perm.PRICE_EDIT)
    promo = Promotion.objects.filter(pk=promotion_id).first()
    if promo is None or not (actor.scope.is_hq or actor.scope.covers_region(promo.region_path)):
        raise NotFoundError(f"promotion {promotion_id} not found", code="promotion_not_found")
    Promotion.objects.filter(pk=promo.pk).update(is_active=False)
    promo.is_active = False
    return promo


# --- checkout -------------------------------------------------------------------------------


def promotion_rule(p: Promotion) -> domain.Promotion:
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


def coupon_rule(c: Coupon) -> domain.Coupon:
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
        ),
        value=t.value,
        percent_off=t.percent_off,
        threshold=t.threshold,
        max_discount=t.max_discount,
        stackable=t.stackable,
    )


def _promotions_live(ctx: domain.Context) -> list[Promotion]:
    """Promotions that may apply here and now. One query; the policy checks everything again."""
    ancestors = [ctx.region_path[: i + 1] for i, ch in enumerate(ctx.region_path) if ch == "/"]
    return list(
        Promotion.objects.filter(
            Q(channel="") | Q(channel=ctx.channel),
            Q(outlet__isnull=True) | Q(outlet_id=ctx.outlet_id),
            is_active=True,
            starts_at__lte=ctx.now,
            ends_at__gt=ctx.now,
            region_path__in=ancestors,
        ).order_by("-priority", "pk")
    )


def member_tier(member: Member | None) -> str:
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
        channel=channel, region_path=region_path, outlet_id=outlet_id, member_tier="", now=_now(now)
    )
    live = _promotions_live(ctx)
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
    if any(p.member_tiers for p in live) or any(c.template.member_tiers for c in coupons):
        ctx = replace(ctx, member_tier=member_tier(member))  # only then: it costs queries
    promotions = [promotion_rule(p) for p in live]
    quote = domain.price_order(lines, ctx, promotions=promotions, coupons=[coupon_rule(c) for c in coupons])
    for code, why in quote.refused.items():
        raise CouponNotApplicableError(
            f"coupon {code} does not apply: {in_english(why)}", coupon=code, reason=why.as_json()
        )
    return CheckoutPricing(quote=quote, coupons=coupons)


def coupons_hold(*, pricing: CheckoutPricing, order_id: int) -> None:
    """Checkout: each coupon issued -> held for the order, and its discount taken from its
    template's budget. Guarded; called inside order_place's transaction, which a refusal
    rolls back whole."""
    for coupon in sorted(pricing.coupons, key=lambda c: c.pk):
        off = pricing.quote.coupons[coupon.code]
        if (
            Coupon.objects.filter(pk=coupon.pk, state=CouponState.ISSUED).update(
                state=CouponState.HELD, order_id=order_id, discount=off, used_at=timezone.now()
            )
            != 1
        ):
            raise CouponNotAvailableError(f"coupon {coupon.code} was just used", coupon=coupon.code)
    for coupon in sorted(pricing.coupons, key=lambda c: c.template_id):
        off = pricing.quote.coupons[coupon.code]
        if coupon.template.budget_amount is None or not off:
            continue
        if (
            CouponTemplate.objects.filter(
                pk=coupon.template_id, discount_committed__lte=F("budget_amount") - off
            ).update(discount_committed=F("discount_committed") + off)
            != 1
        ):
            raise CouponNotAvailableError(
                f"the budget of '{coupon.template.name}' is spent",
                coupon=coupon.code,
                reason=Explanation(domain.OfferWhy.BUDGET_SPENT).as_json(),
            )


def coupons_redeem(*, order_id: int) -> int:
    """The order is paid or completed: its held coupons are used for good."""
    return Coupon.objects.filter(order_id=order_id, state=CouponState.HELD).update(state=CouponState.REDEEMED)


def coupons_release(*, order_id: int) -> int:
    """The order is cancelled: its coupons go back to the member and their discount back to
    the budget. Each coupon is compare-and-set, so a release runs once whatever retries."""
    released = 0
    rows = Coupon.objects.filter(order_id=order_id, state__in=[CouponState.HELD, CouponState.REDEEMED])
    for pk, state, template_id, off, budget in rows.values_list(
        "pk", "state", "template_id", "discount", "template__budget_amount"
    ).order_by("pk"):
        if (
            Coupon.objects.filter(pk=pk, order_id=order_id, state=state).update(
                state=CouponState.ISSUED, order=None, discount=0, used_at=None
            )
            != 1
        ):
            continue
        released += 1
        if budget is not None and off:
            CouponTemplate.objects.filter(pk=template_id, discount_committed__gte=off).update(
                discount_committed=F("discount_committed") - off
            )
    return released


# --- games ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrizeSpec:
    name: str
    kind: str
    weight: int
    stock: int
    coupon_template_id: int | None = None
    points: int = 0


@transaction.atomic
def game_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    prizes: Sequence[PrizeSpec],
    region_code: str = "",
    attempts_per_member: int = 1,
    no_prize_weight: int = 0,
    budget_count: int | None = None,
) -> Game:
    region = _owner_region(actor, region_code)
    owner_path = region.path if region else "/"
    if kind not in GameKind.values:
        raise ValidationError(f"unknown game kind {kind}", code="invalid_kind")
    _window(starts_at, ends_at)
    if attempts_per_member < 1:
        raise ValidationError("attempts_per_member must be at least 1", code="invalid_attempts")
    if not prizes:
        raise ValidationError("a game needs at least one prize", code="no_prizes")
    templates = CouponTemplate.objects.in_bulk([p.coupon_template_id for p in prizes if p.coupon_template_id])
    rows = []
    for p in prizes:
        if p.kind not in PrizeKind.values or p.weight < 0 or p.stock < 0:
            raise ValidationError(f"prize '{p.name}' is invalid", code="invalid_prize")
        if p.kind == PrizeKind.COUPON:
            t = templates.get(p.coupon_template_id or 0)
            if t is None or not t.region_path.startswith(owner_path):
                raise NotFoundError("coupon template not found", code="template_not_found")
        if p.kind == PrizeKind.POINTS and p.points <= 0:
            raise ValidationError(f"prize '{p.name}' gives no points", code="invalid_prize")
        rows.append(
            Prize(
                name=p.name,
                kind=p.kind,
                weight=p.weight,
                stock=p.stock,
                remaining=p.stock,
                coupon_template_id=p.coupon_template_id if p.kind == PrizeKind.COUPON else None,
                points=p.points if p.kind == PrizeKind.POINTS else 0,
            )
        )
    game = Game.objects.create(
        name=name,
        kind=kind,
        region=region,
        region_path=owner_path,
        starts_at=starts_at,
        ends_at=ends_at,
        attempts_per_member=attempts_per_member,
        no_prize_weight=no_prize_weight,
        budget_count=budget_count,
        created_by_id=actor.user_id,
    )
    for row in rows:
        row.game = game
    Prize.objects.bulk_create(rows)
    return game


_DELIVERY = {
    "": Delivery.NONE,
    PrizeKind.COUPON: Delivery.DELIVERED,
    PrizeKind.POINTS: Delivery.PENDING,  # until the loyalty ledger has credited them, just below
    PrizeKind.ITEM: Delivery.TO_COLLECT,
}


class _NoAward(Exception):
    """The drawn prize cannot be given (its stock or a budget ran out): "no prize" instead."""


def points_deliver(*, member_id: int, points: int, key: str, reason: str) -> bool:
    """Credit points won in a game through the loyalty app's ``points_award``, which posts
    them to the ledger with ``key`` as the idempotency key (so a retry credits them once).
    When it refuses, nothing is credited and False is returned: the attempt stays "pending"
    for ``game_points_deliver_pending`` to hand over later."""
    try:
        with transaction.atomic():
            points_award(member_id=member_id, points=points, key=key, reference=reason[:80])
    except DomainError:
        return False
    return True


def game_points_deliver_pending(*, batch: int = 500) -> int:
    """Hand pending points prizes to the loyalty ledger; safe to repeat (keys are idempotent)."""
    done = 0
    for attempt in GameAttempt.objects.filter(delivery=Delivery.PENDING).order_by("pk")[:batch]:
        if not points_deliver(
            member_id=attempt.member_id,
            points=attempt.points,
            key=f"game-attempt:{attempt.pk}",
            reason="game prize",
        ):
            break
        done += GameAttempt.objects.filter(pk=attempt.pk, delivery=Delivery.PENDING).update(
            delivery=Delivery.DELIVERED
        )
    return done


def _award(game: Game, prize: Prize, member: Member, now: datetime) -> Coupon | None:
    """Take one of the prize's stock and one of the game's budget, and issue a coupon prize.
    Guarded; raises _NoAward when any of them ran out."""
    if Prize.objects.filter(pk=prize.pk, remaining__gt=0).update(remaining=F("remaining") - 1) != 1:
        raise _NoAward(f"'{prize.name}' ran out")
    if (
        Game.objects.filter(pk=game.pk)
        .filter(Q(budget_count__isnull=True) | Q(awarded_count__lt=F("budget_count")))
        .update(awarded_count=F("awarded_count") + 1)
        != 1
    ):
        raise _NoAward("the game's prize budget is spent")
    if prize.kind != PrizeKind.COUPON:
        return None
    assert prize.coupon_template is not None
    try:
        return _issue(
            prize.coupon_template,
            member,
            source=CouponSource.GAME,
            user_id=None,
            now=now,
            per_member_limit=False,
        )
    except (BudgetExhaustedError, CouponExpiredError) as exc:
        raise _NoAward(f"'{prize.name}': {exc.message}") from exc


@transaction.atomic
def game_play(*, member: Member, game_id: int, now: datetime | None = None) -> GameAttempt:
    """One scratch or spin: count the attempt (guarded, per member), draw by weight with
    ``secrets``, and award the prize only if its stock and the game's budget allow; a prize
    whose stock ran out turns into "no prize"."""
    at = _now(now)
    game = Game.objects.filter(pk=game_id, is_active=True).first()
    if game is None:
        raise NotFoundError(f"game {game_id} not found", code="game_not_found")
    if not game.starts_at <= at < game.ends_at:
        raise InvalidStateError(f"'{game.name}' is not open now", code="game_closed")
    GamePlayer.objects.bulk_create([GamePlayer(game=game, member=member)], ignore_conflicts=True)
    if (
        GamePlayer.objects.filter(game=game, member=member, attempts__lt=game.attempts_per_member).update(
            attempts=F("attempts") + 1
        )
        != 1
    ):
        raise AttemptsExhaustedError(
            f"{game.attempts_per_member} attempt(s) per member", limit=game.attempts_per_member
        )
    prizes = {p.pk: p for p in Prize.objects.select_related("coupon_template").filter(game=game)}
    weights = [(p.pk, p.weight) for p in prizes.values()]
    span = domain.prize_roll_range(weights, game.no_prize_weight)
    drawn = domain.prize_pick(weights, game.no_prize_weight, secrets.randbelow(span)) if span else None
    prize, coupon, note = None, None, ""
    if drawn is not None:
        try:
            with transaction.atomic():
                coupon = _award(game, prizes[drawn], member, at)
                prize = prizes[drawn]
        except _NoAward as exc:
            note = str(exc)
    attempt = GameAttempt.objects.create(
        game=game,
        member=member,
        prize=prize,
        drawn_prize_id=drawn,
        coupon=coupon,
        points=prize.points if prize else 0,
        note=note,
        delivery=_DELIVERY[prize.kind if prize else ""],
    )
    if prize is not None and prize.kind == PrizeKind.POINTS:
        delivered = points_deliver(
            member_id=member.pk,
            points=prize.points,
            key=f"game-attempt:{attempt.pk}",
            reason=f"game {game.name}",
        )
        if delivered:
            GameAttempt.objects.filter(pk=attempt.pk).update(delivery=Delivery.DELIVERED)
            attempt.delivery = Delivery.DELIVERED
    return attempt
