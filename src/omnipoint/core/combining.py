"""Group commit across processes and hosts: a combining table in PostgreSQL, a leader per lane.

Why this design. The production server runs sync gunicorn workers: each process serves one
request at a time, so a batcher inside a process has nothing to batch, and several hosts share
one database. The only place all callers meet is PostgreSQL, so the folding happens there:

1. A caller inserts its request into ``core_combinerequest`` (an UNLOGGED table on PostgreSQL:
   no WAL, no flush; what it holds is only in flight, see below) and, in the same statement,
   tries the lane's advisory lock (``pg_try_advisory_lock``). A lane is the hot row the request
   contends for (one stock row, one ledger lane).
2. Whoever wins the lock is the lane's leader: in one transaction it takes every pending request
   of the lane (``FOR UPDATE SKIP LOCKED``), hands them to the caller's ``apply`` (one guarded
   UPDATE per row for the sum of the batch, the rows inserted together; one by one when a row
   cannot cover the batch), writes each request's result and commits once: one WAL flush and
   one pass of the row lock for the whole batch. Then it releases the lock and NOTIFYs the lane.
3. The others LISTEN: woken by the NOTIFY (or after a short timeout, should one be lost), each
   reads and deletes its own result in one statement; a request still pending (it came after
   the batch was taken) tries the lock again in that same statement, so the next batch forms
   while the previous one commits.

Guarantees. A guarded UPDATE never lets a row go below what it may sell, batch or not. A batch
is one transaction: it commits whole or not at all. A leader that dies mid-batch (killed, or its
connection drops) rolls back and its session lock goes with its connection; its requests are
still pending and the next caller to try the lock takes them again. What a batch commits is
durable where it matters (the reservations or postings, under their idempotency keys); the
request rows need not be: a database crash ends every waiting caller's connection too, and a
caller that retries with its key finds what committed (a replay) or makes its request afresh.
A caller that gives up (``deadline_s``) withdraws its request if no leader took it yet, so a
request is answered exactly once, and otherwise reads the answer. An ``apply`` that fails
unexpectedly fails each request of its batch with that error instead of leaving a poison batch;
a transient database error (a lock timeout) is the leader's own answer: its request is
withdrawn, the batch rolls back and the other requests are taken again.

Where it cannot fold (SQLite, or a caller already inside a transaction whose work must commit
with it) the caller applies its own request alone, through the same ``apply``: a batch of one.
"""

import json
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction

NAMESPACE = {"hold": 31001, "posting": 31002}  # first key of the advisory lock, per kind
BATCH_MAX = 1000
BACKLOG = 64  # NOTIFYs kept for a connection between two waits
WAIT_S = 0.05  # a NOTIFY lost (or sent before this caller listened) costs at most this


@dataclass(frozen=True)
class Pending:
    id: int
    payload: dict[str, Any]


# What a leader runs inside its transaction: each request's result (JSON-able) by id.
Apply = Callable[[list[Pending]], dict[int, dict[str, Any]]]


class CombineTimeout(Exception):
    """No leader took the request before the deadline; it was withdrawn and changed nothing."""


def lane_of(*parts: object) -> int:
    """A lane number from a hot row's identity, the same in every process (crc32, signed 32 bits
    for the advisory lock's second key)."""
    n = zlib.crc32(":".join(str(p) for p in parts).encode())
    return n - (1 << 32) if n >= 1 << 31 else n


def folds() -> bool:
    """Whether a call here can wait for a leader: PostgreSQL, and not inside a transaction
    (the caller's own work would commit apart from the batch)."""
    return settings.GROUP_COMMIT and connection.vendor == "postgresql" and not connection.in_atomic_block


def submit(
    kind: str, lane: int, payload: dict[str, Any], apply: Apply, *, deadline_s: float = 10.0
) -> dict[str, Any]:
    """Put one request into ``lane`` and return its result, whoever's batch it went into."""
    if not folds():
        with transaction.atomic():
            return apply([Pending(0, payload)])[0]
    ns = NAMESPACE[kind]
    _listen(kind)
    with connection.cursor() as cur:
        cur.execute(
            "WITH r AS (INSERT INTO core_combinerequest (kind, lane, payload, done, created_at)"
            " VALUES (%s, %s, %s::jsonb, false, now()) RETURNING id)"
            " SELECT id, pg_try_advisory_lock(%s, %s) FROM r",
            [kind, lane, json.dumps(payload), ns, lane],
        )
        request_id, leader = cur.fetchone()
    deadline = time.monotonic() + deadline_s
    while True:
        if leader:
            try:
                _lead(kind, ns, lane, apply)
            except OperationalError:  # lock timeout, connection: this caller's answer, not the batch's
                with connection.cursor() as cur:
                    cur.execute("DELETE FROM core_combinerequest WHERE id = %s AND NOT done", [request_id])
                raise
        result, leader = _collect(request_id, ns, lane)
        if result is not None:
            return result
        if leader:
            continue
        if time.monotonic() > deadline:
            return _withdraw(request_id)
        _wait(kind)


