"""Reconciliation rules with no ORM: reading a provider's trade statement (WeChat Pay's 交易账单
layout, ``payments.domain.STATEMENT_COLUMNS``), the classes of difference and the reasons a
difference is resolved.

A statement is read as a stream of rows, each checked as it comes (columns, time within the day,
amounts, ids), then its summary checked against what the rows added up to. Anything wrong refuses
the whole file with 422 ``malformed_statement`` naming the line and why: the import runs in one
transaction, so a refused file leaves nothing behind.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from omnipoint.core.errors import ValidationError
from omnipoint.payments.domain import STATE_PAID, STATE_REFUND, STATEMENT_COLUMNS, STATEMENT_SUMMARY

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")
MAX_STATEMENT_BYTES = 512 * 1024 * 1024
MAX_NOTE = 200
_AMOUNT = re.compile(r"-?\d{1,12}\.\d\d")


class LineKind(models.TextChoices):
    PAYMENT = "payment", pgettext_lazy("reconciliation", "Payment")
    REFUND = "refund", pgettext_lazy("reconciliation", "Refund")


class DiffKind(models.TextChoices):
    """The classes of difference, in the order the pages list them."""

    LOST_NOTIFICATION = "lost_notification", _("Paid at the provider, not paid here")
    UNKNOWN_HERE = "unknown_here", _("Paid at the provider, unknown here")
    MISSING_AT_PROVIDER = "missing_at_provider", _("Recorded here, absent at the provider")
    AMOUNT = "amount_mismatch", _("Amounts differ")
    REFUND = "refund_mismatch", _("Refunds differ")
    FEE = "fee_mismatch", _("Fee differs from the contracted rate")


REPAIRABLE = frozenset({DiffKind.LOST_NOTIFICATION})


class Reason(models.TextChoices):
    """Why a difference is settled. ``repaired`` is recorded only by the repair itself."""

    REPAIRED = "repaired", _("Repaired: the payment was applied")
    TIMING = "timing", _("Timing: it lands in another day's statement")
    PROVIDER_CLAIM = "provider_claim", _("The provider's error: claimed with the provider")
    CORRECTED_HERE = "corrected_here", _("Corrected here by other means")
    WRITTEN_OFF = "written_off", _("Accepted and written off")


class Source(models.TextChoices):
    SCHEDULED = "scheduled", _("Fetched by the scheduled task")
    FETCHED = "fetched", _("Fetched on request")
    UPLOADED = "uploaded", pgettext_lazy("reconciliation", "Uploaded")


@dataclass(frozen=True)
class Summary:
    count: int
    paid: int
    refunded: int
    fees: int


# A line as stored: (line_no, traded_at, provider_ref, merchant_ref, kind, state, amount,
# refund_ref, merchant_refund_ref, refund_amount, fee, rate)
Line = tuple[int, datetime, str, str, str, str, int, str, str, int, int, str]
LINE_FIELDS = (
    "line_no",
    "traded_at",
    "provider_ref",
    "merchant_ref",
    "kind",
    "state",
    "amount",
    "refund_ref",
    "merchant_refund_ref",
    "refund_amount",
    "fee",
    "rate",
)


def malformed(line: int, reason: str, message: str) -> ValidationError:
    return ValidationError(
        f"the statement is not readable at line {line}: {message}",
        code="malformed_statement",
        line=line,
        reason=reason,
    )


def parse_day(text: str) -> date:
    """A business day as the client wrote it: ``YYYY-MM-DD``, nothing else."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{text[:20]!r} is not a day (YYYY-MM-DD)", code="invalid_day") from None


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The instants a business day starts and ends (the end excluded)."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=BUSINESS_TZ)
    return start, start + timedelta(days=1)


def check_statement_day(day: date, *, today: date) -> None:
    """A provider's statement of a day exists from the next day on (T+1)."""
    if day >= today:
        raise ValidationError(
            f"the statement of {day} exists from the next day on", code="day_not_over", day=day.isoformat()
        )


