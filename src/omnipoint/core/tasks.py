"""Background work for core, run by the Huey consumer (`manage.py run_huey`)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from omnipoint.core.models import ApiToken
from omnipoint.core.throttle import counters_purge


@db_periodic_task(crontab(minute="17"))
def purge_throttle_counters_and_tokens() -> int:
    """Hourly: drop the sign-in throttle counters of windows that have ended, and expired tokens."""
    return counters_purge() + ApiToken.objects.filter(expires_at__lt=timezone.now()).delete()[0]
