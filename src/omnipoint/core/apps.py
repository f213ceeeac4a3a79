from django.apps import AppConfig
from django.conf import settings
from django.core import checks

from omnipoint.core.cached import forget_on_change
from omnipoint.core.secrets import check_secrets


class CoreConfig(AppConfig):
    name = "omnipoint.core"
    label = "core"

    def ready(self) -> None:
        checks.register(check_secrets)
        # A bearer token's row and user (core.models.ApiToken.user_for).
        forget_on_change("tokens", "core.ApiToken", settings.AUTH_USER_MODEL)
