from django.apps import AppConfig

from omnipoint.core.cached import forget_on_change
from omnipoint.core.explain import register
from omnipoint.marketing.explain import TEXTS


class MarketingConfig(AppConfig):
    name = "omnipoint.marketing"
    label = "marketing"

    def ready(self) -> None:
        register(TEXTS)
        # The active promotions (marketing.selectors.promotions_for_checkout).
        forget_on_change("promotions", "marketing.Promotion")
