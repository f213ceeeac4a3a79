from django.apps import AppConfig
from django.conf import settings

from omnipoint.core.cached import forget_on_change


class MembersConfig(AppConfig):
    name = "omnipoint.members"
    label = "members"

    def ready(self) -> None:
        # The member behind a login (members.selectors.actor_for_user).
        forget_on_change("members", "members.Member", settings.AUTH_USER_MODEL)
