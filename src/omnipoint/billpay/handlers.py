"""What billpay registers with the apps below it (imported by ``BillpayConfig.ready``): the
gateway's notification of a bill paid online (``payments.hooks.CHARGE_NOTIFIED``)."""

from omnipoint.billpay.services.online import _charge_notified
from omnipoint.payments.hooks import CHARGE_NOTIFIED


def register_handlers() -> None:
    CHARGE_NOTIFIED.register(_charge_notified)
