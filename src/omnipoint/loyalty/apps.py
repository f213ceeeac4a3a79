from django.apps import AppConfig

from omnipoint.core.explain import register
from omnipoint.loyalty.explain import TEXTS


class LoyaltyConfig(AppConfig):
    name = "omnipoint.loyalty"
    label = "loyalty"

    def ready(self) -> None:
        register(TEXTS)