def _fen(text: str, line: int) -> int:
    if not _AMOUNT.fullmatch(text):
        raise malformed(line, "amount", f"{text[:20]!r} is not an amount in yuan")
    return int(text.replace(".", ""))


def _cells(raw: list[str]) -> list[str]:
    return [c[1:] if c.startswith("`") else c for c in raw]


def _row(cells: list[str], n: int, day_text: str) -> Line:
    (at, ref, merchant_ref, _type, state, amount, refund_ref, m_refund_ref, refund, _rs, fee, rate) = cells
    if at[:10] != day_text:
        raise malformed(n, "other_day", f"the trade time {at[:20]!r} is not on {day_text}")
    try:
        traded_at = datetime.fromisoformat(at).replace(tzinfo=BUSINESS_TZ)
    except ValueError:
        raise malformed(n, "time", f"{at[:20]!r} is not a trade time") from None
    if state not in (STATE_PAID, STATE_REFUND):
        raise malformed(n, "state", f"{state[:20]!r} is not a trade state")
    kind = LineKind.PAYMENT if state == STATE_PAID else LineKind.REFUND
    refund_ref = "" if kind == LineKind.PAYMENT else refund_ref
    if not (0 < len(ref) <= 64 and 0 < len(merchant_ref) <= 32) or (
        kind == LineKind.REFUND and not 0 < len(refund_ref) <= 64
    ):
        raise malformed(n, "reference", "a transaction id, order number or refund id is missing or too long")
    m_refund_ref = "" if m_refund_ref == "0" else m_refund_ref[:64]
    return (
        n,
        traded_at,
        ref,
        merchant_ref,
        kind.value,
        state,
        _fen(amount, n),
        refund_ref,
        m_refund_ref,
        _fen(refund, n),
        _fen(fee, n),
        rate[:12],
    )


class StatementReader:
    """Iterate the lines of a statement file of ``day``; once exhausted, ``summary`` holds its
    summary, checked against the lines. Raises ``malformed_statement`` at the first fault."""

    def __init__(self, content: bytes, day: date) -> None:
        self.content, self.day = content, day
        self.summary: Summary | None = None

    def __iter__(self) -> Iterator[Line]:
        import csv

        try:
            text = self.content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise malformed(1, "encoding", "the file is not UTF-8 text") from None
        rows = csv.reader(text.splitlines())
        if _cells(next(rows, [])) != list(STATEMENT_COLUMNS):
            raise malformed(1, "header", "the first row is not the trade statement's header")
        day_text, width = self.day.isoformat(), len(STATEMENT_COLUMNS)
        count = paid = refunded = fees = 0
        for n, raw in enumerate(rows, start=2):
            cells = _cells(raw)
            if cells == list(STATEMENT_SUMMARY):
                self._summary(rows, n + 1, Summary(count, paid, refunded, fees))
                return
            if len(cells) != width:
                raise malformed(n, "columns", f"{len(cells)} fields where the header has {width}")
            line = _row(cells, n, day_text)
            count, fees = count + 1, fees + line[10]
            if line[4] == LineKind.PAYMENT:
                paid += line[6]
            else:
                refunded += line[9]
            yield line
        raise malformed(count + 2, "summary", "the summary rows are missing")

    def _summary(self, rows: Iterator[list[str]], n: int, counted: Summary) -> None:
        cells = _cells(next(rows, []))
        if len(cells) != len(STATEMENT_SUMMARY) or not cells[0].isdigit():
            raise malformed(n, "summary", "the summary row is not count, totals and fees")
        stated = Summary(int(cells[0]), _fen(cells[1], n), _fen(cells[2], n), _fen(cells[3], n))
        if stated != counted:
            raise malformed(n, "summary_mismatch", "the summary does not add up to the rows")
        if any(any(c.strip() for c in r) for r in rows):
            raise malformed(n + 1, "trailing", "rows after the summary")
        self.summary = stated


def expected_fee(amount: int, rate_bp: int) -> int:
    """The fee the contract says, as the gateway rounds it (half up)."""
    return (amount * rate_bp + 5000) // 10000
