from django.apps import AppConfig

from omnipoint.core.explain import register
from omnipoint.marketing.explain import TEXTS


class MarketingConfig(AppConfig):
    name = "omnipoint.marketing"
    label = "marketing"

    def ready(self) -> None:
        from omnipoint.core.cached import forget_on_change
        from omnipoint.marketing.models import Promotion

        register(TEXTS)
        forget_on_change("promotions", Promotion)
