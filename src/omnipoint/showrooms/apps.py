from django.apps import AppConfig


class ShowroomsConfig(AppConfig):
    name = "omnipoint.showrooms"
    label = "showrooms"
    verbose_name = "Salesperson showrooms"
