from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "omnipoint.demo"
    label = "demo"
