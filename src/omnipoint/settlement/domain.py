"""Settlement rules with no ORM: the parties we settle with, the periods a statement covers,
what each kind of party is owed (or owes) for a period, a statement's states, and the ledger
legs that book and pay it.

A statement's amount is signed fen: above zero the network owes the party, below zero the party
owes the network (a supplier whose returns outweighed its sales).

- a concession supplier (联营, 流水倒扣): its goods' sales less returns, less the network's
  deduction at the rate of the goods' category (the most specific one named for the party),
  else the party's own rate;
- a franchise outlet: its sales of the network's goods (not a concession's) less returns, less
  the network's share at the same kind of rate;
- an agent outlet: the rebates its bills earned (billpay accrues them as bills are paid and
  trues the month up at its end: the statement adds up what billpay booked, never recomputes it);
- a salesperson: the commission accrued on the ledger less what returns took back.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from omnipoint.core.errors import ConflictError, ValidationError
from omnipoint.ledger.domain import AccountKind

MAX_RATE = Decimal(1)


class PartyKind(models.TextChoices):
    SUPPLIER = "supplier", _("Concession supplier")
    FRANCHISE = "franchise", _("Franchise outlet")
    AGENT = "agent", _("Agent outlet")
    SALESPERSON = "salesperson", _("Salesperson")


class Cycle(models.TextChoices):
    MONTH = "month", _("Monthly")
    HALF_MONTH = "half_month", _("Twice a month")
    WEEK = "week", _("Weekly")


class StatementState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    PAID = "paid", _("Paid")


# The only moves a statement makes, each by compare-and-set on its state.
TRANSITIONS: dict[str, str] = {
    StatementState.DRAFT: StatementState.CONFIRMED,
    StatementState.CONFIRMED: StatementState.PAID,
}

# The kinds whose rate is a deduction (the network's share of what they sold).
RATED = (PartyKind.SUPPLIER, PartyKind.FRANCHISE)


# --- periods --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A half-open range of business days ``start`` .. ``end`` (exclusive), named by ``code``:
    ``2026-11`` (a month), ``2026-11-H1`` / ``2026-11-H2`` (its halves: 1st-15th, 16th-end),
    ``2026-W47`` (an ISO week)."""

    code: str
    cycle: str
    start: date
    end: date

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def month(self) -> str | None:
        """The month, for a monthly period (agents' rebates are trued up by month)."""
        return self.code if self.cycle == Cycle.MONTH else None


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _invalid(text: str) -> ValidationError:
    return ValidationError(
        "a period is YYYY-MM, YYYY-MM-H1 or -H2, or YYYY-Www", code="invalid_period", period=text[:20]
    )


def parse_period(text: str) -> Period:
    """The period a code names, or 422 ``invalid_period``."""
    t = (text or "").strip()
    if not t.isascii() or len(t) > 10 or len(t) < 7 or not t[:4].isdigit() or t[4] != "-":
        raise _invalid(t)
    year = int(t[:4])
    try:
        if t[5] == "W" and len(t) == 8 and t[6:].isdigit():
            start = date.fromisocalendar(year, int(t[6:]), 1)
            return Period(t, Cycle.WEEK, start, start + timedelta(days=7))
        if t[5:7].isdigit() and year >= 2000:
            first = date(year, int(t[5:7]), 1)
            if len(t) == 7:
                return Period(t, Cycle.MONTH, first, _next_month(first))
            if t[7:] == "-H1":
                return Period(t, Cycle.HALF_MONTH, first, first.replace(day=16))
            if t[7:] == "-H2":
                return Period(t, Cycle.HALF_MONTH, first.replace(day=16), _next_month(first))
    except ValueError:
        pass
    raise _invalid(t)


def period_of(day: date, cycle: str) -> Period:
    """The period of a cycle that holds a day."""
    if cycle == Cycle.WEEK:
        iso = day.isocalendar()
        return parse_period(f"{iso.year:04d}-W{iso.week:02d}")
    month = f"{day.year:04d}-{day.month:02d}"
    if cycle == Cycle.HALF_MONTH:
        return parse_period(f"{month}-H{1 if day.day <= 15 else 2}")
    return parse_period(month)


