from django.apps import AppConfig


class ParcelsConfig(AppConfig):
    name = "omnipoint.parcels"
    label = "parcels"
    verbose_name = "Parcels"

    def ready(self) -> None:
        from omnipoint.parcels import carriers
        from omnipoint.parcels.handlers import register_handlers
        from omnipoint.parcels.sandbox import SandboxCarrier

        register_handlers()
        carriers.register(SandboxCarrier())
