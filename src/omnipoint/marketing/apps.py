from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "omnipoint.marketing"
    label = "marketing"
