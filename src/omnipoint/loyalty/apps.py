from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "omnipoint.loyalty"
    label = "loyalty"
