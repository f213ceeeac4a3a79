from django.apps import AppConfig
from django.core import checks

from omnipoint.core.secrets import check_secrets


class CoreConfig(AppConfig):
    name = "omnipoint.core"
    label = "core"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from omnipoint.core.cached import forget_on_change
        from omnipoint.core.models import ApiToken

        checks.register(check_secrets)
        forget_on_change("tokens", ApiToken, get_user_model())
