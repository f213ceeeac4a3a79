from django.apps import AppConfig


class VirtualsConfig(AppConfig):
    name = "omnipoint.virtuals"
    label = "virtuals"
    verbose_name = "Virtual items"

    def ready(self) -> None:
        from omnipoint.virtuals import providers
        from omnipoint.virtuals.sandbox import SandboxProvider

        # Registered always, offered only while SANDBOX_VIRTUALS is on (providers.provider_get
        # asks at each call: the setting may be read after the apps are ready).
        providers.register(SandboxProvider())
