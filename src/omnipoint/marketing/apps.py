from django.apps import AppConfig

from omnipoint.core.explain import register
from omnipoint.marketing.explain import TEXTS


class MarketingConfig(AppConfig):
    name = "omnipoint.marketing"
    label = "marketing"

    def ready(self) -> None:
        register(TEXTS)
