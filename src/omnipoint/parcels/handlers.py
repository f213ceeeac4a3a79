"""What parcels register with the apps below them (imported by ``ParcelsConfig.ready``): the
gateway's notification of a parcel's QR charge (``payments.hooks.CHARGE_NOTIFIED``)."""

from omnipoint.parcels.services.paying import _charge_notified
from omnipoint.payments.hooks import CHARGE_NOTIFIED


def register_handlers() -> None:
    CHARGE_NOTIFIED.register(_charge_notified)
