"""Settlement under racing requests (real threads, PostgreSQL): four generations of one period
at once leave one statement per party, equal to one generation's; four payouts of one statement
at once (two with the same key) pay it once; the ledger is clean afterwards."""

import pytest

from omnipoint.core.errors import ConflictError
from omnipoint.ledger.checks import ledger_breaches
from omnipoint.ledger.domain import AccountKind
from omnipoint.ledger.models import Posting
from omnipoint.ledger.selectors import posted_balance
from omnipoint.outlets.domain import SystemActor
from omnipoint.settlement import services
from omnipoint.settlement.models import SettlementLine, Statement
from omnipoint.settlement.tests.world import build_month

from .threads import raised, run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def test_racing_generations_leave_one_statement_and_racing_payouts_pay_once(regions, settings):
    month = build_month(settings)
    period = month.period.code
    results = run_together(
        [
            lambda i=i: services.statements_generate(actor=SystemActor(task=f"gen-{i}"), period=period)
            for i in range(4)
        ]
    )
    assert not raised(results), raised(results)
    # each party's statement is created by exactly one of the runs (not always the same run)
    assert sum(r.count("created") for r in results) == 4
    for party_id in results[0].outcomes:
        assert [r.outcomes[party_id] for r in results].count("created") == 1
    assert Statement.objects.count() == 4
    positions = list(SettlementLine.objects.values_list("statement_id", "position"))
    assert len(positions) == len(set(positions))

    supplier = Statement.objects.get(party=month.supplier)
    services.statement_confirm(actor=SystemActor(task="finance"), statement_id=supplier.pk)
    keys = ["pay-a", "pay-a", "pay-b", "pay-c"]
    paid = run_together(
        [
            lambda k=k: services.statement_pay(
                actor=SystemActor(task="finance"), statement_id=supplier.pk, key=k
            )
            for k in keys
        ]
    )
    errors = raised(paid)
    assert all(isinstance(e, ConflictError) and e.code == "statement_paid" for e in errors), errors
    supplier.refresh_from_db()
    won = [r for r in paid if not isinstance(r, BaseException)]
    assert sum(r.created for r in won) == 1 and all(r.statement.pay_key == supplier.pay_key for r in won)
    assert Posting.objects.filter(code="settlement_payout").count() == 1
    assert posted_balance(kind=AccountKind.SETTLEMENT_PAID) == supplier.amount > 0
    assert posted_balance(kind=AccountKind.PARTY_PAYABLE, owner_id=month.supplier.pk) == 0
    assert ledger_breaches() == []
