"""The sandbox provider: what a carrier's top-up gateway would do, shipped so that the counter,
the demo and the tests have someone to top up with.

A request is taken at once and confirmed asynchronously by a callback signed with
``SANDBOX_VIRTUAL_SECRET`` (HMAC-SHA256 over the raw body, in ``X-Virtual-Signature``), which
has no default: the demo generates it and tests set it. A number ending in 0000 is not in
service and refused at once; ``SANDBOX_VIRTUAL_FAULTS`` (``{"<target>": "refuse" | "slow" |
"fail_later"}``) refuses one, leaves it unconfirmed, or refuses it by callback.
"""

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping

from django.conf import settings
from django.db import IntegrityError, transaction

from omnipoint.core.errors import ValidationError
from omnipoint.virtuals.domain import (
    BadCallbackError,
    Confirmation,
    ProviderAnswer,
    RefusalReason,
)
from omnipoint.virtuals.models import SandboxTopUp, SandboxTopUpState
from omnipoint.virtuals.providers import SANDBOX_CODE

CODE = SANDBOX_CODE
SIGNATURE_HEADER = "X-Virtual-Signature"
CALLBACK_MAX_AGE_S = 300


def _secret() -> bytes:
    if not settings.SANDBOX_VIRTUAL_SECRET:  # the system check stops the server first
        raise BadCallbackError("the sandbox provider has no secret", code="provider_unconfigured")
    return str(settings.SANDBOX_VIRTUAL_SECRET).encode()


def sign(body: bytes) -> str:
    return hmac.new(_secret(), body, hashlib.sha256).hexdigest()


class SandboxProvider:
    code = CODE
    signature_header = SIGNATURE_HEADER

    def request(self, *, merchant_ref: str, sku_code: str, target: str, amount: int) -> ProviderAnswer:
        fault = settings.SANDBOX_VIRTUAL_FAULTS.get(target, "")
        if target.endswith("0000"):
            return ProviderAnswer("refused", reason=RefusalReason.NUMBER_NOT_IN_SERVICE)
        if fault == "refuse":
            return ProviderAnswer("refused", reason=RefusalReason.PROVIDER_REFUSED)
        try:
            with transaction.atomic():
                row = SandboxTopUp.objects.create(
                    merchant_ref=merchant_ref,
                    target=target,
                    amount=amount,
                    txn_ref="VT" + secrets.token_hex(10).upper(),
                    state=SandboxTopUpState.ACCEPTED,
                )
        except IntegrityError:  # asked again: the same top-up
            row = SandboxTopUp.objects.get(merchant_ref=merchant_ref)
        if fault != "slow" and settings.SANDBOX_VIRTUAL_AUTOCONFIRM:
            _confirm_later(row.pk)
        return ProviderAnswer("pending", provider_ref=row.txn_ref)

    def cancel(self, *, merchant_ref: str) -> bool:
        """Only a top-up not yet credited is reversed: the provider's own compare-and-set
        decides between its confirmation and our cancellation."""
        rows = SandboxTopUp.objects.filter(merchant_ref=merchant_ref)
        if rows.filter(state=SandboxTopUpState.ACCEPTED).update(state=SandboxTopUpState.REVERSED):
            return True
        return not rows.filter(state=SandboxTopUpState.DONE).exists()

    def verify(self, body: bytes, headers: Mapping[str, str]) -> Confirmation:
        signature = (headers.get(SIGNATURE_HEADER) or "").strip().lower()
        if not hmac.compare_digest(sign(body), signature):
            raise BadCallbackError("the callback's signature does not match")
        try:
            data = json.loads(body)
            amount, ts = data["amount"], data["ts"]
            if not isinstance(amount, int) or isinstance(amount, bool) or not isinstance(ts, int):
                raise TypeError("amount")
            note = Confirmation(
                merchant_ref=str(data["merchant_ref"])[:40],
                provider_ref=str(data["txn_ref"])[:40],
                amount=amount,
                status="fulfilled" if data["status"] == "SUCCESS" else "refused",
                nonce=str(data["nonce"])[:64],
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidationError("the callback body is not readable", code="malformed_callback") from exc
        if abs(time.time() - ts) > CALLBACK_MAX_AGE_S:
            raise BadCallbackError("the callback is too old to be taken", code="callback_expired")
        return note


def topup_settle(*, merchant_ref: str) -> SandboxTopUp | None:
    """The carrier credits (or, for a ``fail_later`` number, drops) a top-up it took, once;
    None if it was reversed first."""
    row = SandboxTopUp.objects.filter(merchant_ref=merchant_ref).first()
    if row is None:
        return None
    to = (
        SandboxTopUpState.REVERSED
        if settings.SANDBOX_VIRTUAL_FAULTS.get(row.target, "") == "fail_later"
        else SandboxTopUpState.DONE
    )
    if SandboxTopUp.objects.filter(pk=row.pk, state=SandboxTopUpState.ACCEPTED).update(state=to) != 1:
        return None
    row.state = to
    return row


def callback_build(row: SandboxTopUp, *, ts: int | None = None) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers of the signed callback telling what became of a top-up (a fresh
    nonce and time on every attempt, as the provider retries)."""
    body = json.dumps(
        {
            "merchant_ref": row.merchant_ref,
            "txn_ref": row.txn_ref,
            "amount": row.amount,
            "status": "SUCCESS" if row.state == SandboxTopUpState.DONE else "FAILED",
            "nonce": secrets.token_hex(12),
            "ts": int(time.time()) if ts is None else ts,
        },
        separators=(",", ":"),
    ).encode()
    return body, {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body)}


def callback_path(code: str = CODE) -> str:
    return f"/api/v1/virtuals/callback/{code}"


def _confirm_later(topup_id: int) -> None:
    from omnipoint.virtuals.tasks import sandbox_confirm

    transaction.on_commit(lambda: sandbox_confirm(topup_id))
