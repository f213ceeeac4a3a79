from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "omnipoint.reconciliation"
    label = "reconciliation"
    verbose_name = "Reconciliation"
