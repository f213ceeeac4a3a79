from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "omnipoint.members"
    label = "members"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from omnipoint.core.cached import forget_on_change
        from omnipoint.members.models import Member

        # The member behind a login (members.selectors.actor_for_user).
        forget_on_change("members", Member, get_user_model())
