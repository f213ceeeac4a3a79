"""Background work for bill payment, run by the Huey consumer (`manage.py run_huey`)."""

import urllib.error
import urllib.request

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from omnipoint.billpay import domain, sandbox, services
from omnipoint.billpay.models import SandboxBill
from omnipoint.outlets.domain import SystemActor


@db_periodic_task(crontab(minute="*"))
def bill_payments_settle() -> int:
    """Held payments past their deadline: the biller is asked, then captured or reversed."""
    return services.payments_settle_overdue(actor=SystemActor(task="billpay_settle"))


@db_periodic_task(crontab(day="1", hour="2", minute="0"))
def bill_month_close() -> None:
    """The month just ended: every agent's rebate trued up to the tier the month reached, and
    every bill-taking outlet's stars recomputed."""
    month = domain.previous_month(timezone.localdate())
    actor = SystemActor(task="billpay_month_close")
    services.rebates_true_up(actor=actor, month=month)
    services.ratings_recompute(actor=actor, month=month)


class CallbackFailed(Exception):
    """We did not acknowledge the callback: the task queue retries."""


@db_task(retries=8, retry_delay=15)
def sandbox_confirm(bill_id: int) -> int:
    """The sandbox biller books a bill it accepted and tells us by a signed callback, retried
    until we answer (as billers retry theirs)."""
    row = SandboxBill.objects.get(pk=bill_id)
    confirmed = sandbox.bill_confirm(bill_ref=row.bill_ref)
    if confirmed is None:
        return 0  # reversed before the biller booked it: nothing to tell
    body, headers = sandbox.callback_build(confirmed)
    SandboxBill.objects.filter(pk=bill_id).update(callback_attempts=F("callback_attempts") + 1)
    url = settings.SITE_URL + sandbox.callback_path(confirmed.biller)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        raise CallbackFailed(f"callback unreachable: {exc}") from exc
    if status >= 500:
        raise CallbackFailed(f"answered {status}")
    return status
