"""Why an order earned the points it did, in words (``core.explain`` renders them in the
reader's language)."""

from django.utils.translation import pgettext_lazy

from omnipoint.loyalty.domain import LoyaltyWhy

TEXTS = {
    LoyaltyWhy.EARNED: pgettext_lazy(
        "explain",
        "“%(rule)s”: %(points_per_yuan)s points per yuan × %(multiplier)s (tier) = %(points)s points",
    ),
}
