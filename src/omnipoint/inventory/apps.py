from django.apps import AppConfig

from omnipoint.outlets.hooks import OUTLET_MOVED


class InventoryConfig(AppConfig):
    name = "omnipoint.inventory"
    label = "inventory"

    def ready(self) -> None:
        from omnipoint.inventory.services import stock_coordinates_sync

        OUTLET_MOVED.register(
            lambda outlet_id, actor: stock_coordinates_sync(actor=actor, outlet_id=outlet_id)
        )
