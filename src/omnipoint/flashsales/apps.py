from django.apps import AppConfig


class FlashsalesConfig(AppConfig):
    name = "omnipoint.flashsales"
    label = "flashsales"
    verbose_name = "Flash sales"
