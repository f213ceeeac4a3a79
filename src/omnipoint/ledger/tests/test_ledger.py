import pytest

from omnipoint.core.errors import InvalidStateError, NotFoundError, ValidationError
from omnipoint.ledger.checks import ledger_breaches
from omnipoint.ledger.models import Account
from omnipoint.ledger.services import (
    InsufficientBalanceError,
    PostingKeyReusedError,
    PostingRequest,
    account_open,
    pendings_expire,
    posting_post_pending,
    posting_void_pending,
    postings_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def books():
    account_open(code="platform:cash", unit="CNY")
    account_open(code="platform:bonus", unit="CNY")
    account_open(code="platform:sales", unit="CNY")
    account_open(code="w:principal", unit="CNY", no_overdraft=True)
    account_open(code="w:bonus", unit="CNY", no_overdraft=True)
    account_open(code="pts", unit="PTS", no_overdraft=True)


def acct(code):
    return Account.objects.get(code=code)


def topup(key="t1", amount=100_00, bonus=10_00):
    return postings_create(
        [
            PostingRequest(f"{key}:p", "platform:cash", "w:principal", amount, "topup"),
            PostingRequest(f"{key}:b", "platform:bonus", "w:bonus", bonus, "bonus"),
        ],
        group=key,
    )


def test_linked_topup_balances_and_replays(books):
    first = topup()
    assert acct("w:principal").balance == 100_00 and acct("w:bonus").balance == 10_00
    again = topup()
    assert [p.pk for p in again] == [p.pk for p in first] and acct("w:principal").balance == 100_00
    with pytest.raises(PostingKeyReusedError):
        topup(amount=200_00)
    assert ledger_breaches() == []


def test_linked_postings_fail_together(books):
    topup()
    with pytest.raises(InsufficientBalanceError):
        postings_create(
            [
                PostingRequest("s1", "w:principal", "platform:sales", 50_00, "spend"),
                PostingRequest("s2", "w:bonus", "platform:sales", 11_00, "spend"),
            ],
            group="order:1",
        )
    assert acct("w:principal").balance == 100_00 and acct("w:bonus").balance == 10_00
    assert ledger_breaches() == []


def test_pending_hold_counts_against_available_then_posts_part(books):
    topup()
    postings_create(
        [
            PostingRequest(
                "h1", "w:principal", "platform:sales", 80_00, "spend", pending=True, timeout_seconds=600
            )
        ]
    )
    assert acct("w:principal").available == 20_00
    with pytest.raises(InsufficientBalanceError):
        postings_create([PostingRequest("h2", "w:principal", "platform:sales", 30_00, "spend")])
    posting_post_pending(pending_key="h1", key="h1:post", amount=60_00)
    a = acct("w:principal")
    assert (a.balance, a.available, a.debits_pending) == (40_00, 40_00, 0)
    assert posting_post_pending(pending_key="h1", key="h1:post", amount=60_00).key == "h1:post"  # replay
    with pytest.raises(InvalidStateError):
        posting_void_pending(pending_key="h1", key="h1:void")
    assert ledger_breaches() == []


def test_expired_holds_are_voided_by_the_sweep(books):
    from datetime import timedelta

    from django.utils import timezone

    topup()
    postings_create(
        [
            PostingRequest(
                "h9", "w:principal", "platform:sales", 70_00, "spend", pending=True, timeout_seconds=1
            )
        ]
    )
    assert pendings_expire(now=timezone.now() + timedelta(seconds=5)) == 1
    assert acct("w:principal").available == 100_00
    with pytest.raises(InvalidStateError):
        posting_post_pending(pending_key="h9", key="h9:post")
    assert ledger_breaches() == []


@pytest.mark.parametrize(
    ("req", "error"),
    [
        (PostingRequest("x", "w:principal", "w:principal", 1, "spend"), ValidationError),
        (PostingRequest("x", "platform:cash", "w:principal", 0, "topup"), ValidationError),
        (PostingRequest("x", "platform:cash", "w:principal", -5, "topup"), ValidationError),
        (PostingRequest("x", "platform:cash", "nowhere", 5, "topup"), NotFoundError),
        (PostingRequest("x", "platform:cash", "pts", 5, "topup"), ValidationError),
        (PostingRequest("x", "w:principal", "platform:sales", 1, "spend"), InsufficientBalanceError),
    ],
)
def test_bad_postings_change_nothing(books, req, error):
    with pytest.raises(error):
        postings_create([req])
    assert all(a.debits_posted == a.credits_posted == 0 for a in Account.objects.all())
    assert ledger_breaches() == []