def _collect(request_id: int, ns: int, lane: int) -> tuple[dict[str, Any] | None, bool]:
    """Read and delete this request's result; while it is pending, try the lane's lock instead
    (one round trip either way)."""
    with connection.cursor() as cur:
        cur.execute(
            "WITH d AS (DELETE FROM core_combinerequest WHERE id = %s AND done RETURNING result)"
            " SELECT result, false FROM d"
            " UNION ALL SELECT NULL, pg_try_advisory_lock(%s, %s) WHERE NOT EXISTS (SELECT 1 FROM d)",
            [request_id, ns, lane],
        )
        result, leader = cur.fetchone()
    if isinstance(result, str):
        result = json.loads(result)
    return result, bool(leader)


def _withdraw(request_id: int) -> dict[str, Any]:
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_combinerequest WHERE id = %s AND NOT done", [request_id])
        withdrawn = cur.rowcount == 1
    if withdrawn:
        raise CombineTimeout(f"request {request_id} waited too long and was withdrawn")
    with connection.cursor() as cur:  # a leader answered it meanwhile
        cur.execute("DELETE FROM core_combinerequest WHERE id = %s AND done RETURNING result", [request_id])
        row = cur.fetchone()
    if row is None:
        raise CombineTimeout(f"request {request_id} lost")
    return row[0] if isinstance(row[0], dict) else json.loads(row[0])


def _lead(kind: str, ns: int, lane: int, apply: Apply) -> None:
    """Take the lane's pending requests and apply them in one transaction; then unlock and wake
    the lane. Called holding the lane's session lock."""
    try:
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT id, payload FROM core_combinerequest WHERE kind = %s AND lane = %s AND NOT done"
                    " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
                    [kind, lane, BATCH_MAX],
                )
                batch = [Pending(i, p if isinstance(p, dict) else json.loads(p)) for i, p in cur.fetchall()]
            if batch:
                try:
                    with transaction.atomic():
                        results = apply(batch)
                except OperationalError:
                    raise  # transient (a lock timeout): the batch rolls back, the others are taken again
                except Exception as exc:  # a bug or a database error: answer, never loop on it
                    failed = {"failed": f"{type(exc).__name__}: {exc}"[:500]}
                    results = {p.id: failed for p in batch}
                _answer(results)
    finally:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT pg_advisory_unlock(%s, %s), pg_notify(%s, %s)", [ns, lane, _channel(kind), str(lane)]
            )


def _answer(results: dict[int, dict[str, Any]]) -> None:
    if not results:
        return
    values = ", ".join(["(%s::bigint, %s::jsonb)"] * len(results))
    params: list[Any] = []
    for request_id, result in results.items():
        params += [request_id, json.dumps(result)]
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE core_combinerequest AS t SET done = true, result = v.result FROM (VALUES {values}) AS v(id, result)"  # noqa: S608
            " WHERE t.id = v.id",
            params,
        )


def _channel(kind: str) -> str:
    return f"combine_{kind}"


def _listen(kind: str) -> None:
    """LISTEN on the kind's channel, once per database connection."""
    connection.ensure_connection()
    raw = connection.connection
    listening: set[str] = getattr(raw, "_omnipoint_listening", set())
    if kind not in listening:
        with connection.cursor() as cur:
            cur.execute(f"LISTEN {_channel(kind)}")
        listening.add(kind)
        raw._omnipoint_listening = listening  # type: ignore[union-attr]
        if isinstance(getattr(raw, "_notifies_backlog", None), deque):
            # psycopg keeps what arrives between waits; a connection that serves other
            # requests for hours must not keep every batch's NOTIFY: only the latest few.
            raw._notifies_backlog = deque(maxlen=BACKLOG)  # type: ignore[union-attr]


def _wait(kind: str) -> None:
    """Until a leader of this kind finishes a batch (any lane: a spurious wake costs one read)."""
    for _ in connection.connection.notifies(timeout=WAIT_S, stop_after=1):
        pass


def error_json(exc: Exception) -> dict[str, Any]:
    """A refusal as a result: raised again in the caller's process by ``raise_error``."""
    from omnipoint.core.errors import DomainError

    assert isinstance(exc, DomainError)
    cls = type(exc)
    return {
        "cls": f"{cls.__module__}:{cls.__qualname__}",
        "message": exc.message,
        "code": exc.code,
        "details": exc.details,
    }


def raise_error(error: dict[str, Any]) -> None:
    """Raise the refusal a leader recorded for this caller, as the class it was."""
    import importlib

    from omnipoint.core.errors import DomainError

    module, _, name = str(error["cls"]).partition(":")
    cls = getattr(importlib.import_module(module), name, DomainError)
    if not (isinstance(cls, type) and issubclass(cls, DomainError)):
        cls = DomainError
    raise cls(error["message"], code=error["code"], **(error.get("details") or {}))
