from django.apps import AppConfig


class OutletsConfig(AppConfig):
    name = "omnipoint.outlets"
    label = "outlets"

    def ready(self) -> None:
        from omnipoint.core.cached import forget_on_change
        from omnipoint.outlets.models import Outlet, Region

        # An outlet as the checkout reads it (with its region).
        forget_on_change("outlets", Outlet, Region)
