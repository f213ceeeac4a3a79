"""Idempotency keys: a retry gets the first answer, never a second effect.

``claim`` is the one way to use a key, for the API's ``Idempotency-Key`` header (the
middleware below) and for the storefront's checkout form. The key is claimed by inserting a row,
and that row, the work and the answer are one transaction: they commit together or not at all.
So a worker that dies mid-request leaves nothing behind (no key stuck "in progress", no order
the key does not know about) and a retry simply runs the work afresh; a request that committed
left its answer, which the retry replays. Two racing requests with one key are decided by the
unique constraint: the second waits for the first to finish (PostgreSQL holds it on the index
entry; SQLite has one writer at a time) and replays its answer, or runs if the first rolled back.

An answer that carries a secret (``Cache-Control: no-store``: a new bearer token) is never
stored: its key is freed and a retry runs again. The same key with a different request is
refused. Keys are scoped to the client (its bearer
token or session), so two clients never collide.
"""

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from omnipoint.core.errors import DomainError
from omnipoint.core.models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class KeyReusedError(DomainError):
    code = "idempotency_key_reused"
    status = 422


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


class Claim:
    """What ``claim`` yields: either the answer of the request that already used the key
    (``first``), or the key, held until the block ends, for the caller's work and its answer."""

    def __init__(self, record: IdempotencyRecord | None, first: Answer | None) -> None:
        self._record = record
        self.first = first

    def finish(self, answer: Answer) -> None:
        """Store the answer; it commits with the work when the block ends."""
        assert self._record is not None, "this key was already used: replay ``first``"
        IdempotencyRecord.objects.filter(pk=self._record.pk).update(
            status=answer.status, content_type=answer.content_type, body=answer.body
        )
        self._record = None

    def undo(self) -> None:
        """Roll back the work and the claim when the block ends: the key stays free."""
        transaction.set_rollback(True)


@contextmanager
def claim(*, client: str, key: str, fingerprint: str, method: str, path: str) -> Iterator[Claim]:
    """Hold ``key`` for ``client`` around the caller's work, in one transaction with it.

    The block either finds ``first`` set (replay it) or does the work and calls ``finish``;
    leaving the block without ``finish`` frees the key and keeps the work (nothing to replay,
    e.g. a streamed answer), an exception or ``undo`` rolls both back.
    Raises ``KeyReusedError`` when the key was used for a different request (``fingerprint``).
    """
    with transaction.atomic():
        record = _insert(client=client, key=key, fingerprint=fingerprint, method=method, path=path)
        if record is None:
            # The row that won is committed, and a claim commits only with its answer: replay it.
            first = IdempotencyRecord.objects.get(client=client, key=key)
            if first.request_hash != fingerprint:
                raise KeyReusedError("this idempotency key was used for a different request")
            assert first.status is not None
            yield Claim(None, Answer(first.status, first.content_type, bytes(first.body)))
            return
        held = Claim(record, None)
        yield held
        if held._record is not None and not transaction.get_rollback():
            record.delete()


_COLUMNS = ("client", "key", "method", "path", "request_hash", "content_type", "body", "created_at")


def _insert(*, client: str, key: str, fingerprint: str, method: str, path: str) -> IdempotencyRecord | None:
    """The claim, or None when the key is taken: one INSERT that does nothing on a conflict
    (a savepoint to survive the unique violation would cost two more statements per write).

    A row without an answer can only be a claim left by the earlier scheme, which committed
    the claim before the work; its worker is gone (nothing else could have committed it), so it
    is cleared, by one guarded DELETE that only one retry wins, and the key claimed afresh."""
    q = connection.ops.quote_name
    table, columns = q(IdempotencyRecord._meta.db_table), [q(c) for c in _COLUMNS]
    # Names from the model's own metadata, quoted: nothing here comes from outside.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        f" ON CONFLICT ({columns[0]}, {columns[1]}) DO NOTHING RETURNING {q('id')}"
    )
    params: list[str | bytes | datetime] = [
        client,
        key,
        method,
        path[:200],
        fingerprint,
        "",
        b"",
        timezone.now(),
    ]
    for _ in range(2):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is not None:
            return IdempotencyRecord(pk=row[0], client=client, key=key, request_hash=fingerprint)
        if not IdempotencyRecord.objects.filter(client=client, key=key, status__isnull=True).delete()[0]:
            return None
    return None


# --- the API's Idempotency-Key header ----------------------------------------------------------


def _client_of(who: str) -> str:
    return hashlib.sha256(who.encode()).hexdigest()


def _client(request: HttpRequest) -> str:
    return _client_of(
        request.META.get("HTTP_AUTHORIZATION") or request.COOKIES.get("sessionid") or "anonymous"
    )


def _secret(response: HttpResponse) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def _refuse(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


class IdempotencyMiddleware:
    """Runs an API write sent with an ``Idempotency-Key`` inside ``claim``: the response is the
    answer stored with the work (a server error rolls both back, so a retry runs again)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(HEADER)
        if key is None or request.method not in WRITE_METHODS or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not 1 <= len(key) <= 100:
            return _refuse(422, "invalid_idempotency_key", "Idempotency-Key must be 1..100 characters")
        method = request.method or ""
        fingerprint = hashlib.sha256(method.encode() + request.path.encode() + request.body).hexdigest()
        try:
            with claim(
                client=_client(request), key=key, fingerprint=fingerprint, method=method, path=request.path
            ) as held:
                if held.first is not None:
                    replay = HttpResponse(
                        held.first.body, status=held.first.status, content_type=held.first.content_type
                    )
                    replay["Idempotent-Replayed"] = "true"
                    return replay
                response = self.get_response(request)
                if response.status_code >= 500:
                    held.undo()
                elif not getattr(response, "streaming", False) and not _secret(response):
                    held.finish(
                        Answer(response.status_code, response.get("Content-Type", ""), response.content)
                    )
                return response
        except KeyReusedError as e:
            return _refuse(e.status, e.code, e.message)
