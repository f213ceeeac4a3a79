from django.apps import AppConfig


class SettlementConfig(AppConfig):
    name = "omnipoint.settlement"
    label = "settlement"
    verbose_name = "Settlement"
