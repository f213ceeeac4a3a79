from django.apps import AppConfig

from omnipoint.core.explain import register
from omnipoint.orders.explain import TEXTS


class OrdersConfig(AppConfig):
    name = "omnipoint.orders"
    label = "orders"

    def ready(self) -> None:
        from omnipoint.orders.handlers import register_handlers

        register(TEXTS)
        register_handlers()
