"""Background work for reconciliation, run by the Huey consumer (`manage.py run_huey`)."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from omnipoint.outlets.domain import SystemActor
from omnipoint.reconciliation.services import statement_fetch_due

FETCHER = SystemActor(task="reconciliation.fetch_yesterday")


@db_periodic_task(crontab(minute="40"))
def fetch_yesterday() -> str:
    """Hourly: pull yesterday's trade statement from the provider once it is not imported yet,
    and match it (WeChat Pay publishes the day's statement from 10:00 the next morning; an hour
    that finds none tries again the next)."""
    if not settings.SANDBOX_GATEWAY:
        return ""
    result = statement_fetch_due(actor=FETCHER)
    return result.run.day.isoformat() if result else ""
