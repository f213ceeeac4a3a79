from django.apps import AppConfig

from omnipoint.catalog.explain import TEXTS
from omnipoint.core.explain import register


class CatalogConfig(AppConfig):
    name = "omnipoint.catalog"
    label = "catalog"

    def ready(self) -> None:
        register(TEXTS)
