from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "omnipoint.catalog"
    label = "catalog"
