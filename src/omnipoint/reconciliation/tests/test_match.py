"""Reconciliation finds every difference injected into a statement the sandbox gateway wrote, and
nothing else: every combination of the injections, on one day of real payments."""

import itertools
from collections.abc import Callable

import pytest

from omnipoint.payments.domain import fee_for, yuan
from omnipoint.payments.models import Payment
from omnipoint.payments.sandbox import statement_build
from omnipoint.reconciliation import services
from omnipoint.reconciliation.domain import DiffKind
from omnipoint.reconciliation.models import Difference, ReconRun, StatementLine

from .world import Day, Rows, day_build, read, write

pytestmark = pytest.mark.django_db

Found = set[tuple[str, str]]


def _row(rows: Rows, payment: Payment, state: str = "SUCCESS") -> list[str]:
    return next(r for r in rows if r[2] == payment.number and r[4] == state)


def _missing(w: Day, rows: Rows) -> Found:
    rows.remove(_row(rows, w.paid[1]))
    return {(DiffKind.MISSING_AT_PROVIDER, w.paid[1].number)}


def _amount(w: Day, rows: Rows) -> Found:
    r = _row(rows, w.paid[2])
    amount = w.paid[2].amount + 1_00
    r[5], r[10] = yuan(amount), yuan(fee_for(amount))
    return {(DiffKind.AMOUNT, w.paid[2].number)}


def _refund_amount(w: Day, rows: Rows) -> Found:
    r = _row(rows, w.paid[0], "REFUND")
    r[8], r[10] = "0.50", yuan(-fee_for(50))
    return {(DiffKind.REFUND, w.paid[0].number)}


def _refund_absent(w: Day, rows: Rows) -> Found:
    rows.remove(_row(rows, w.paid[1], "REFUND"))
    return {(DiffKind.REFUND, w.paid[1].number)}


def _unknown(w: Day, rows: Rows) -> Found:
    rows.append([*rows[0][:1], "SBXnobodyknows", "PUNKNOWN0001", *rows[0][3:]])
    rows[-1][4:10] = ["SUCCESS", "9.99", "0", "0", "0.00", ""]
    rows[-1][10] = yuan(fee_for(999))
    return {(DiffKind.UNKNOWN_HERE, "PUNKNOWN0001")}


def _fee(w: Day, rows: Rows) -> Found:
    r = _row(rows, w.paid[3])
    r[10] = yuan(int(r[10].replace(".", "")) + 1)
    return {(DiffKind.FEE, w.paid[3].number)}


INJECTIONS: list[Callable[[Day, Rows], Found]] = [
    _missing,
    _amount,
    _refund_amount,
    _refund_absent,
    _unknown,
    _fee,
]


def _found(run: ReconRun) -> Found:
    return set(Difference.objects.filter(run=run).values_list("kind", "merchant_ref"))


def test_every_injected_difference_is_found_and_nothing_else():
    w = day_build(paid=4, lost=1, refunds=2)
    clean = statement_build(day=w.day)
    lost = {(DiffKind.LOST_NOTIFICATION, p.number) for p in w.lost}
    for n in range(len(INJECTIONS) + 1):
        for chosen in itertools.combinations(INJECTIONS, n):
            rows = read(clean)
            expected = set(lost)
            for inject in chosen:
                expected |= inject(w, rows)
            result = services.statement_import(actor=w.hq, day=w.day, content=write(rows))
            assert _found(result.run) == expected, [f.__name__ for f in chosen]
            lines_with_differences = Difference.objects.filter(run=result.run, line__isnull=False).count()
            assert result.run.matched == result.run.lines - lines_with_differences
            Difference.objects.all().delete()
            StatementLine.objects.all().delete()
            ReconRun.objects.all().delete()


def test_the_sandbox_statement_is_the_gateways_own_view():
    w = day_build(paid=2, lost=1, refunds=1)
    Payment.objects.filter(pk=w.paid[0].pk).update(amount=w.paid[0].amount + 5)  # our rows drift
    rows = read(statement_build(day=w.day))
    assert len(rows) == 4  # 3 charges paid at the gateway, 1 refund
    assert _row(rows, w.paid[0])[5] == yuan(w.paid[0].amount)  # what the gateway charged
    assert _row(rows, w.paid[0], "REFUND")[8] == "1.00"
