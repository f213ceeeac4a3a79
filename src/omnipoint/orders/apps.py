from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "omnipoint.orders"
    label = "orders"

    def ready(self) -> None:
        from omnipoint.orders.services import register_inventory_handlers

        register_inventory_handlers()
