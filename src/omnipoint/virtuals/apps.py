from django.apps import AppConfig


class VirtualsConfig(AppConfig):
    name = "omnipoint.virtuals"
    label = "virtuals"
    verbose_name = "Virtual items"

    def ready(self) -> None:
        from django.conf import settings

        from omnipoint.virtuals import providers
        from omnipoint.virtuals.sandbox import SandboxProvider

        if settings.SANDBOX_VIRTUALS:
            providers.register(SandboxProvider())
