from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "omnipoint.ledger"
    label = "ledger"
