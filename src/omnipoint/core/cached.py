"""Reads that rarely change (a bearer token's user, outlets, price lists, promotions), kept in
Django's cache between requests so that a checkout does not ask PostgreSQL for them each time.

Each kind of read is an *area*, named by a generation counter: a write to the area's tables
bumps it (``forget``), and every entry cached under the old generation is never read again.
The bump happens at once and again when the transaction commits, so a reader that cached the
old rows between the write and its commit is outdated too. With Redis (REDIS_URL) the counters
are shared by every process and host; without it (one host, the embedded default) each process
keeps its own, and entries last only ``LOCAL_TTL`` seconds, so another process's write is seen
within that time. Entries also lapse after ``SHARED_TTL`` with Redis: nothing lives forever.
"""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
K = TypeVar("K")
SHARED_TTL = 300
LOCAL_TTL = 20
_MISSING = object()


def _ttl() -> int:
    return SHARED_TTL if settings.REDIS_URL else LOCAL_TTL


def _generation(area: str) -> int:
    key = f"gen:{area}"
    value = cache.get(key)
    if value is None:
        cache.add(key, 1, None)
        value = cache.get(key, 1)
    return int(value)


def remember(area: str, key: str, compute: Callable[[], T | None]) -> T | None:
    """``compute()``, or what it gave under the area's current generation. None (nothing
    found) is not kept: an unknown key costs its query each time, and fills no cache."""
    full = f"{area}:{_generation(area)}:{key}"
    hit = cache.get(full, _MISSING)
    if hit is not _MISSING:
        return hit  # type: ignore[no-any-return]
    value = compute()
    if value is not None:
        cache.set(full, value, _ttl())
    return value


def remember_many(
    area: str, keys: Iterable[K], compute: Callable[[list[K]], dict[K, T]], empty: T
) -> dict[K, T]:
    """For each key, what ``compute`` gives for the keys not kept (one call for all of them);
    a key it leaves out is kept as ``empty``. One round trip to the cache for all the keys."""
    prefix = f"{area}:{_generation(area)}:"
    wanted = {f"{prefix}{k}": k for k in keys}
    hits = cache.get_many(list(wanted))
    found: dict[K, T] = {wanted[full]: value for full, value in hits.items()}
    missing = [k for full, k in wanted.items() if full not in hits]
    if missing:
        fresh = compute(missing)
        values = {k: fresh.get(k, empty) for k in missing}
        cache.set_many({f"{prefix}{k}": v for k, v in values.items()}, _ttl())
        found |= values
    return found


def _bump(area: str) -> None:
    try:
        cache.incr(f"gen:{area}")
    except ValueError:  # never read yet: nothing cached under it either
        cache.add(f"gen:{area}", 1, None)


def forget(area: str) -> None:
    """The area's tables changed: what was cached of them is not read again."""
    _bump(area)
    transaction.on_commit(lambda: _bump(area))


def forget_on_change(area: str, *labels: str) -> None:
    """Bump ``area`` whenever a row of one of the models ``labels`` names ("app.Model") is saved
    or deleted (call from an app's ``ready``). A write by ``QuerySet.update`` or ``bulk_create``
    sends no signal: such writes call ``forget``."""

    def receiver(**_: object) -> None:
        forget(area)

    for label in labels:
        model = apps.get_model(label)
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"cached:{area}:{label}")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"cached:{area}:{label}:d")
