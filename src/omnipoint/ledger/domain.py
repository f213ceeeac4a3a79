"""The ledger's naming rules, with no ORM: which account a kind and an owner name, what it
holds, and whether it may go below zero; the reference a refund posting carries.

An account is named by its kind and, for the accounts held for someone, its owner's id. The
code (``member:12:points``, ``platform:wallet:cash-in``) is derived here and nowhere else: the
apps ask for an account by kind and owner (``ledger.selectors``) and never compose a code.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    CNY = "CNY", _("Yuan (fen)")
    POINTS = "PTS", _("Points")


class AccountKind(models.TextChoices):
    """What an account holds for whom. A kind and its owner (a member, a staff member, or none
    for the platform's own accounts) name the account; ``ledger.domain`` derives its code."""

    MEMBER_POINTS = "member_points", _("A member's points")
    MEMBER_WALLET_PRINCIPAL = "member_wallet_principal", _("A member's wallet: money paid in")
    MEMBER_WALLET_BONUS = "member_wallet_bonus", _("A member's wallet: bonus")
    STAFF_COMMISSION = "staff_commission", _("A salesperson's commission")
    POINTS_ISSUED = "points_issued", _("Points issued")
    POINTS_REDEEMED = "points_redeemed", _("Points redeemed")
    POINTS_EXPIRED = "points_expired", _("Points expired")
    POINTS_CLAWED_BACK = "points_clawed_back", _("Points taken back")
    WALLET_CASH_IN = "wallet_cash_in", _("Wallet money received")
    WALLET_BONUS_EXPENSE = "wallet_bonus_expense", _("Wallet bonus given")
    WALLET_SPENT = "wallet_spent", _("Wallet money spent")
    COMMISSION_EXPENSE = "commission_expense", _("Commission expense")
    AGENT_FLOAT = "agent_float", _("An agent outlet's float")  # billpay: prefunded, spent on bills
    AGENT_FLOAT_FUNDED = "agent_float_funded", _("Agent floats funded")
    AGENT_REBATE = "agent_rebate", _("An agent outlet's rebate")
    REBATE_EXPENSE = "rebate_expense", _("Agent rebate expense")
    BILLER_PAYABLE = "biller_payable", _("Owed to billers")
    BILL_CASH_IN = "bill_cash_in", _("Bill cash taken at our counters")
    PARTY_PAYABLE = "party_payable", _("Owed to a settlement party")  # settlement: a supplier, a franchisee
    PARTY_SETTLEMENT = "party_settlement", _("Settled with suppliers and franchisees")
    SETTLEMENT_PAID = "settlement_paid", _("Settlement payouts")
    BILL_ONLINE_IN = "bill_online_in", _("Bill money taken by the online gateway")
    PARCEL_CASH_IN = "parcel_cash_in", _("Parcel postage taken in cash at our counters")  # parcels
    PARCEL_ONLINE_IN = "parcel_online_in", _("Parcel postage taken by the online gateway")
    PARCEL_POSTAGE = "parcel_postage", _("Postage earned on parcels")
    OTHER = "other", _("Other")  # opened by its code alone (tests, benchmarks)


@dataclass(frozen=True)
class KindSpec:
    code: str  # the code, with {owner} where the owner's id goes
    unit: str
    owner: str = ""  # "member", "staff", "outlet", "party", or "" for the platform's own accounts
    no_overdraft: bool = False  # what the platform owes someone: never below zero


KINDS: dict[str, KindSpec] = {
    AccountKind.MEMBER_POINTS: KindSpec("member:{owner}:points", Unit.POINTS, "member", True),
    AccountKind.MEMBER_WALLET_PRINCIPAL: KindSpec(
        "member:{owner}:wallet:principal", Unit.CNY, "member", True
    ),
    AccountKind.MEMBER_WALLET_BONUS: KindSpec("member:{owner}:wallet:bonus", Unit.CNY, "member", True),
    AccountKind.STAFF_COMMISSION: KindSpec("staff:{owner}:commission", Unit.CNY, "staff"),
    AccountKind.POINTS_ISSUED: KindSpec("platform:points:issued", Unit.POINTS),
    AccountKind.POINTS_REDEEMED: KindSpec("platform:points:redeemed", Unit.POINTS),
    AccountKind.POINTS_EXPIRED: KindSpec("platform:points:expired", Unit.POINTS),
    AccountKind.POINTS_CLAWED_BACK: KindSpec("platform:points:clawed-back", Unit.POINTS),
    AccountKind.WALLET_CASH_IN: KindSpec("platform:wallet:cash-in", Unit.CNY),
    AccountKind.WALLET_BONUS_EXPENSE: KindSpec("platform:wallet:bonus-expense", Unit.CNY),
    AccountKind.WALLET_SPENT: KindSpec("platform:wallet:spent", Unit.CNY),
    AccountKind.COMMISSION_EXPENSE: KindSpec("platform:commission:expense", Unit.CNY),
    AccountKind.AGENT_FLOAT: KindSpec("outlet:{owner}:float", Unit.CNY, "outlet", True),
    AccountKind.AGENT_FLOAT_FUNDED: KindSpec("platform:billpay:float-funded", Unit.CNY),
    AccountKind.AGENT_REBATE: KindSpec("outlet:{owner}:rebate", Unit.CNY, "outlet"),
    AccountKind.REBATE_EXPENSE: KindSpec("platform:billpay:rebate-expense", Unit.CNY),
    AccountKind.BILLER_PAYABLE: KindSpec("platform:billpay:payable", Unit.CNY),
    AccountKind.BILL_CASH_IN: KindSpec("platform:billpay:cash-in", Unit.CNY),
    AccountKind.PARTY_PAYABLE: KindSpec("party:{owner}:payable", Unit.CNY, "party"),
    AccountKind.PARTY_SETTLEMENT: KindSpec("platform:settlement:parties", Unit.CNY),
    AccountKind.SETTLEMENT_PAID: KindSpec("platform:settlement:paid-out", Unit.CNY),
    AccountKind.BILL_ONLINE_IN: KindSpec("platform:billpay:online-in", Unit.CNY),
    AccountKind.PARCEL_CASH_IN: KindSpec("platform:parcels:cash-in", Unit.CNY),
    AccountKind.PARCEL_ONLINE_IN: KindSpec("platform:parcels:online-in", Unit.CNY),
    AccountKind.PARCEL_POSTAGE: KindSpec("platform:parcels:postage", Unit.CNY),
}

WALLET_PARTS: dict[str, str] = {
    "principal": AccountKind.MEMBER_WALLET_PRINCIPAL,
    "bonus": AccountKind.MEMBER_WALLET_BONUS,
}
"""A member's wallet is two accounts: money paid in, and the bonus the platform added."""

MEMBER_PARTS: dict[str, str] = {
    AccountKind.MEMBER_POINTS: "points",
    AccountKind.MEMBER_WALLET_PRINCIPAL: "principal",
    AccountKind.MEMBER_WALLET_BONUS: "bonus",
}
"""What a member calls each of their accounts (their points, their wallet's two parts)."""


def account_code(kind: str, owner_id: int | None = None) -> str:
    """The code of the account of this kind (held for ``owner_id`` when the kind has an owner)."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"accounts of kind {kind!r} are opened by their code")
    if bool(spec.owner) != (owner_id is not None):
        raise ValueError(f"an account of kind {kind} {'needs' if spec.owner else 'has no'} owner")
    return spec.code.format(owner=owner_id)


def refund_reference(key: str) -> str:
    """The reference a refund of the payment or spend ``key`` carries, as members see it."""
    return f"refund-of:{key}"
