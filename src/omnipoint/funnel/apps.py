from django.apps import AppConfig


class FunnelConfig(AppConfig):
    name = "omnipoint.funnel"
    label = "funnel"
    verbose_name = "Storefront funnel"
