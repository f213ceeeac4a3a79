from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "omnipoint.core"
    label = "core"
