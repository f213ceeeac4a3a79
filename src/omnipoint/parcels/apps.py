from django.apps import AppConfig


class ParcelsConfig(AppConfig):
    name = "omnipoint.parcels"
    label = "parcels"
    verbose_name = "Parcels"

    def ready(self) -> None:
        from omnipoint.parcels import carriers
        from omnipoint.parcels.sandbox import SandboxCarrier

        carriers.register(SandboxCarrier())
