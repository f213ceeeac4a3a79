"""Record a step of the storefront funnel: one cheap insert that never fails the page."""

import logging
from datetime import date

from django.db import DatabaseError, transaction
from django.utils import timezone

from omnipoint.core.errors import ValidationError
from omnipoint.funnel.domain import BUSINESS_TZ, Step
from omnipoint.funnel.models import FunnelEvent
from omnipoint.outlets.domain import Customer

log = logging.getLogger(__name__)


def funnel_step(
    *, actor: Customer, visitor: str, step: str, region_path: str = "/", day: date | None = None
) -> None:
    """Count ``visitor`` at ``step`` on ``day`` (today by default) unless they are counted
    already; anyone may, a guest most of all. A database
    that refuses is logged, not raised: the funnel never stands between a customer and a page."""
    del actor  # a funnel event is about a browser session, not a person: nobody is refused
    if step not in Step.values or not visitor or len(visitor) > 32:
        raise ValidationError(f"{step!r} is not a funnel step", code="invalid_step")
    on = day or timezone.now().astimezone(BUSINESS_TZ).date()
    path = region_path if region_path.startswith("/") and len(region_path) <= 32 else "/"
    try:
        with transaction.atomic():
            FunnelEvent.objects.bulk_create(
                [FunnelEvent(day=on, visitor=visitor, step=step, region_path=path)], ignore_conflicts=True
            )
    except DatabaseError:
        log.warning("funnel step %s not recorded", step, exc_info=True)
