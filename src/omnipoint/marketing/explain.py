"""What promotions and coupons did, and why one did not apply, in words (``core.explain``
renders them in the reader's language)."""

from django.utils.translation import pgettext_lazy

from omnipoint.marketing.domain import OfferWhy

TEXTS = {
    OfferWhy.PROMOTION: pgettext_lazy("explain", "Promotion “%(promotion)s”: -%(discount_fen)s"),
    OfferWhy.COUPON: pgettext_lazy("explain", "Coupon “%(name)s” (%(coupon)s): -%(discount_fen)s"),
    OfferWhy.PROMOTION_NOT_APPLIED: pgettext_lazy(
        "explain", "Promotion “%(promotion)s” not applied: %(why)s"
    ),
    OfferWhy.PROMOTIONS_OUTDONE: pgettext_lazy(
        "explain", "“%(promotions)s” not applied: “%(winner)s” takes off more"
    ),
    OfferWhy.NOT_YET_VALID: pgettext_lazy("explain", "valid from %(starts_at)s"),
    OfferWhy.EXPIRED: pgettext_lazy("explain", "expired at %(ends_at)s"),
    OfferWhy.CHANNEL_ONLY: pgettext_lazy("explain", "only when ordering through %(channels)s"),
    OfferWhy.REGION_ONLY: pgettext_lazy("explain", "not valid in this area"),
    OfferWhy.OUTLET_ONLY: pgettext_lazy("explain", "not valid at this outlet"),
    OfferWhy.CERTAIN_OUTLETS_ONLY: pgettext_lazy("explain", "only at certain outlets"),
    OfferWhy.TIER_ONLY: pgettext_lazy("explain", "only for members of tier %(tiers)s"),
    OfferWhy.COVERS_NOTHING: pgettext_lazy("explain", "applies to none of the items in this order"),
    OfferWhy.THRESHOLD_NOT_MET: pgettext_lazy(
        "explain", "needs eligible items worth %(threshold_fen)s; this order has %(base_fen)s"
    ),
    OfferWhy.NOT_COMBINABLE: pgettext_lazy("explain", "cannot be combined with another coupon"),
    OfferWhy.GIVEN_TWICE: pgettext_lazy("explain", "given twice"),
    OfferWhy.WITHDRAWN: pgettext_lazy("explain", "it was withdrawn"),
    OfferWhy.BUDGET_SPENT: pgettext_lazy("explain", "its budget is spent"),
    OfferWhy.PRIZE_RAN_OUT: pgettext_lazy("explain", "“%(prize)s” ran out"),
    OfferWhy.PRIZE_BUDGET_SPENT: pgettext_lazy("explain", "the game's prize budget is spent"),
    OfferWhy.PRIZE_COUPONS_GONE: pgettext_lazy("explain", "“%(prize)s”: its coupons are all given out"),
    OfferWhy.PRIZE_COUPON_WITHDRAWN: pgettext_lazy("explain", "“%(prize)s”: its coupon is no longer offered"),
}
