from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "omnipoint.web"
    label = "web"
