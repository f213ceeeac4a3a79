from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "omnipoint.payments"
    label = "payments"
