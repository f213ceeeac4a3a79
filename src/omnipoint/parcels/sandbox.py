"""The sandbox carrier: what a courier company's tracking system would send us. Its webhooks
carry one or more events as JSON, signed with ``SANDBOX_CARRIER_SECRET`` (hex HMAC-SHA256 of the
raw body in ``X-Carrier-Signature``) and stamped with the time they were sent (older than five
minutes is refused). ``webhook_build`` makes one, for the demo and the tests."""

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from datetime import datetime

from django.conf import settings

from omnipoint.core.errors import ValidationError
from omnipoint.parcels.carriers import BadSignatureError, CarrierEvent

CODE = "sbx-carrier"
SIGNATURE_HEADER = "X-Carrier-Signature"
MAX_AGE_S = 300
MAX_EVENTS = 50


def sign(body: bytes) -> str:
    secret = settings.SANDBOX_CARRIER_SECRET
    if not secret:  # never sign or accept with an empty key
        raise BadSignatureError("the sandbox carrier has no secret configured")
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_build(events: list[dict[str, str]], *, ts: int | None = None) -> tuple[bytes, dict[str, str]]:
    """A signed webhook: each event {event_id, number, kind, occurred_at (ISO), outlet_code?, place?}."""
    body = json.dumps(
        {"carrier": CODE, "ts": int(time.time()) if ts is None else ts, "events": events},
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    return body, {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body)}


def _event(raw: object) -> CarrierEvent:
    if not isinstance(raw, dict):
        raise TypeError("event")
    when = datetime.fromisoformat(str(raw["occurred_at"]))
    if when.tzinfo is None:
        raise ValueError("occurred_at needs its offset")
    return CarrierEvent(
        event_id=str(raw["event_id"])[:80],
        number=str(raw["number"])[:20],
        kind=str(raw["kind"])[:20],
        occurred_at=when,
        outlet_code=str(raw.get("outlet_code") or "")[:20],
        place=str(raw.get("place") or "")[:60],
    )


class SandboxCarrier:
    code = CODE
    signature_header = SIGNATURE_HEADER

    def verify(self, body: bytes, headers: Mapping[str, str]) -> list[CarrierEvent]:
        signature = (headers.get(SIGNATURE_HEADER) or "").strip().lower()
        if not hmac.compare_digest(sign(body), signature):
            raise BadSignatureError("the webhook's signature does not match")
        try:
            data = json.loads(body)
            ts, raw_events = data["ts"], data["events"]
            if not isinstance(ts, int) or isinstance(ts, bool) or not isinstance(raw_events, list):
                raise TypeError("ts")
            if not 1 <= len(raw_events) <= MAX_EVENTS:
                raise ValueError("events")
            events = [_event(e) for e in raw_events]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidationError("the webhook body is not readable", code="malformed_webhook") from exc
        if data.get("carrier") != self.code:
            raise BadSignatureError("the webhook names another carrier", code="wrong_carrier")
        if abs(time.time() - ts) > MAX_AGE_S:
            raise BadSignatureError("the webhook is too old to be taken", code="webhook_expired")
        return events
