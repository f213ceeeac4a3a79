"""Marketing's refusals, with their stable codes."""

from omnipoint.core.errors import ConflictError, NotFoundError, ValidationError


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
