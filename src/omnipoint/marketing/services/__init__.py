"""Marketing writes, by sub-domain: coupons (templates, issuance, expiry), promotions, checkout
the coupons an order holds, redeems or gives back, and games with their prize draw.
The reads, checkout pricing among them, are in ``marketing.selectors``.

What bounds a give-away changes only through guarded conditional UPDATEs, checked for exactly
one changed row. Rows are touched in one order everywhere: a member's own counter row, then the
coupon, then the prize, the game, the template; checkout then reserves stock."""

from omnipoint.marketing.errors import (
    AttemptsExhaustedError,
    BudgetExhaustedError,
    ClaimLimitError,
    CouponExpiredError,
    CouponNotApplicableError,
    CouponNotAvailableError,
    CouponNotFoundError,
)
from omnipoint.marketing.services._shared import MAX_CAMPAIGN_MEMBERS
from omnipoint.marketing.services.checkout import coupons_hold, coupons_redeem, coupons_release
from omnipoint.marketing.services.coupons import (
    CampaignResult,
    coupon_claim,
    coupon_issue,
    coupon_template_create,
    coupons_expire,
    coupons_issue_campaign,
)
from omnipoint.marketing.services.games import (
    PrizeSpec,
    game_create,
    game_play,
    game_points_deliver_pending,
    points_deliver,
)
from omnipoint.marketing.services.promotions import promotion_create, promotion_end

__all__ = [
    "MAX_CAMPAIGN_MEMBERS",
    "AttemptsExhaustedError",
    "BudgetExhaustedError",
    "CampaignResult",
    "ClaimLimitError",
    "CouponExpiredError",
    "CouponNotApplicableError",
    "CouponNotAvailableError",
    "CouponNotFoundError",
    "PrizeSpec",
    "coupon_claim",
    "coupon_issue",
    "coupon_template_create",
    "coupons_expire",
    "coupons_hold",
    "coupons_issue_campaign",
    "coupons_redeem",
    "coupons_release",
    "game_create",
    "game_play",
    "game_points_deliver_pending",
    "points_deliver",
    "promotion_create",
    "promotion_end",
]
