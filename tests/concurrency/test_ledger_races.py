"""The ledger under real concurrency: one balance spent by many at once, and one posting id
retried by many at once. Exact outcomes, balanced books, nothing below zero."""

import pytest

from omnipoint.ledger.checks import ledger_breaches
from omnipoint.ledger.models import Account, Posting
from omnipoint.ledger.services import InsufficientBalanceError, PostingRequest, account_open, postings_create
from omnipoint.outlets.domain import SYSTEM

from .threads import raised, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def _wallet(balance: int) -> None:
    account_open(actor=SYSTEM, code="platform:cash", unit="CNY")
    account_open(actor=SYSTEM, code="platform:sales", unit="CNY")
    account_open(actor=SYSTEM, code="wallet", unit="CNY", no_overdraft=True)
    postings_create([PostingRequest("topup", "platform:cash", "wallet", balance, "topup")], actor=SYSTEM)


def test_one_balance_spent_by_many_checkouts_at_once(transactional_db: None) -> None:
    _wallet(10_00)  # enough for exactly 10 spends of 1 yuan

    def spend(i: int) -> object:
        return postings_create(
            [PostingRequest(f"spend:{i}", "wallet", "platform:sales", 1_00, "spend")], actor=SYSTEM
        )

    results = run_together([lambda i=i: spend(i) for i in range(30)])
    errors = raised(results)
    assert all(isinstance(e, InsufficientBalanceError) for e in errors), errors
    assert len(results) - len(errors) == 10
    wallet = Account.objects.get(code="wallet")
    assert (wallet.balance, wallet.available) == (0, 0)
    assert ledger_breaches() == []


def test_same_posting_id_retried_at_once_posts_once(transactional_db: None) -> None:
    _wallet(100_00)

    def retry() -> object:
        return postings_create(
            [PostingRequest("order:7:wallet", "wallet", "platform:sales", 30_00, "spend")], actor=SYSTEM
        )[0].pk

    results = run_together([retry for _ in range(12)])
    assert not raised(results), raised(results)
    assert len(set(results)) == 1 and Posting.objects.filter(key="order:7:wallet").count() == 1
    assert Account.objects.get(code="wallet").balance == 70_00
    assert ledger_breaches() == []


def test_holds_and_spends_race_without_overdraft(transactional_db: None) -> None:
    _wallet(5_00)

    def hold(i: int) -> object:
        return postings_create(
            [
                PostingRequest(
                    f"hold:{i}", "wallet", "platform:sales", 1_00, "spend", pending=True, timeout_seconds=600
                )
            ],
            actor=SYSTEM,
        )

    def spend(i: int) -> object:
        return postings_create(
            [PostingRequest(f"spend:{i}", "wallet", "platform:sales", 1_00, "spend")], actor=SYSTEM
        )

    results = run_together([lambda i=i: hold(i) for i in range(8)] + [lambda i=i: spend(i) for i in range(8)])
    assert len(results) - len(raised(results)) == 5
    wallet = Account.objects.get(code="wallet")
    assert wallet.available == 0 and wallet.debits_posted + wallet.debits_pending == 5_00
    assert ledger_breaches() == []
