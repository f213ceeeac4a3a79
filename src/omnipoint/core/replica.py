"""Reports and dashboards read from a replica when one is configured (``DATABASE_REPLICA_URL``
makes the ``replica`` database): a read inside ``report_reads()`` goes there, every other read
and every write to the primary. With no replica configured everything stays on ``default``.

A replica lags the primary a little: only reads that may be a moment old (figures, rankings)
ask for it, never a read that a write in the same request depends on."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connections

REPLICA = "replica"
_reports: ContextVar[bool] = ContextVar("omnipoint_report_reads", default=False)


@contextmanager
def report_reads() -> Iterator[None]:
    """The reads made inside go to the replica, when there is one."""
    token = _reports.set(True)
    try:
        yield
    finally:
        _reports.reset(token)


def replica_configured() -> bool:
    return REPLICA in connections.databases


class ReplicaRouter:
    """Sends the reads inside ``report_reads()`` to the replica; has no say in anything else."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return REPLICA if _reports.get() and replica_configured() else None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True if replica_configured() else None  # the same rows, read from either

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None  # the replica follows the primary's schema
