from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "omnipoint.aftersales"
    label = "aftersales"
    verbose_name = "After-sales"

    def ready(self) -> None:
        from omnipoint.aftersales.handlers import register_handlers

        register_handlers()
