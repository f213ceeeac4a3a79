from django.apps import AppConfig


class OutletsConfig(AppConfig):
    name = "omnipoint.outlets"
    label = "outlets"