def previous_period(today: date, cycle: str) -> Period:
    """The last period of a cycle that is over by ``today``."""
    return period_of(period_of(today, cycle).start - timedelta(days=1), cycle)


def check_period_over(period: Period, *, today: date) -> None:
    """A statement covers a period that is over: one not begun is 422 ``period_in_future``, the
    one under way 409 ``period_not_over``."""
    if period.start > today:
        raise ValidationError(f"{period.code} has not begun", code="period_in_future", period=period.code)
    if period.end > today:
        raise ConflictError(
            f"{period.code} is not over until {period.last_day.isoformat()}",
            code="period_not_over",
            period=period.code,
            last_day=period.last_day.isoformat(),
        )


def cycle_of(kind: str, cycle: str, network: str) -> str:
    """The cycle a party is settled on: its own, else the network's; an agent's is the month,
    since its rebates are trued up by month."""
    if kind == PartyKind.AGENT:
        return Cycle.MONTH
    return cycle or network


# --- rates and lines ------------------------------------------------------------------------


def rate_check(value: object) -> Decimal:
    """A rate from 0 to 1 (0.18 is 18 %), four decimals at most: else 422 ``invalid_rate``."""
    try:
        rate = Decimal(str(value).strip())
    except ArithmeticError:
        rate = Decimal(-1)
    if (
        isinstance(value, bool)
        or not rate.is_finite()
        or not Decimal(0) <= rate <= MAX_RATE
        or rate != rate.quantize(Decimal("0.0001"))
    ):
        raise ValidationError("a rate is 0 .. 1 with four decimals at most", code="invalid_rate")
    return rate


def rate_for(chain: Iterable[int], rates: dict[int, Decimal], default: Decimal) -> Decimal:
    """The rate of the most specific category in ``chain`` (a category, then its parents) that
    has one, else the party's own."""
    for category_id in chain:
        if category_id in rates:
            return rates[category_id]
    return default


