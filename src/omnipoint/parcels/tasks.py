"""Background work for parcels, run by the Huey consumer."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from omnipoint.outlets.domain import SystemActor
from omnipoint.parcels import services


@db_periodic_task(crontab(minute="*"))
def parcels_settle_qr() -> int:
    """Parcels waiting on a QR charge: the gateway asked, the paid ones accepted."""
    return services.parcels_settle_qr(actor=SystemActor(task="parcels_settle_qr"))


@db_periodic_task(crontab(minute="*"))
def parcels_expire_unpaid() -> int:
    """Parcels not paid within PARCEL_PAY_SECONDS expire (an open QR charge asked first)."""
    return services.parcels_expire_unpaid(actor=SystemActor(task="parcels_expire_unpaid"))
