"""The pure rules of settlement, without a database: periods, rates by category, the
deduction and its rounding, lines and totals, state moves, the ledger legs, payout keys."""

from datetime import date
from decimal import Decimal

import pytest

from omnipoint.core.errors import DomainError
from omnipoint.ledger.domain import AccountKind as K
from omnipoint.settlement import domain
from omnipoint.settlement.domain import Cycle, Leg, PartyKind, Sold, StatementState


def code_of(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as e:
        call()
    return e.value.code


@pytest.mark.parametrize(
    ("text", "cycle", "start", "end"),
    [
        ("2026-11", Cycle.MONTH, date(2026, 11, 1), date(2026, 12, 1)),
        ("2026-12", Cycle.MONTH, date(2026, 12, 1), date(2027, 1, 1)),
        ("2026-02-H1", Cycle.HALF_MONTH, date(2026, 2, 1), date(2026, 2, 16)),
        ("2026-02-H2", Cycle.HALF_MONTH, date(2026, 2, 16), date(2026, 3, 1)),
        ("2026-W01", Cycle.WEEK, date(2025, 12, 29), date(2026, 1, 5)),
        ("2026-W53", Cycle.WEEK, date(2026, 12, 28), date(2027, 1, 4)),
    ],
)
def test_periods_parse(text, cycle, start, end):
    p = domain.parse_period(text)
    assert (p.cycle, p.start, p.end) == (cycle, start, end)
    assert domain.period_of(p.start, cycle) == p == domain.period_of(p.last_day, cycle)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026",
        "2026-1",
        "2026-13",
        "2026-00",
        "11-2026",
        "2026/11",
        "2026-11-H3",
        "2025-W53",
        "２０２６-11",
        "1999-01",
    ],
)
def test_malformed_periods_are_422(text):
    assert code_of(lambda: domain.parse_period(text)) == "invalid_period"


def test_a_period_is_settled_once_it_is_over():
    nov = domain.parse_period("2026-11")
    domain.check_period_over(nov, today=date(2026, 12, 1))
    assert code_of(lambda: domain.check_period_over(nov, today=date(2026, 11, 30))) == "period_not_over"
    assert code_of(lambda: domain.check_period_over(nov, today=date(2026, 10, 31))) == "period_in_future"
    assert domain.previous_period(date(2026, 12, 7), Cycle.MONTH).code == "2026-11"
    assert domain.previous_period(date(2026, 12, 7), Cycle.HALF_MONTH).code == "2026-11-H2"
    assert domain.previous_period(date(2026, 12, 20), Cycle.HALF_MONTH).code == "2026-12-H1"
    assert domain.previous_period(date(2027, 1, 1), Cycle.WEEK).code == "2026-W52"


def test_cycles_agents_by_the_month():
    assert domain.cycle_of(PartyKind.AGENT, Cycle.WEEK, Cycle.WEEK) == Cycle.MONTH
    assert domain.cycle_of(PartyKind.SUPPLIER, "", Cycle.HALF_MONTH) == Cycle.HALF_MONTH
    assert domain.cycle_of(PartyKind.SUPPLIER, Cycle.WEEK, Cycle.MONTH) == Cycle.WEEK


def test_rates_most_specific_category_first_and_checked():
    rates = {3: Decimal("0.15"), 1: Decimal("0.3")}
    assert domain.rate_for((5, 3, 1), rates, Decimal("0.2")) == Decimal("0.15")
    assert domain.rate_for((4, 1), rates, Decimal("0.2")) == Decimal("0.3")
    assert domain.rate_for((4,), rates, Decimal("0.2")) == Decimal("0.2")
    assert domain.rate_check("0.185") == Decimal("0.185")
    for bad in ("1.01", "-0.1", "0.12345", "NaN", "x", True):
        assert code_of(lambda bad=bad: domain.rate_check(bad)) == "invalid_rate"


def test_the_deduction_rounds_half_up_to_the_fen_both_ways():
    assert domain.share(1005, Decimal("0.1")) == 101  # 100.5 fen
    assert domain.share(1004, Decimal("0.1")) == 100
    assert domain.share(-1005, Decimal("0.1")) == -101
    assert domain.share(0, Decimal("0.5")) == 0


def test_deduction_lines_and_totals():
    sold = [
        Sold(
            3,
            "空调",
            "AC",
            2,
            380_00,
            190_00,
        ),
        Sold(9, "线材", "Cable", 1, 10_00, 20_00),  # more came back than was sold: the party owes
    ]
    lines = domain.deduction_lines(sold, {3: (3, 1), 9: (9,)}, {1: Decimal("0.18")}, Decimal("0.2"))
    assert [(ln.net, ln.rate, ln.deduction, ln.payable) for ln in lines] == [
        (190_00, Decimal("0.18"), 34_20, 155_80),
        (-10_00, Decimal("0.2"), -2_00, -8_00),
    ]
    t = domain.totals(lines)
    assert (t.sales, t.returns, t.deduction, t.amount) == (390_00, 210_00, 32_20, 147_80)


def test_commission_and_rebate_lines():
    lines = domain.commission_lines([("N1", 19_00, 9_50), ("N2", 0, 1_00)])
    assert [ln.payable for ln in lines] == [9_50, -1_00]
    rebate = domain.rebate_lines(bills=3, amount=300_00, accrued=60, true_up=30, month="2026-11")
    assert [ln.payable for ln in rebate] == [60, 30] and rebate[0].count == 3
    assert len(domain.rebate_lines(bills=0, amount=0, accrued=0, true_up=0, month="2026-11")) == 1


def test_states_move_forward_only():
    domain.check_move(StatementState.DRAFT, StatementState.CONFIRMED)
    domain.check_move(StatementState.CONFIRMED, StatementState.PAID)
    assert (
        code_of(lambda: domain.check_move(StatementState.DRAFT, StatementState.PAID))
        == "statement_not_confirmed"
    )
    assert (
        code_of(lambda: domain.check_move(StatementState.CONFIRMED, StatementState.CONFIRMED))
        == "statement_not_draft"
    )
    for to in (StatementState.CONFIRMED, StatementState.PAID):
        assert code_of(lambda to=to: domain.check_move(StatementState.PAID, to)) == "statement_paid"


def test_ledger_legs():
    assert domain.accrual_leg(PartyKind.SUPPLIER, 100) == Leg(K.PARTY_SETTLEMENT, K.PARTY_PAYABLE, 100)
    assert domain.accrual_leg(PartyKind.FRANCHISE, -100) == Leg(K.PARTY_PAYABLE, K.PARTY_SETTLEMENT, 100)
    assert domain.accrual_leg(PartyKind.AGENT, 100) is None  # billpay booked the rebate already
    assert domain.accrual_leg(PartyKind.SUPPLIER, 0) is None
    assert domain.payout_leg(PartyKind.SALESPERSON, 50) == Leg(K.STAFF_COMMISSION, K.SETTLEMENT_PAID, 50)
    assert domain.payout_leg(PartyKind.AGENT, 50) == Leg(K.AGENT_REBATE, K.SETTLEMENT_PAID, 50)
    assert domain.payout_leg(PartyKind.SUPPLIER, -50) == Leg(K.SETTLEMENT_PAID, K.PARTY_PAYABLE, 50)
    assert domain.payout_leg(PartyKind.SUPPLIER, 0) is None


def test_payout_keys():
    assert domain.pay_key_check("pay-2026-11:7.a_b") == "pay-2026-11:7.a_b"
    for bad in ("", "a b", "x" * 65, "键", 7, None):
        assert code_of(lambda bad=bad: domain.pay_key_check(bad)) == "invalid_key"
