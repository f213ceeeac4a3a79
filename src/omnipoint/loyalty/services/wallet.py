"""Stored value: top-ups (principal and bonus apart), payments from the wallet (principal
first, as linked postings, held or not), their capture, release and refund."""

from django.db import transaction

from omnipoint.core.errors import ConflictError, NotFoundError, ValidationError
from omnipoint.ledger import selectors as ledger
from omnipoint.ledger.domain import MEMBER_PARTS, refund_reference
from omnipoint.ledger.models import Posting, PostingState
from omnipoint.ledger.services import (
    InsufficientBalanceError,
    PostingRequest,
    posting_post_pending,
    posting_void_pending,
    postings_create,
)
from omnipoint.loyalty import domain
from omnipoint.loyalty.models import (
    TopupPackage,
)
from omnipoint.loyalty.services._shared import (
    BONUS_EXPENSE,
    CASH_IN,
    MAX_TOPUP,
    SPENT,
    _member,
    _wallet_accounts,
)
from omnipoint.members.domain import require_for_member
from omnipoint.outlets.domain import SYSTEM, AnyActor, SystemActor, require_platform


@transaction.atomic
def wallet_topup(
    *,
    actor: SystemActor,
    member_id: int,
    key: str,
    package_id: int | None = None,
    amount: int | None = None,
    reference: str = "",
) -> list[Posting]:
    """Money paid in becomes principal; a package's bonus is credited apart, so refunds and
    the books can tell them apart. Linked postings: both or neither. Idempotent by ``key``."""
    require_platform(actor)
    member = _member(member_id)
    if package_id is not None:
        package = TopupPackage.objects.filter(pk=package_id, is_active=True).first()
        if package is None:
            raise NotFoundError(f"package {package_id} not found", code="package_not_found")
        pay, bonus = package.pay_amount, package.bonus_amount
    elif amount is not None:
        pay, bonus = amount, 0
    else:
        raise ValidationError("give a package or an amount", code="amount_required")
    if not 0 < pay <= MAX_TOPUP:
        raise ValidationError(f"a top-up is 0.01 .. {MAX_TOPUP // 100} yuan", code="invalid_amount")
    principal, bonus_account = _wallet_accounts(member)
    legs = [PostingRequest(f"{key}:principal", CASH_IN, principal.code, pay, "topup", reference)]
    if bonus:
        legs.append(
            PostingRequest(f"{key}:bonus", BONUS_EXPENSE, bonus_account.code, bonus, "topup-bonus", reference)
        )
    return postings_create(legs, actor=SYSTEM, group=key)


@transaction.atomic
def wallet_spend(
    *,
    actor: AnyActor,
    member_id: int,
    amount: int,
    key: str,
    reference: str = "",
    hold_seconds: int | None = None,
) -> list[Posting]:
    """Pay from the wallet: principal first, then bonus, as linked postings; with
    ``hold_seconds`` they are pending holds (captured or released later)."""
    require_for_member(actor, member_id)
    member = _member(member_id)
    if not 0 < amount <= 10**10:
        raise ValidationError("amount must be positive", code="invalid_amount")
    principal, bonus = _wallet_accounts(member)
    existing = ledger.postings_by_keys(keys=domain.wallet_leg_keys(key))
    if existing:
        if sum(p.amount for p in existing) != amount:
            raise ConflictError("this key paid a different amount", code="posting_key_reused")
        return existing
    pending = hold_seconds is not None
    for _attempt in range(3):
        principal.refresh_from_db()
        bonus.refresh_from_db()
        try:
            from_p, from_b = domain.split_wallet(amount, principal=principal.available, bonus=bonus.available)
        except ValueError:
            raise InsufficientBalanceError(
                f"the wallet has {principal.available + bonus.available} available, {amount} needed",
                available=principal.available + bonus.available,
                requested=amount,
            ) from None
        legs = [
            PostingRequest(
                f"{key}:{part}",
                account.code,
                SPENT,
                value,
                "spend",
                reference,
                pending=pending,
                timeout_seconds=hold_seconds,
            )
            for part, account, value in (("principal", principal, from_p), ("bonus", bonus, from_b))
            if value
        ]
        # The guarded UPDATEs decide; the split read above only chooses where the money comes
        # from, so when a concurrent spend moved it, read again and split anew.
        try:
            with transaction.atomic():
                return postings_create(legs, actor=SYSTEM, group=key)
        except InsufficientBalanceError:
            continue
    raise InsufficientBalanceError(f"the wallet has less than {amount} available", requested=amount)


def _legs(key: str) -> list[Posting]:
    legs = ledger.postings_by_keys(keys=domain.wallet_leg_keys(key))
    if not legs:
        raise NotFoundError(f"wallet payment {key} not found", code="spend_not_found")
    return legs


@transaction.atomic
def wallet_capture(*, actor: SystemActor, key: str) -> None:
    require_platform(actor)
    for leg in _legs(key):
        if leg.kind == PostingState.PENDING:
            posting_post_pending(actor=SYSTEM, pending_key=leg.key, key=f"{leg.key}:capture")


@transaction.atomic
def wallet_release(*, actor: SystemActor, key: str) -> None:
    require_platform(actor)
    for leg in _legs(key):
        if leg.kind == PostingState.PENDING:
            posting_void_pending(actor=SYSTEM, pending_key=leg.key, key=f"{leg.key}:release")


@transaction.atomic
def wallet_refund(*, actor: SystemActor, key: str, amount: int, refund_key: str) -> list[Posting]:
    """Refund (part of) a wallet payment into the wallet, principal and bonus in the
    proportions they were paid."""
    require_platform(actor)
    legs = {MEMBER_PARTS[leg.debit.kind]: leg for leg in _legs(key)}  # by the wallet part it came from
    paid_p = legs["principal"].amount if "principal" in legs else 0
    paid_b = legs["bonus"].amount if "bonus" in legs else 0
    refunded = ledger.refunded_amount(keys=[leg.key for leg in legs.values()])
    if not 0 < amount <= paid_p + paid_b - refunded:
        raise ConflictError("more refunded than paid", code="refund_exceeds_payment")
    back_p, back_b = domain.split_refund(amount, principal=paid_p, bonus=paid_b)
    out = []
    for part, value in (("principal", back_p), ("bonus", back_b)):
        if value:
            out.append(
                PostingRequest(
                    f"{refund_key}:{part}",
                    SPENT,
                    legs[part].debit.code,
                    value,
                    "refund",
                    refund_reference(key),
                    refund_of=legs[part].key,
                )
            )
    return postings_create(out, actor=SYSTEM, group=refund_key)
