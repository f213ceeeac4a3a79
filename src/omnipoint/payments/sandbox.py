"""The sandbox gateway's side: what WeChat Pay or Alipay would do on their servers.

It keeps its own charges (``SandboxCharge``), shows the payer a hosted page, and when the payer
pays it tells the merchant with an asynchronous notification, signed with the shared key
(HMAC-SHA256 over the raw body, in the ``X-Sandbox-Signature`` header), retried until the
merchant acknowledges. The merchant side talks to it only through ``SandboxProvider``.
"""

import csv
import heapq
import io
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from omnipoint.core.errors import InvalidStateError, NotFoundError, ValidationError
from omnipoint.payments.domain import (
    FEE_RATE_BP,
    STATE_PAID,
    STATE_REFUND,
    STATEMENT_COLUMNS,
    STATEMENT_SUMMARY,
    StatementUnavailableError,
    fee_for,
    sign,
    yuan,
)
from omnipoint.payments.models import ChargeState, SandboxCharge, SandboxRefund

SIGNATURE_HEADER = "X-Sandbox-Signature"
NOTIFY_PATH = "/api/v1/payments/notify/sandbox"


def charge_create(
    *, merchant_ref: str, amount: int, description: str = "", return_url: str = ""
) -> SandboxCharge:
    return SandboxCharge.objects.create(
        ref="SBX" + secrets.token_hex(12),
        merchant_ref=merchant_ref,
        amount=amount,
        description=description[:100],
        return_url=return_url[:200],
    )


def charge_get(*, ref: str) -> SandboxCharge:
    charge = SandboxCharge.objects.filter(ref=ref).first()
    if charge is None:
        raise NotFoundError(f"charge {ref} not found", code="charge_not_found")
    return charge


def _settle(ref: str, to: str, **fields: object) -> SandboxCharge:
    charge = charge_get(ref=ref)
    if SandboxCharge.objects.filter(pk=charge.pk, state=ChargeState.PENDING).update(state=to, **fields) != 1:
        charge.refresh_from_db()
        raise InvalidStateError(
            f"this charge is already {charge.state}", code="charge_closed", state=charge.state
        )
    charge.refresh_from_db()
    return charge


@transaction.atomic
def charge_pay(*, ref: str) -> SandboxCharge:
    """The payer pays on the hosted page. The merchant hears of it asynchronously, after commit."""
    charge = _settle(ref, ChargeState.PAID, paid_at=timezone.now())
    _notify_later(charge.pk)
    return charge


@transaction.atomic
def charge_fail(*, ref: str) -> SandboxCharge:
    """The payment fails (card declined, payer gave up): the merchant is told too."""
    charge = _settle(ref, ChargeState.FAILED)
    _notify_later(charge.pk)
    return charge


def _notify_later(charge_id: int) -> None:
    from omnipoint.payments.tasks import sandbox_notify

    transaction.on_commit(lambda: sandbox_notify(charge_id))


def charge_status(*, ref: str) -> str:
    return charge_get(ref=ref).state


@transaction.atomic
def charge_refund(*, ref: str, amount: int) -> str:
    """Send money back to the payer: never more than the charge took."""
    charge = charge_get(ref=ref)
    if charge.state != ChargeState.PAID:
        raise InvalidStateError("only a paid charge can be refunded", code="charge_not_paid")
    if amount <= 0:
        raise ValidationError("a refund must be a positive amount", code="invalid_amount")
    if (
        SandboxCharge.objects.filter(pk=charge.pk, refunded__lte=F("amount") - amount).update(
            refunded=F("refunded") + amount
        )
        != 1
    ):
        raise InvalidStateError(
            "the gateway refuses to refund more than was paid", code="gateway_refund_refused"
        )
    return SandboxRefund.objects.create(charge=charge, ref="SBXR" + secrets.token_hex(10), amount=amount).ref


# --- the daily trade statement ------------------------------------------------------------

STATEMENT_TZ = ZoneInfo("Asia/Shanghai")
_RATE = f"{FEE_RATE_BP / 100:.2f}%"


def _cells(values: list[str]) -> list[str]:
    return ["`" + v for v in values]


