"""Background work for inventory, run by the Huey consumer (`manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from omnipoint.inventory.services import reservations_expire
from omnipoint.outlets.domain import SystemActor

SWEEP = SystemActor(task="reservations_expire")


@db_periodic_task(crontab(minute="*"))
def expire_reservations() -> int:
    """Every minute: lapse held reservations past their expiry and give their stock back."""
    total = 0
    while (n := reservations_expire(actor=SWEEP, batch=500)) > 0:
        total += n
    return total
