from django.apps import AppConfig

from omnipoint.catalog.explain import TEXTS
from omnipoint.core.explain import register


class CatalogConfig(AppConfig):
    name = "omnipoint.catalog"
    label = "catalog"

    def ready(self) -> None:
        from omnipoint.catalog.models import PriceList, PriceListItem
        from omnipoint.core.cached import forget_on_change
        from omnipoint.outlets.models import Region

        register(TEXTS)
        forget_on_change("prices", PriceList, PriceListItem, Region)
