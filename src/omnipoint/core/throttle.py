"""Atomic attempt counters for throttling sign-in (codes asked for, codes tried, passwords).

A throttle is a named limit in ``settings.THROTTLES``: (attempts, window in seconds), counted per
subject in fixed windows. ``hit`` counts one attempt and says whether it is allowed: a guarded
UPDATE (``count < limit``) or the first insert of the window, so the database, not the process,
decides, and the limit holds for concurrent requests on several hosts. Call it outside any
transaction that a refusal rolls back: a refused attempt must stay counted.
"""

import hashlib
import time
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from omnipoint.core.errors import DomainError
from omnipoint.core.models import ThrottleCounter


class ThrottledError(DomainError):
    code = "throttled"
    status = 429


def _slot(name: str, subject: str) -> tuple[str, int, int, int]:
    limit, seconds = settings.THROTTLES[name]
    digest = hashlib.sha256(subject.encode()).hexdigest()
    return f"{name}:{digest}", int(time.time()) // seconds, int(limit), int(seconds)


def hit(name: str, subject: str) -> bool:
    """Count one attempt of ``subject`` against the throttle ``name``; False (and nothing
    counted) when the window's limit is already reached."""
    key, window, limit, seconds = _slot(name, subject)
    counter = ThrottleCounter.objects.filter(key=key, window=window, count__lt=limit)
    for _ in range(3):
        if counter.update(count=F("count") + 1) == 1:
            return True
        seen = ThrottleCounter.objects.filter(key=key, window=window).values_list("count", flat=True).first()
        if seen is not None:
            if seen >= limit:
                return False  # at the limit
            continue  # a concurrent first attempt inserted it after our update looked: count on it
        try:
            with transaction.atomic():
                expires = datetime.fromtimestamp((window + 1) * seconds, tz=UTC)
                ThrottleCounter.objects.create(key=key, window=window, count=1, expires_at=expires)
            return limit >= 1
        except IntegrityError:  # a concurrent first attempt inserted it: count on that row
            continue
    return False


def forgive(name: str, subject: str) -> None:
    """Give back one attempt (a staff sign-in that succeeded: only failures stay counted)."""
    key, window, _, _ = _slot(name, subject)
    ThrottleCounter.objects.filter(key=key, window=window, count__gt=0).update(count=F("count") - 1)


def check(names_subjects: list[tuple[str, str]], error: type[ThrottledError], message: str) -> None:
    """Count one attempt against each throttle in turn; raise ``error`` at the first refusal."""
    for name, subject in names_subjects:
        if subject and not hit(name, subject):
            raise error(message, throttle=name)


def counters_purge() -> int:
    """Delete the counters of windows that have ended."""
    return ThrottleCounter.objects.filter(expires_at__lt=timezone.now()).delete()[0]


def client_address(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or behind ``settings.PROXY_COUNT`` proxies the address
    the outermost proxy saw (the one the client cannot forge)."""
    hops = settings.PROXY_COUNT
    if hops > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops][:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]
