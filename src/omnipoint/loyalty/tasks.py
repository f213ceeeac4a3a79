"""Background work for loyalty, run by the Huey consumer (`manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from omnipoint.ledger.services import pendings_expire
from omnipoint.loyalty.services import holds_expire, points_expire
from omnipoint.outlets.domain import SYSTEM


@db_periodic_task(crontab(minute="*/5"))
def loyalty_sweep() -> int:
    """Every five minutes: points holds past their expiry go back to their lots, then the
    ledger voids whatever other holds are due (wallet), then lots past their date expire."""
    return holds_expire(actor=SYSTEM) + pendings_expire(actor=SYSTEM) + points_expire(actor=SYSTEM)
