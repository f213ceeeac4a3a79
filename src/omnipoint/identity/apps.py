from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "omnipoint.identity"
    label = "identity"
    verbose_name = "Identity verification"
