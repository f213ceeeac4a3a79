from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "omnipoint.members"
    label = "members"
