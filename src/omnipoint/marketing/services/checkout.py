"""Checkout pricing with the live promotions and the member's coupons (the policy is pure:
``marketing.domain.price_order``), and the coupons an order holds, redeems or gives back.
Coupon states change by compare-and-set (issued -> held -> redeemed, back to issued on cancel),
and a template's discount budget by a guarded UPDATE."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import F
from django.utils import timezone

from omnipoint.core.errors import (
    ValidationError,
)
from omnipoint.core.explain import Explanation, in_english
from omnipoint.marketing import domain, selectors
from omnipoint.marketing.models import (
    Coupon,
    CouponState,
    CouponTemplate,
)
from omnipoint.marketing.services._shared import (
    CouponExpiredError,
    CouponNotApplicableError,
    CouponNotAvailableError,
    CouponNotFoundError,
    _now,
)
from omnipoint.members.models import Member


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
    live = selectors.promotions_for_checkout(ctx=ctx)
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
        ctx = replace(
            ctx, member_tier=selectors.member_tier_code(member=member)
        )  # only then: it costs queries
    promotions = [selectors.promotion_rule(p) for p in live]
    quote = domain.price_order(
        lines, ctx, promotions=promotions, coupons=[selectors.coupon_rule(c) for c in coupons]
    )
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