def _paid_rows(start: datetime, end: datetime) -> Iterator[tuple[datetime, list[str], int, int, int]]:
    charges = SandboxCharge.objects.filter(state=ChargeState.PAID, paid_at__gte=start, paid_at__lt=end)
    for paid_at, ref, merchant_ref, amount in (
        charges.order_by("paid_at", "pk")
        .values_list("paid_at", "ref", "merchant_ref", "amount")
        .iterator(20_000)
    ):
        at = cast(datetime, paid_at)  # filtered on: never None
        fee = fee_for(amount)
        local = at.astimezone(STATEMENT_TZ).strftime("%Y-%m-%d %H:%M:%S")
        row = [
            local,
            ref,
            merchant_ref,
            "NATIVE",
            STATE_PAID,
            yuan(amount),
            "0",
            "0",
            "0.00",
            "",
            yuan(fee),
            _RATE,
        ]
        yield at, row, amount, 0, fee


def _refund_rows(start: datetime, end: datetime) -> Iterator[tuple[datetime, list[str], int, int, int]]:
    refunds = SandboxRefund.objects.filter(created_at__gte=start, created_at__lt=end).order_by(
        "created_at", "pk"
    )
    at: datetime
    for at, ref, amount, charge_ref, merchant_ref, charged in refunds.values_list(
        "created_at", "ref", "amount", "charge__ref", "charge__merchant_ref", "charge__amount"
    ).iterator(20_000):
        fee = -fee_for(amount)
        local = at.astimezone(STATEMENT_TZ).strftime("%Y-%m-%d %H:%M:%S")
        row = [local, charge_ref, merchant_ref, "NATIVE", STATE_REFUND, yuan(charged), ref, "", yuan(amount)]
        yield at, [*row, "SUCCESS", yuan(fee), _RATE], 0, amount, fee


def statement_build(*, day: date) -> bytes:
    """The gateway's trade statement of a business day, from what the gateway itself recorded
    (its charges paid and its refunds made that day), never from the merchant's rows. Available
    from the next day on, as WeChat Pay's."""
    if day >= timezone.now().astimezone(STATEMENT_TZ).date():
        raise StatementUnavailableError(
            f"the statement of {day} is available from the next day", day=day.isoformat()
        )
    start = datetime.combine(day, time.min, tzinfo=STATEMENT_TZ)
    end = start + timedelta(days=1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(STATEMENT_COLUMNS)
    count = paid = refunded = fees = 0
    merged = heapq.merge(_paid_rows(start, end), _refund_rows(start, end), key=lambda r: r[0])
    for _, row, amount, refund, fee in merged:
        writer.writerow(_cells(row))
        count, paid, refunded, fees = count + 1, paid + amount, refunded + refund, fees + fee
    writer.writerow(STATEMENT_SUMMARY)
    writer.writerow(_cells([str(count), yuan(paid), yuan(refunded), yuan(fees)]))
    return out.getvalue().encode()


def notification_build(charge: SandboxCharge) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers of the notification for a settled charge."""
    body = json.dumps(
        {
            "out_trade_no": charge.merchant_ref,
            "transaction_id": charge.ref,
            "amount": charge.amount,
            "trade_state": "SUCCESS" if charge.state == ChargeState.PAID else "PAYERROR",
            "paid_at": charge.paid_at.isoformat() if charge.paid_at else None,
            "nonce": secrets.token_hex(8),
        },
        separators=(",", ":"),
    ).encode()
    return body, {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(settings.SANDBOX_PAY_SECRET, body),
    }


class NotifyFailed(Exception):
    """The merchant did not acknowledge: the task queue retries."""


def notification_send(*, charge_id: int, timeout: float = 10.0) -> int:
    """POST the notification to the merchant's notify URL. Returns the HTTP status.

    A 2xx is an acknowledgement; a 4xx means the merchant refused it for good (it is logged on
    their side); anything else, or no answer, raises so that the task is retried.
    """
    charge = SandboxCharge.objects.get(pk=charge_id)
    body, headers = notification_build(charge)
    SandboxCharge.objects.filter(pk=charge.pk).update(notify_attempts=F("notify_attempts") + 1)
    request = urllib.request.Request(
        settings.SITE_URL + NOTIFY_PATH, data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        raise NotifyFailed(f"notify_url unreachable: {exc}") from exc
    if status >= 500:
        raise NotifyFailed(f"merchant answered {status}")
    if 200 <= status < 300:
        SandboxCharge.objects.filter(pk=charge.pk).update(notified_at=timezone.now())
    return status
