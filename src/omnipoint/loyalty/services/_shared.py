"""What the loyalty services share: the accounts points and stored value live in.

Every balance change is a ledger posting (idempotent by key, guarded against overdraft);
points lots are decremented by guarded UPDATEs in expiry order. The accounts, by kind
(``ledger.domain.AccountKind``):

  MEMBER_POINTS                  PTS  the member's points (never below zero)
  MEMBER_WALLET_PRINCIPAL        CNY  money the member paid in (never below zero)
  MEMBER_WALLET_BONUS            CNY  bonus the platform added (never below zero)
  POINTS_ISSUED / _REDEEMED / _EXPIRED / _CLAWED_BACK
  WALLET_CASH_IN / _BONUS_EXPENSE / _SPENT
"""

from omnipoint.core.errors import NotFoundError
from omnipoint.ledger.domain import AccountKind, account_code
from omnipoint.ledger.models import Account
from omnipoint.ledger.services import (
    account_for,
)
from omnipoint.members.models import Member
from omnipoint.outlets.domain import SYSTEM

ISSUED, REDEEMED, EXPIRED, CLAWED = (
    account_code(AccountKind.POINTS_ISSUED),
    account_code(AccountKind.POINTS_REDEEMED),
    account_code(AccountKind.POINTS_EXPIRED),
    account_code(AccountKind.POINTS_CLAWED_BACK),
)
CASH_IN, BONUS_EXPENSE, SPENT = (
    account_code(AccountKind.WALLET_CASH_IN),
    account_code(AccountKind.WALLET_BONUS_EXPENSE),
    account_code(AccountKind.WALLET_SPENT),
)
POINTS_PLATFORM = (
    AccountKind.POINTS_ISSUED,
    AccountKind.POINTS_REDEEMED,
    AccountKind.POINTS_EXPIRED,
    AccountKind.POINTS_CLAWED_BACK,
)
WALLET_PLATFORM = (AccountKind.WALLET_CASH_IN, AccountKind.WALLET_BONUS_EXPENSE, AccountKind.WALLET_SPENT)
MAX_TOPUP = 50_000_00  # fen: a single top-up above 50,000 yuan needs a bank, not a counter


def _member(member_id: int) -> Member:
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        raise NotFoundError(f"member {member_id} not found", code="member_not_found")
    return member


def _points_account(member: Member) -> Account:
    for kind in POINTS_PLATFORM:
        account_for(actor=SYSTEM, kind=kind, name=account_code(kind))
    return account_for(
        actor=SYSTEM, kind=AccountKind.MEMBER_POINTS, owner_id=member.pk, name=f"points of {member.mobile}"
    )


def _wallet_accounts(member: Member) -> tuple[Account, Account]:
    for kind in WALLET_PLATFORM:
        account_for(actor=SYSTEM, kind=kind, name=account_code(kind))
    principal = account_for(
        actor=SYSTEM,
        kind=AccountKind.MEMBER_WALLET_PRINCIPAL,
        owner_id=member.pk,
        name=f"wallet principal of {member.mobile}",
    )
    bonus = account_for(
        actor=SYSTEM,
        kind=AccountKind.MEMBER_WALLET_BONUS,
        owner_id=member.pk,
        name=f"wallet bonus of {member.mobile}",
    )
    return principal, bonus
