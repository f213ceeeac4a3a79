"""The coupons an order holds at checkout (priced by ``marketing.selectors.checkout_price``),
redeems when it is paid or completed, or gives back when it is cancelled.
Coupon states change by compare-and-set (issued -> held -> redeemed, back to issued on cancel),
and a template's discount budget by a guarded UPDATE."""

from django.db.models import F
from django.utils import timezone

from omnipoint.core.explain import Explanation
from omnipoint.marketing import domain, selectors
from omnipoint.marketing.errors import CouponNotAvailableError
from omnipoint.marketing.models import (
    Coupon,
    CouponState,
    CouponTemplate,
)
from omnipoint.outlets.domain import SystemActor, require_platform


def coupons_hold(*, actor: SystemActor, pricing: selectors.CheckoutPricing, order_id: int) -> None:
    """Checkout: each coupon issued -> held for the order, and its discount taken from its
    template's budget. Guarded; called inside order_place's transaction, which a refusal
    rolls back whole."""
    require_platform(actor)
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


def coupons_redeem(*, actor: SystemActor, order_id: int) -> int:
    """The order is paid or completed: its held coupons are used for good."""
    require_platform(actor)
    return Coupon.objects.filter(order_id=order_id, state=CouponState.HELD).update(state=CouponState.REDEEMED)


def coupons_release(*, actor: SystemActor, order_id: int) -> int:
    """The order is cancelled: its coupons go back to the member and their discount back to
    the budget. Each coupon is compare-and-set, so a release runs once whatever retries."""
    require_platform(actor)
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
