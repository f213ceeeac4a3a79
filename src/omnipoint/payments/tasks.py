"""Background work for payments, run by the Huey consumer (`manage.py run_huey`)."""

from huey.contrib.djhuey import db_task

from omnipoint.payments.sandbox import notification_send


@db_task(retries=8, retry_delay=15)
def sandbox_notify(charge_id: int) -> int:
    """The sandbox gateway's asynchronous notification to the merchant, retried until the
    merchant answers (as WeChat Pay and Alipay retry theirs)."""
    return notification_send(charge_id=charge_id)
