from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "omnipoint.storefront"
    label = "storefront"
    verbose_name = "Storefront"
