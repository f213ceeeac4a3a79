from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "omnipoint.inventory"
    label = "inventory"
