from django.apps import AppConfig

from omnipoint.clearing.explain import TEXTS
from omnipoint.core.explain import register


class ClearingConfig(AppConfig):
    name = "omnipoint.clearing"
    label = "clearing"
    verbose_name = "Clearing"

    def ready(self) -> None:
        register(TEXTS)
