"""Background work for flash sales, run by the Huey consumer."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from omnipoint.flashsales.services import SETTLE, flash_sales_settle


@db_periodic_task(crontab(minute="*"))
def settle_flash_sales() -> int:
    """Every minute: end the sales whose window is over and hand back what is left in their pools."""
    return flash_sales_settle(actor=SETTLE)
