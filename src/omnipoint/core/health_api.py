"""/api/v1/health: cheap probes for load balancers, orchestrators and the benchmarks.

``live``: the process answers (touches nothing). ``ready``: the database answers a query and
the task queue's storage (Huey: SQLite or Redis) answers; 503 ``not_ready`` naming what failed.
"""

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema

from omnipoint.core.api import ErrorOut

router = Router(tags=["health"])


class LiveOut(Schema):
    status: str


class ReadyOut(Schema):
    status: str
    database: str
    queue: str


@router.get("/live", auth=None, response={200: LiveOut})
def live(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Liveness: 200 while the process serves requests."""
    return {"status": "ok"}


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # any failure means not ready; say which
        return f"error: {type(exc).__name__}"


def _queue() -> str:
    from huey.contrib.djhuey import HUEY

    try:
        HUEY.pending_count()  # a read on the queue's storage
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


@router.get("/ready", auth=None, response={200: ReadyOut, 503: ErrorOut})
def ready(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Readiness: 200 when the database and the task queue answer, else 503 `not_ready`."""
    checks = {"database": _database(), "queue": _queue()}
    if any(v != "ok" for v in checks.values()):
        return 503, {"code": "not_ready", "message": "a dependency does not answer", "details": checks}
    return {"status": "ok", **checks}
