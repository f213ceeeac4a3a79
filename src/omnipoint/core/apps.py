from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "omnipoint.core"
    label = "core"

    def ready(self) -> None:
        from omnipoint.config.secrets import check_secrets

        checks.register(check_secrets)
