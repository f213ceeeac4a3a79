from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "omnipoint.orders"
    label = "orders"
