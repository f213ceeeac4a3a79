from django.apps import AppConfig

from omnipoint.core.cached import forget_on_change


class OutletsConfig(AppConfig):
    name = "omnipoint.outlets"
    label = "outlets"

    def ready(self) -> None:
        # An outlet as the checkout reads it (with its region).
        forget_on_change("outlets", "outlets.Outlet", "outlets.Region")
