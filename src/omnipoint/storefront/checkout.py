"""One order per checkout form, however often it is submitted.

The checkout page carries a one-time token, used as an idempotency key scoped to this session
through ``core.idempotency.claim`` (the same claim the API's Idempotency-Key uses): the order
and the record of its number commit together, so two racing submissions, even on different
web workers, place one order, a repeat is sent to that order, a refused checkout leaves the
token free for the corrected form, and a worker that dies mid-checkout leaves nothing behind.
"""

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from omnipoint.core import idempotency
from omnipoint.core.models import IdempotencyRecord

PATH = "/shop/checkout/"


def token_new() -> str:
    return secrets.token_urlsafe(24)


def _client(session_key: str) -> str:
    return hashlib.sha256(f"storefront:{session_key}".encode()).hexdigest()


@dataclass(frozen=True)
class Claim:
    order_number: str = ""  # the token already placed this order


@contextmanager
def submission(*, session_key: str, token: str) -> Iterator[tuple[Claim, idempotency.Claim]]:
    """Hold the token around placing the order: ``held.first`` set means it placed one already
    (``Claim.order_number``); otherwise place it and call ``placed``. A DomainError raised
    inside rolls back the order and frees the token."""
    with idempotency.claim(
        client=_client(session_key),
        key=token[:100],
        fingerprint=hashlib.sha256(token.encode()).hexdigest(),
        method="POST",
        path=PATH,
    ) as held:
        first = Claim(order_number=held.first.body.decode()) if held.first is not None else Claim()
        yield first, held


def placed(held: idempotency.Claim, *, order_number: str) -> None:
    held.finish(idempotency.Answer(201, "text/plain", order_number.encode()))


def submission_lookup(*, session_key: str, token: str) -> Claim | None:
    """What became of an earlier submission of this token, if there was one."""
    first = IdempotencyRecord.objects.filter(
        client=_client(session_key), key=token[:100], status__isnull=False
    ).first()
    return Claim(order_number=bytes(first.body).decode()) if first is not None else None
