from django.apps import AppConfig

from omnipoint.catalog.explain import TEXTS
from omnipoint.core.cached import forget_on_change
from omnipoint.core.explain import register


class CatalogConfig(AppConfig):
    name = "omnipoint.catalog"
    label = "catalog"

    def ready(self) -> None:
        register(TEXTS)
        # Price candidates (catalog.selectors.prices_get).
        forget_on_change("prices", "catalog.PriceList", "catalog.PriceListItem", "outlets.Region")
