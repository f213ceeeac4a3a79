"""One order per checkout form, however often it is submitted.

The checkout page carries a one-time token. Submitting it claims the token by inserting an
``IdempotencyRecord`` (the same table the API's Idempotency-Key uses, scoped to this session):
the unique constraint decides between two racing submissions, even on different web workers.
The first one places the order and records its number; a repeat is sent to that order; a
refused checkout releases the token so the corrected form can be sent again.
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from omnipoint.core.models import IdempotencyRecord

PATH = "/shop/checkout/"


def token_new() -> str:
    return secrets.token_urlsafe(24)


def _client(session_key: str) -> str:
    return hashlib.sha256(f"storefront:{session_key}".encode()).hexdigest()


@dataclass(frozen=True)
class Claim:
    record_id: int | None = None  # this submission holds the token: go ahead and place
    order_number: str = ""  # the token already placed this order
    busy: bool = False  # the first submission is still running


def submission_claim(*, session_key: str, token: str) -> Claim:
    client = _client(session_key)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                client=client,
                key=token[:100],
                method="POST",
                path=PATH,
                request_hash=hashlib.sha256(token.encode()).hexdigest(),
            )
        return Claim(record_id=record.pk)
    except IntegrityError:
        return submission_lookup(session_key=session_key, token=token) or Claim(busy=True)


def submission_lookup(*, session_key: str, token: str) -> Claim | None:
    """What became of an earlier submission of this token, if there was one."""
    first = IdempotencyRecord.objects.filter(client=_client(session_key), key=token[:100]).first()
    if first is None:
        return None
    if first.status is None:
        return Claim(busy=True)
    return Claim(order_number=bytes(first.body).decode())


def submission_finish(*, record_id: int, order_number: str) -> None:
    IdempotencyRecord.objects.filter(pk=record_id).update(
        status=201, content_type="text/plain", body=order_number.encode()
    )


def submission_release(*, record_id: int) -> None:
    IdempotencyRecord.objects.filter(pk=record_id, status__isnull=True).delete()
