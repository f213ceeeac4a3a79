from django.apps import AppConfig
from django.core import checks

from omnipoint.core.secrets import check_secrets


class CoreConfig(AppConfig):
    name = "omnipoint.core"
    label = "core"

    def ready(self) -> None:
        checks.register(check_secrets)
