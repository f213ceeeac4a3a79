from django.apps import AppConfig

from omnipoint.core.explain import register
from omnipoint.loyalty.hooks import MEMBER_SPEND
from omnipoint.orders.explain import TEXTS


class OrdersConfig(AppConfig):
    name = "omnipoint.orders"
    label = "orders"

    def ready(self) -> None:
        from omnipoint.orders.selectors import member_spend_since
        from omnipoint.orders.services import register_inventory_handlers

        register(TEXTS)
        register_inventory_handlers()
        MEMBER_SPEND.register(member_spend_since)
