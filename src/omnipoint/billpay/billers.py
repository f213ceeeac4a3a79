"""The biller interface every water, power, gas, telecom and cable TV company plugs into, and
the registry of the billers this deployment reaches.

An adapter looks up what an account owes, pays a bill, says what became of a payment, reverses
one (冲正), reads its signed confirmation callbacks and fetches its daily statement. Only the
sandbox billers ship with the project (``billpay.sandbox``, mounted when ``SANDBOX_BILLERS`` is
on); a real biller is one more class with the same methods.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

from django.conf import settings

from omnipoint.billpay.domain import AccountFormat
from omnipoint.core.errors import NotFoundError


@dataclass(frozen=True)
class BillDue:
    """What an account owes now, as the biller tells it."""

    account: str
    masked_name: str
    bill_ref: str  # unique at the biller: the same bill is never paid twice
    amount: int  # fen; 0 when nothing is due
    period: str  # "2026-11"
    due_date: date


PayStatus = Literal["paid", "pending", "refused", "unknown"]


@dataclass(frozen=True)
class PayAnswer:
    status: PayStatus  # "pending": accepted, a signed callback confirms it later
    biller_ref: str = ""
    reason: str = ""  # why it was refused: account_closed, amount_changed, bill_already_paid


@dataclass(frozen=True)
class Confirmation:
    """What a verified callback says about one of our payments."""

    merchant_ref: str  # our payment number
    bill_ref: str
    biller_ref: str
    amount: int
    status: Literal["paid", "refused"]
    nonce: str


@dataclass(frozen=True)
class StatementLine:
    bill_ref: str
    account: str
    amount: int
    merchant_ref: str
    biller_ref: str
    paid_at: str  # ISO


class Biller(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def city_code(self) -> str:
        """The city (adcode) whose households it bills."""
        ...

    @property
    def name(self) -> str:
        """In Chinese, as the bill says."""
        ...

    @property
    def name_en(self) -> str: ...
    @property
    def account_format(self) -> AccountFormat: ...
    @property
    def signature_header(self) -> str: ...

    def lookup(self, account: str) -> BillDue:
        """What the account (already normalised) owes; raises NotFoundError / BillerRefusedError."""
        ...

    def pay(self, *, bill: BillDue, amount: int, merchant_ref: str) -> PayAnswer:
        """Ask the biller to take the bill; raises BillerTimeoutError when it does not answer."""
        ...

    def query(self, *, merchant_ref: str) -> PayStatus:
        """What became of one of our payments (asked before a reversal)."""
        ...

    def reverse(self, *, merchant_ref: str) -> bool:
        """冲正: undo a payment not yet confirmed. False when the biller had confirmed it."""
        ...

    def verify(self, body: bytes, headers: Mapping[str, str]) -> Confirmation:
        """Check a callback's signature and read it; raises BadCallbackError when forged."""
        ...

    def statement(self, *, day: date) -> bytes:
        """The biller's statement of a business day: the bills it took, as a CSV file."""
        ...

    def statement_lines(self, data: bytes) -> list[StatementLine]: ...


_BILLERS: dict[str, Biller] = {}


def register(biller: Biller) -> None:
    _BILLERS[biller.code] = biller


def biller_get(code: str) -> Biller:
    biller = _BILLERS.get(code)
    if biller is None or (biller.code.startswith("sbx-") and not settings.SANDBOX_BILLERS):
        raise NotFoundError(f"biller {code[:40]} not found", code="biller_not_found")
    return biller


def billers_list(*, city_code: str = "") -> list[Biller]:
    return [
        b
        for code, b in sorted(_BILLERS.items())
        if (not city_code or b.city_code == city_code)
        and (settings.SANDBOX_BILLERS or not code.startswith("sbx-"))
    ]
