from django.apps import AppConfig

from omnipoint.core.explain import register


class BillpayConfig(AppConfig):
    name = "omnipoint.billpay"
    label = "billpay"
    verbose_name = "Bill payment"

    def ready(self) -> None:
        from omnipoint.billpay import billers
        from omnipoint.billpay.explain import TEXTS
        from omnipoint.billpay.handlers import register_handlers
        from omnipoint.billpay.sandbox import sandbox_billers

        register(TEXTS)
        register_handlers()
        for biller in sandbox_billers():
            billers.register(biller)
