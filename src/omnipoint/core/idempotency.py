"""Idempotency-Key for every API write: a retry gets the first answer, never a second effect.

The key is claimed by inserting a row before the request runs (the unique constraint decides
between two racing retries), and the response is stored when it is not a server error. The
same key with a different body is refused; a retry while the first is still running is told
to wait. Keys are scoped to the client (its bearer token or session), so two clients never
collide.
"""

import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from omnipoint.core.models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _client(request: HttpRequest) -> str:
    who = request.META.get("HTTP_AUTHORIZATION") or request.COOKIES.get("sessionid") or "anonymous"
    return hashlib.sha256(who.encode()).hexdigest()


def _refuse(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(HEADER)
        if key is None or request.method not in WRITE_METHODS or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not 1 <= len(key) <= 100:
            return _refuse(422, "invalid_idempotency_key", "Idempotency-Key must be 1..100 characters")
        client = _client(request)
        digest = hashlib.sha256(request.method.encode() + request.path.encode() + request.body).hexdigest()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    client=client,
                    key=key,
                    method=request.method or "",
                    path=request.path[:200],
                    request_hash=digest,
                )
        except IntegrityError:
            first = IdempotencyRecord.objects.filter(client=client, key=key).first()
            if first is None:  # the first attempt failed and released the key meanwhile
                return _refuse(409, "idempotency_in_progress", "retry this request")
            if first.request_hash != digest:
                return _refuse(
                    422, "idempotency_key_reused", "this Idempotency-Key was used for a different request"
                )
            if first.status is None:
                return _refuse(
                    409, "idempotency_in_progress", "the first request with this key is still running"
                )
            replay = HttpResponse(bytes(first.body), status=first.status, content_type=first.content_type)
            replay["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = self.get_response(request)
        except Exception:
            record.delete()
            raise
        if response.status_code >= 500 or getattr(response, "streaming", False):
            record.delete()
        else:
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status=response.status_code,
                content_type=response.get("Content-Type", ""),
                body=response.content,
            )
        return response
