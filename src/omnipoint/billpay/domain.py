"""Bill payment rules with no ORM: biller kinds, account-number formats and their check digits,
a bill payment's states, how a name is masked, what refusals are, and the agents' tiered monthly
rebate (梯度返利).

A bill payment is two-phase. The customer's money is *held* (cash at our own counter is
recorded; at an agent outlet the agent's float is held on the ledger), the biller is asked, and
the payment is then *paid* (the biller confirmed: the hold is captured) or *reversed* (the biller
refused, or did not confirm before the deadline and agreed to the reversal, 冲正: the hold is
given back). A state moves only by compare-and-set, so a late confirmation and the reversal
cannot both win.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from omnipoint.core.errors import ConflictError, DomainError, InvalidStateError, ValidationError

MAX_BILL = 10_000_00 * 10  # fen: no household bill is over a hundred thousand yuan


class BillerKind(models.TextChoices):
    WATER = "water", _("Water")
    ELECTRICITY = "electricity", _("Electricity")
    GAS = "gas", _("Gas")
    TELECOM = "telecom", _("Telephone and broadband")
    CABLE_TV = "cable_tv", _("Cable TV")


class PayState(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting the online payment")  # the gateway's, before any money
    HELD = "held", _("Awaiting the biller")
    PAID = "paid", _("Paid")
    REVERSED = "reversed", _("Reversed, money given back")


class PayMode(models.TextChoices):
    COUNTER_CASH = "counter_cash", _("Cash at our counter")
    AGENT_FLOAT = "agent_float", _("Cash at an agent, from its float")
    MEMBER_WALLET = "member_wallet", _("Online, from the member's wallet")
    MEMBER_ONLINE = "member_online", _("Online, by the payment gateway")


class BillWhy(models.TextChoices):
    """Why a payment ended as it did, worded only when shown (``billpay.explain``)."""

    CONFIRMED = "bill.confirmed"
    REFUSED = "bill.refused"  # for a reason the biller did not name in a way we know
    ACCOUNT_CLOSED = "bill.account_closed"
    AMOUNT_CHANGED = "bill.amount_changed"
    ALREADY_PAID = "bill.already_paid"
    TIMED_OUT = "bill.timed_out"
    NOT_PAID = "bill.not_paid"  # online: the payer did not pay by the deadline (or it failed)


REFUSAL_WHY = {
    "account_closed": BillWhy.ACCOUNT_CLOSED,
    "amount_changed": BillWhy.AMOUNT_CHANGED,
    "bill_already_paid": BillWhy.ALREADY_PAID,
}


def refusal_why(reason: str) -> str:
    """The explanation kind of a biller's refusal (its code kept as the parameter)."""
    return REFUSAL_WHY.get(reason, BillWhy.REFUSED)


# --- refusals ------------------------------------------------------------------------------


class MalformedAccountError(ValidationError):
    code = "malformed_account"


class BillerTimeoutError(DomainError):
    """The biller did not answer in time: whether it took the payment is not known yet."""

    code = "biller_timeout"
    status = 504


class BillerRefusedError(ConflictError):
    """The biller says no: ``code`` is its reason (account_closed, amount_changed, ...)."""

    code = "biller_refused"


class BillAlreadyPaidError(ConflictError):
    code = "bill_already_paid"


class FloatShortError(ConflictError):
    code = "float_short"


class BadCallbackError(DomainError):
    code = "bad_signature"
    status = 401


class AmountMismatchError(ValidationError):
    code = "amount_mismatch"


class NothingDueError(InvalidStateError):
    code = "nothing_due"


REFUSALS = ("account_closed", "amount_changed", "account_not_found", "bill_already_paid")


# --- account numbers -----------------------------------------------------------------------


def luhn_digit(body: str) -> str:
    """The Luhn check digit of a string of digits (cards, many utilities' account numbers)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def weighted_digit(body: str, weights: tuple[int, ...] = (7, 3, 1)) -> str:
    """A weighted mod-10 check digit (weights repeat from the left), as gas and water use."""
    total = sum(int(ch) * weights[i % len(weights)] for i, ch in enumerate(body))
    return str((10 - total % 10) % 10)


@dataclass(frozen=True)
class AccountFormat:
    """What a biller's account number (户号) looks like: digits of a length, the last one a
    check digit by ``check``, or (``area``) a telephone number behind the city's area code."""

    length: int
    check: str  # "luhn", "weighted" or "area"
    prefix: str = ""  # digits every number starts with (the city's area code for "area")

    def check_digit(self, body: str) -> str:
        return luhn_digit(body) if self.check == "luhn" else weighted_digit(body)

    def example_body_length(self) -> int:
        return self.length - len(self.prefix) - (0 if self.check == "area" else 1)

    def build(self, digits: str) -> str:
        """A valid account number from body digits (the sandbox generates its accounts so)."""
        body = (self.prefix + digits)[: self.length - (0 if self.check == "area" else 1)]
        return body if self.check == "area" else body + self.check_digit(body)


