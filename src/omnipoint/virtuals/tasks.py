"""Background work for virtual items, run by the Huey consumer (`manage.py run_huey`)."""

import urllib.error
import urllib.request

from django.conf import settings
from django.db.models import F
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from omnipoint.outlets.domain import SystemActor
from omnipoint.virtuals import sandbox, services
from omnipoint.virtuals.models import SandboxTopUp

ACTOR = SystemActor(task="virtuals")


@db_task(retries=3, retry_delay=10)
def virtual_send_task(fulfilment_id: int) -> str:
    """Ask the provider for an item just requested (the sweep asks again if this never ran)."""
    return services.virtual_send(actor=ACTOR, fulfilment_id=fulfilment_id)


@db_periodic_task(crontab(minute="*"))
def virtuals_settle_overdue() -> int:
    """Items past their deadline: sent if never sent, else cancelled at the provider or found
    fulfilled."""
    return services.virtuals_settle_overdue(actor=ACTOR)


class CallbackFailed(Exception):
    """We did not acknowledge the callback: the task queue retries."""


@db_task(retries=8, retry_delay=15)
def sandbox_confirm(topup_id: int) -> int:
    """The sandbox carrier credits a top-up it took and tells us by a signed callback, retried
    until we answer (as providers retry theirs)."""
    row = SandboxTopUp.objects.get(pk=topup_id)
    settled = sandbox.topup_settle(merchant_ref=row.merchant_ref)
    if settled is None:
        return 0  # cancelled before the carrier credited it: nothing to tell
    body, headers = sandbox.callback_build(settled)
    SandboxTopUp.objects.filter(pk=topup_id).update(callback_attempts=F("callback_attempts") + 1)
    url = settings.SITE_URL + sandbox.callback_path()
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
