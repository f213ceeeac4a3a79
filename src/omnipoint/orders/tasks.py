"""Background work for orders, run by the Huey consumer (`manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from omnipoint.orders.services import orders_expire_unpaid
from omnipoint.outlets.domain import SystemActor

TIMEOUT = SystemActor(task="orders.expire_unpaid")


@db_periodic_task(crontab(minute="*"))
def expire_unpaid_orders() -> int:
    """Every minute: the payment timeout. Orders still unpaid past their deadline are cancelled
    and their holds released, after asking the payment provider whether the money came."""
    total = 0
    while (n := orders_expire_unpaid(actor=TIMEOUT, batch=200)) > 0:
        total += n
    return total
