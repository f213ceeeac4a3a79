"""Background work for the books, run by the Huey consumer (`manage.py run_huey`)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from omnipoint.clearing.domain import close_is_due
from omnipoint.clearing.services import days_close_due
from omnipoint.outlets.domain import SystemActor

CLOSER = SystemActor(task="clearing.close_yesterday")


@db_periodic_task(crontab(minute="10"))
def close_yesterday() -> list[str]:
    """Hourly, from 02:00 Asia/Shanghai on: close every open business day up to yesterday, in
    order (nothing once yesterday is closed). Waiting until two gives the payment notifications
    of the day's last minutes time to arrive and land in their own day."""
    if not close_is_due(timezone.now()):
        return []
    return [r.run.day.isoformat() for r in days_close_due(actor=CLOSER)]