def account_normalize(raw: str, fmt: AccountFormat) -> str:
    """The account number as the biller knows it, or MalformedAccountError: spaces and dashes
    dropped, then the length, the prefix and the check digit checked."""
    account = "".join(ch for ch in (raw or "")[:64] if ch not in " -")
    reason = ""
    if not account.isascii() or not account.isdigit():
        reason = "digits"
    elif len(account) != fmt.length:
        reason = "length"
    elif not account.startswith(fmt.prefix):
        reason = "prefix"
    elif fmt.check != "area" and fmt.check_digit(account[:-1]) != account[-1]:
        reason = "check_digit"
    if reason:
        raise MalformedAccountError(
            f"this is not an account number of this biller ({reason})",
            reason=reason,
            length=fmt.length,
            prefix=fmt.prefix,
        )
    return account


def mask_name(name: str) -> str:
    """The account holder as the counter may show it: 张*明, 李*, *."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def amount_check(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_BILL:
        raise ValidationError(f"an amount is 1..{MAX_BILL} fen", code="invalid_amount", amount=str(amount))
    return amount


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_month(day: date) -> str:
    return month_of(date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1))


# --- rebates (梯度返利) ----------------------------------------------------------------------


@dataclass(frozen=True)
class RebateTier:
    """From ``threshold`` (bills, or fen, paid this month so far) every bill earns
    ``per_bill`` fen plus ``rate`` of its amount."""

    threshold: int
    per_bill: int = 0
    rate: Decimal = Decimal(0)


@dataclass(frozen=True)
class RebateSchedule:
    basis: str  # "count" or "amount": what the month's volume is measured in
    tiers: tuple[RebateTier, ...]  # by threshold, the first at 0

    def __post_init__(self) -> None:
        if self.basis not in ("count", "amount"):
            raise ValueError("a schedule's basis is count or amount")
        thresholds = [t.threshold for t in self.tiers]
        if not thresholds or thresholds[0] != 0 or thresholds != sorted(set(thresholds)):
            raise ValueError("tiers start at 0 and rise")

    def tier_index(self, volume: int) -> int:
        """The tier a month's volume so far stands in."""
        return max(i for i, t in enumerate(self.tiers) if t.threshold <= volume)

    def as_json(self) -> dict[str, object]:
        return {
            "basis": self.basis,
            "tiers": [[t.threshold, t.per_bill, str(t.rate)] for t in self.tiers],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> "RebateSchedule":
        tiers = data["tiers"]
        assert isinstance(tiers, list)
        return cls(
            basis=str(data["basis"]),
            tiers=tuple(RebateTier(int(a), int(b), Decimal(str(c))) for a, b, c in tiers),
        )


DEFAULT_SCHEDULE = RebateSchedule(
    basis="count",
    tiers=(
        RebateTier(0, per_bill=20),  # ¥0.20 a bill
        RebateTier(500, per_bill=30),
        RebateTier(2000, per_bill=40),
        RebateTier(5000, per_bill=50),
    ),
)


def schedule_parse(basis: str, text: str) -> RebateSchedule:
    """A schedule as the console takes it: ``threshold:fen-per-bill[:rate]`` tiers, comma
    separated ("0:20, 500:30, 2000:40:0.001"); refused whole when any part is wrong."""
    try:
        tiers = []
        for part in (text or "").replace("，", ",").split(","):
            bits = [b.strip() for b in part.split(":")]
            if len(bits) not in (2, 3) or not bits[0].isdigit() or not bits[1].isdigit():
                raise ValueError(part)
            tiers.append((int(bits[0]), int(bits[1]), Decimal(bits[2]) if len(bits) == 3 else Decimal(0)))
    except (ValueError, ArithmeticError) as exc:
        raise _bad_schedule() from exc
    return schedule_build(basis, tiers)


def _bad_schedule() -> ValidationError:
    return ValidationError(
        "a rebate schedule is tiers threshold:fen[:rate] from 0 up", code="invalid_schedule"
    )


MAX_PER_BILL = 10_00  # fen: no agent earns more than ten yuan a bill
MAX_RATE = Decimal("0.05")


def schedule_build(basis: str, tiers: list[tuple[int, int, Decimal]]) -> RebateSchedule:
    """A schedule from (threshold, fen per bill, rate) tiers, as the console and the API take
    it: thresholds from 0 up, at most ten yuan a bill and 5% of it; refused whole."""
    try:
        for threshold, per_bill, rate in tiers:
            if threshold < 0 or not 0 <= per_bill <= MAX_PER_BILL or not Decimal(0) <= rate <= MAX_RATE:
                raise ValueError(threshold)
        return RebateSchedule(basis=basis, tiers=tuple(RebateTier(t, p, r) for t, p, r in tiers))
    except (ValueError, ArithmeticError) as exc:
        raise _bad_schedule() from exc


def rebate_of(tier: RebateTier, amount: int) -> int:
    share = (Decimal(amount) * tier.rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return tier.per_bill + int(share)


def _volume(schedule: RebateSchedule, count: int, amount: int) -> int:
    return count if schedule.basis == "count" else amount


def rebate_accrue(schedule: RebateSchedule, *, count_before: int, amount_before: int, amount: int) -> int:
    """What one bill earns when it is paid: the rate of the tier the month stands in with this
    bill counted (so the bill that crosses a threshold earns the higher rate)."""
    volume = _volume(schedule, count_before + 1, amount_before + amount)
    return rebate_of(schedule.tiers[schedule.tier_index(volume)], amount)


def rebate_month(schedule: RebateSchedule, amounts: list[int]) -> int:
    """What a month's bills earn in all at month end: every bill at the tier the whole month
    reached (the rate rises with the volume, for every bill of the month)."""
    if not amounts:
        return 0
    tier = schedule.tiers[schedule.tier_index(_volume(schedule, len(amounts), sum(amounts)))]
    return sum(rebate_of(tier, a) for a in amounts)


def rebate_true_up(schedule: RebateSchedule, amounts: list[int], accrued: int) -> int:
    """The month-end correction: what the month earns less what was accrued as it went."""
    return rebate_month(schedule, amounts) - accrued


@dataclass(frozen=True)
class TierProgress:
    tier: int  # 0-based
    volume: int
    next_threshold: int | None  # None: the top tier
    to_next: int


def tier_progress(schedule: RebateSchedule, *, count: int, amount: int) -> TierProgress:
    volume = _volume(schedule, count, amount)
    i = schedule.tier_index(volume)
    nxt = schedule.tiers[i + 1].threshold if i + 1 < len(schedule.tiers) else None
    return TierProgress(i, volume, nxt, (nxt - volume) if nxt is not None else 0)


# --- star ratings (网点星级) -----------------------------------------------------------------

STAR_VOLUME = (0, 100, 500, 2000, 5000)  # bills in the month for 1..5 stars


def star_rating(*, bills: int, complaints: int) -> int:
    """An agent's stars for a month: by the bills it took, less one star when more than one
    bill in a hundred drew a complaint and two when more than three did; never below one."""
    stars = max(i + 1 for i, t in enumerate(STAR_VOLUME) if bills >= t)
    rate = complaints / bills if bills else (1.0 if complaints else 0.0)
    penalty = 2 if rate > 0.03 else 1 if rate > 0.01 else 0
    return max(1, stars - penalty)


# --- reconciliation with a biller's daily statement ------------------------------------------


@dataclass(frozen=True)
class BookedBill:
    """A bill as one side booked it: our paid payment, or a line of the biller's statement."""

    merchant_ref: str  # our payment number
    bill_ref: str
    amount: int


@dataclass(frozen=True)
class Difference:
    kind: str  # "missing_at_biller", "missing_here", "amount_differs"
    merchant_ref: str
    bill_ref: str
    ours: int | None  # fen, None when we have no such paid bill
    theirs: int | None  # fen, None when the biller's statement has no such line


def statement_match(ours: list[BookedBill], theirs: list[BookedBill]) -> list[Difference]:
    """Match our paid bills of a day with the biller's statement by our payment number: what
    one side booked and the other did not, and amounts that differ. Sorted by number."""
    mine = {b.merchant_ref: b for b in ours}
    billed = {b.merchant_ref: b for b in theirs}
    out = []
    for ref in sorted(mine.keys() | billed.keys()):
        a, b = mine.get(ref), billed.get(ref)
        if a is None and b is not None:
            out.append(Difference("missing_here", ref, b.bill_ref, None, b.amount))
        elif b is None and a is not None:
            out.append(Difference("missing_at_biller", ref, a.bill_ref, a.amount, None))
        elif a is not None and b is not None and (a.amount, a.bill_ref) != (b.amount, b.bill_ref):
            out.append(Difference("amount_differs", ref, a.bill_ref, a.amount, b.amount))
    return out
