import importlib
from dataclasses import replace

import pytest
from django.apps import apps as django_apps

from omnipoint.core.errors import InvalidStateError, NotFoundError, PermissionDeniedError, ValidationError
from omnipoint.ledger.checks import ledger_breaches
from omnipoint.ledger.domain import AccountKind, Unit, account_code
from omnipoint.ledger.models import Account, Posting
from omnipoint.ledger.selectors import account_get, balances, refunded_amount
from omnipoint.ledger.services import (
    InsufficientBalanceError,
    PostingKeyReusedError,
    PostingRequest,
    account_for,
    account_open,
    pendings_expire,
    posting_post_pending,
    posting_void_pending,
    postings_create,
)
from omnipoint.members.models import Member
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def books():
    account_open(actor=SYSTEM, code="platform:cash", unit="CNY")
    account_open(actor=SYSTEM, code="platform:bonus", unit="CNY")
    account_open(actor=SYSTEM, code="platform:sales", unit="CNY")
    account_open(actor=SYSTEM, code="w:principal", unit="CNY", no_overdraft=True)
    account_open(actor=SYSTEM, code="w:bonus", unit="CNY", no_overdraft=True)
    account_open(actor=SYSTEM, code="pts", unit="PTS", no_overdraft=True)


def acct(code):
    return Account.objects.get(code=code)


def topup(key="t1", amount=100_00, bonus=10_00):
    return postings_create(
        [
            PostingRequest(f"{key}:p", "platform:cash", "w:principal", amount, "topup"),
            PostingRequest(f"{key}:b", "platform:bonus", "w:bonus", bonus, "bonus"),
        ],
        actor=SYSTEM,
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
            actor=SYSTEM,
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
        ],
        actor=SYSTEM,
    )
    assert acct("w:principal").available == 20_00
    with pytest.raises(InsufficientBalanceError):
        postings_create([PostingRequest("h2", "w:principal", "platform:sales", 30_00, "spend")], actor=SYSTEM)
    posting_post_pending(actor=SYSTEM, pending_key="h1", key="h1:post", amount=60_00)
    a = acct("w:principal")
    assert (a.balance, a.available, a.debits_pending) == (40_00, 40_00, 0)
    assert (
        posting_post_pending(actor=SYSTEM, pending_key="h1", key="h1:post", amount=60_00).key == "h1:post"
    )  # replay
    with pytest.raises(InvalidStateError):
        posting_void_pending(actor=SYSTEM, pending_key="h1", key="h1:void")
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
        ],
        actor=SYSTEM,
    )
    assert pendings_expire(actor=SYSTEM, now=timezone.now() + timedelta(seconds=5)) == 1
    assert acct("w:principal").available == 100_00
    with pytest.raises(InvalidStateError):
        posting_post_pending(actor=SYSTEM, pending_key="h9", key="h9:post")
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
        postings_create([req], actor=SYSTEM)
    assert all(a.debits_posted == a.credits_posted == 0 for a in Account.objects.all())
    assert ledger_breaches() == []


def test_accounts_are_named_by_kind_and_owner_and_their_code_is_derived():
    m = Member.objects.create(mobile="13800000007", card_code="M7").pk
    wallet = account_for(actor=SYSTEM, kind=AccountKind.MEMBER_WALLET_BONUS, owner_id=m)
    assert (wallet.code, wallet.kind, wallet.owner_id, wallet.member_id, wallet.unit) == (
        f"member:{m}:wallet:bonus",
        AccountKind.MEMBER_WALLET_BONUS,
        m,
        m,
        Unit.CNY,
    )
    assert wallet.debits_must_not_exceed_credits  # what the platform owes a member
    assert account_for(actor=SYSTEM, kind=AccountKind.MEMBER_WALLET_BONUS, owner_id=m).pk == wallet.pk
    issued = account_for(actor=SYSTEM, kind=AccountKind.POINTS_ISSUED)
    assert (issued.code, issued.unit, issued.debits_must_not_exceed_credits) == (
        "platform:points:issued",
        Unit.POINTS,
        False,
    )
    assert account_get(kind=AccountKind.MEMBER_WALLET_BONUS, owner_id=m) == wallet
    assert account_get(kind=AccountKind.MEMBER_WALLET_BONUS, owner_id=m + 1) is None
    with pytest.raises(ValueError, match="needs owner"):
        account_code(AccountKind.MEMBER_POINTS)
    with pytest.raises(ValueError, match="has no owner"):
        account_code(AccountKind.WALLET_SPENT, 3)


def test_only_the_platform_posts(books, network):
    clerk = actor_get(user=user_of("outlet_clerk"))
    with pytest.raises(PermissionDeniedError) as refused:
        postings_create([PostingRequest("x", "platform:cash", "w:principal", 5, "topup")], actor=clerk)
    assert refused.value.code == "forbidden"
    with pytest.raises(PermissionDeniedError):
        account_for(actor=clerk, kind=AccountKind.POINTS_ISSUED)
    assert not Posting.objects.exists()


def test_a_refund_is_linked_to_the_posting_it_gives_back(books):
    topup()
    postings_create([PostingRequest("s1", "w:principal", "platform:sales", 30_00, "spend")], actor=SYSTEM)
    refund = PostingRequest(
        "r1", "platform:sales", "w:principal", 10_00, "refund", "refund-of:s1", refund_of="s1"
    )
    (row,) = postings_create([refund], actor=SYSTEM)
    assert row.refund_of.key == "s1" and refunded_amount(keys=["s1"]) == 10_00
    with pytest.raises(NotFoundError):
        postings_create([replace(refund, key="r2", refund_of="nothing")], actor=SYSTEM)
    assert balances(kinds=[], owner_id=None) == {}
    assert ledger_breaches() == []


def test_the_migration_names_old_accounts_and_links_old_refunds(books):
    migration = importlib.import_module("omnipoint.ledger.migrations.0002_account_kind")
    for code in (
        "member:12:points",
        "member:12:wallet:principal",
        "platform:wallet:spent",
        "staff:3:commission",
    ):
        account_open(actor=SYSTEM, code=code, unit=Unit.POINTS if code.endswith("points") else Unit.CNY)
    topup()
    postings_create(
        [PostingRequest("pay:1:principal", "w:principal", "platform:sales", 30_00, "spend")], actor=SYSTEM
    )
    postings_create(
        [PostingRequest("r:1:principal", "platform:sales", "w:principal", 5_00, "refund", "refund-of:pay:1")],
        actor=SYSTEM,
    )
    migration.name_accounts_and_link_refunds(django_apps, None)
    named = dict(Account.objects.values_list("code", "kind"))
    assert named["member:12:points"] == AccountKind.MEMBER_POINTS
    assert named["member:12:wallet:principal"] == AccountKind.MEMBER_WALLET_PRINCIPAL
    assert named["platform:wallet:spent"] == AccountKind.WALLET_SPENT
    assert named["staff:3:commission"] == AccountKind.STAFF_COMMISSION
    assert named["w:principal"] == AccountKind.OTHER
    assert Account.objects.get(code="member:12:points").owner_id == 12
    assert Posting.objects.get(key="r:1:principal").refund_of.key == "pay:1:principal"
    assert refunded_amount(keys=["pay:1:principal"]) == 5_00