def share(amount: int, rate: Decimal) -> int:
    """``rate`` of ``amount`` fen, half up to the fen (negative amounts symmetrically)."""
    value = (Decimal(abs(amount)) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(value) if amount >= 0 else -int(value)


@dataclass(frozen=True)
class Sold:
    """A category's goods in a period: what was sold (lines and fen) and what came back."""

    category_id: int | None
    item: str
    item_en: str
    count: int
    sales: int
    returns: int
    corrects: str = ""  # an earlier period whose goods came back in this one (an adjustment)


@dataclass(frozen=True)
class Line:
    """One line of a statement. For rated parties ``payable = net - deduction``; for agents
    and salespeople ``payable`` is what the ledger booked to them."""

    item: str
    item_en: str
    count: int
    sales: int
    returns: int
    net: int
    rate: Decimal | None
    deduction: int
    payable: int
    corrects: str = ""  # an adjustment: the earlier period it corrects


def adjustment_names(item: str, item_en: str, corrects: str) -> tuple[str, str]:
    """How an adjustment line is named: its category and the period it corrects."""
    return f"{item}（更正 {corrects}）", f"{item_en} (corrects {corrects})"


def deduction_lines(
    sold: Iterable[Sold], chains: dict[int, tuple[int, ...]], rates: dict[int, Decimal], default: Decimal
) -> list[Line]:
    """A concession supplier's or a franchisee's lines: each category's net sales less the
    network's deduction at the category's rate. An adjustment (goods of an earlier period back
    in this one) gives back the deduction taken on them, at the category's rate."""
    out = []
    for s in sold:
        chain = chains.get(s.category_id, ()) if s.category_id is not None else ()
        rate = rate_for(chain, rates, default)
        net = s.sales - s.returns
        deduction = share(net, rate)
        item, item_en = adjustment_names(s.item, s.item_en, s.corrects) if s.corrects else (s.item, s.item_en)
        out.append(
            Line(
                item, item_en, s.count, s.sales, s.returns, net, rate, deduction, net - deduction, s.corrects
            )
        )
    return out


def commission_lines(accruals: Iterable[tuple[str, int, int]]) -> list[Line]:
    """A salesperson's lines, one per order: (order number, accrued, taken back by returns)."""
    return [
        Line(ref, ref, 1, accrued, back, accrued - back, None, 0, accrued - back)
        for ref, accrued, back in accruals
    ]


def rebate_lines(*, bills: int, amount: int, accrued: int, true_up: int, month: str) -> list[Line]:
    """An agent's month: its paid bills and the rebate accrued on them, then the month-end
    true-up billpay booked (none before it ran, or when the month needed none)."""
    lines = [Line("代缴费返利", "Bill payment rebates", bills, amount, 0, amount, None, 0, accrued)]
    if true_up:
        lines.append(
            Line(f"{month} 月末梯度调整", f"{month} month-end tier true-up", 0, 0, 0, 0, None, 0, true_up)
        )
    return lines


@dataclass(frozen=True)
class Totals:
    sales: int
    returns: int
    deduction: int
    amount: int


def totals(lines: Iterable[Line]) -> Totals:
    ls = list(lines)
    return Totals(
        sum(ln.sales for ln in ls),
        sum(ln.returns for ln in ls),
        sum(ln.deduction for ln in ls),
        sum(ln.payable for ln in ls),
    )


# --- states and ledger legs -----------------------------------------------------------------


def check_move(state: str, to: str) -> None:
    """Whether a statement in ``state`` may become ``to``: else 409 with a code saying why."""
    if TRANSITIONS.get(state) == to:
        return
    if state == StatementState.PAID:
        raise ConflictError("the statement is already paid", code="statement_paid", state=state)
    if to == StatementState.CONFIRMED:
        raise ConflictError("the statement is already confirmed", code="statement_not_draft", state=state)
    raise ConflictError("confirm the statement before paying it", code="statement_not_confirmed", state=state)


PARTY_ACCOUNT: dict[str, AccountKind] = {  # whose account a statement settles
    PartyKind.SUPPLIER: AccountKind.PARTY_PAYABLE,
    PartyKind.FRANCHISE: AccountKind.PARTY_PAYABLE,
    PartyKind.AGENT: AccountKind.AGENT_REBATE,
    PartyKind.SALESPERSON: AccountKind.STAFF_COMMISSION,
}


@dataclass(frozen=True)
class Leg:
    debit: AccountKind
    credit: AccountKind
    amount: int  # > 0


def accrual_leg(kind: str, amount: int) -> Leg | None:
    """What confirming a statement books: for a supplier or a franchisee, the amount owed to
    (or by) the party; agents' rebates and salespeople's commissions are on the ledger already."""
    if kind not in RATED or amount == 0:
        return None
    cost, payable = AccountKind.PARTY_SETTLEMENT, AccountKind.PARTY_PAYABLE
    return Leg(cost, payable, amount) if amount > 0 else Leg(payable, cost, -amount)


def payout_leg(kind: str, amount: int) -> Leg | None:
    """What paying a statement books: the party's account down by what was paid out (or up by
    what the party paid in), against the payouts account."""
    if amount == 0:
        return None
    party, paid = PARTY_ACCOUNT[kind], AccountKind.SETTLEMENT_PAID
    return Leg(party, paid, amount) if amount > 0 else Leg(paid, party, -amount)


def pay_key_check(key: object) -> str:
    """A client's payout key: 1..64 of letters, digits and ``-_:.``, else 422 ``invalid_key``."""
    ok = isinstance(key, str) and 0 < len(key) <= 64 and key.isascii()
    if not ok or not all(ch.isalnum() or ch in "-_:." for ch in str(key)):
        raise ValidationError("a payout key is 1..64 letters, digits or -_:.", code="invalid_key")
    return str(key)
