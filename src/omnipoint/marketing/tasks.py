"""Background work for marketing, run by the Huey consumer (`manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from omnipoint.marketing.services import coupons_expire
from omnipoint.outlets.domain import SYSTEM


@db_periodic_task(crontab(minute="7"))
def expire_coupons() -> int:
    """Hourly: issued coupons past their validity become expired (held ones follow their order)."""
    return coupons_expire(actor=SYSTEM)
