"""Writes to the ledger: postings (immediate or pending), their resolution, and the sweep.

Each call is one transaction. Account totals change only through the guarded UPDATEs in
``_apply``, which touch accounts in ascending id order (no deadlocks between two postings
over the same pair of accounts) and refuse, in the WHERE clause, any debit that would take a
no-overdraft account below zero counting what pending holds already promise. A posting's key
is its idempotency key: the same key with the same body returns the first posting; with a
different body it is refused.

Only the platform posts: every service takes ``actor=SYSTEM`` (or a ``SystemActor``), given by
the loyalty and showrooms services that authorised the person acting before they called here.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from omnipoint.core.errors import (
    ConflictError,
    InvalidStateError,
    NotFoundError,
    ValidationError,
)
from omnipoint.ledger.domain import KINDS, account_code
from omnipoint.ledger.models import Account, AccountKind, Posting, PostingState
from omnipoint.ledger.selectors import pending_due
from omnipoint.outlets.domain import SystemActor, require_platform

MAX_AMOUNT = 10**12  # ten billion yuan in fen: anything larger is a bug
MAX_LINKED = 100


class InsufficientBalanceError(ConflictError):
    code = "insufficient_balance"


class PostingKeyReusedError(ConflictError):
    code = "posting_key_reused"


class AlreadyPosted(Exception):
    """Raised instead of replaying when the caller asked to know (``on_replay="raise"``): it has
    side effects of its own that must happen once, with the first posting only."""

    def __init__(self, postings: list[Posting]) -> None:
        super().__init__("already posted")
        self.postings = postings


@dataclass(frozen=True)
class PostingRequest:
    key: str
    debit: str  # account code
    credit: str
    amount: int
    code: str
    reference: str = ""
    pending: bool = False
    timeout_seconds: int | None = None  # pending holds only: void after this long
    refund_of: str = ""  # a refund: the key of the posting it gives (part of) back


def account_open(
    *,
    actor: SystemActor,
    code: str,
    unit: str,
    name: str = "",
    member_id: int | None = None,
    no_overdraft: bool = False,
) -> Account:
    """The account with this code, created on first use with these properties: an account
    named by its code alone (kind OTHER). The apps open theirs by kind (``account_for``)."""
    require_platform(actor)
    return _open(
        code=code,
        kind=AccountKind.OTHER,
        owner_id=None,
        unit=unit,
        name=name,
        member_id=member_id,
        no_overdraft=no_overdraft,
    )


def account_for(
    *, actor: SystemActor, kind: AccountKind, owner_id: int | None = None, name: str = ""
) -> Account:
    """The account of this kind held for ``owner_id`` (none: the platform's own), opened on
    first use with what its kind says (unit, owner, no overdraft)."""
    require_platform(actor)
    spec = KINDS[kind]
    return _open(
        code=account_code(kind, owner_id),
        kind=kind,
        owner_id=owner_id,
        unit=spec.unit,
        name=name or str(kind.label),
        member_id=owner_id if spec.owner == "member" else None,
        no_overdraft=spec.no_overdraft,
    )


def _open(
    *,
    code: str,
    kind: str,
    owner_id: int | None,
    unit: str,
    name: str,
    member_id: int | None,
    no_overdraft: bool,
) -> Account:
    account = Account.objects.filter(code=code).first()
    if account is not None:
        if account.unit != unit:
            raise ValidationError(f"account {code} holds {account.unit}, not {unit}", code="unit_mismatch")
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(
                code=code,
                kind=kind,
                owner_id=owner_id,
                unit=unit,
                name=name,
                member_id=member_id,
                debits_must_not_exceed_credits=no_overdraft,
            )
    except IntegrityError:
        return Account.objects.get(code=code)


def _same(existing: Posting, req: PostingRequest, accounts: dict[str, Account]) -> bool:
    return (
        existing.debit_id == accounts[req.debit].pk
        and existing.credit_id == accounts[req.credit].pk
        and existing.amount == req.amount
        and existing.code == req.code
        and existing.kind == (PostingState.PENDING if req.pending else PostingState.POSTED)
    )


TOTALS = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")


def _apply(deltas: dict[int, dict[str, int]], guarded: set[int], accounts_by_id: dict[int, Account]) -> None:
    """Add the deltas to each account's totals, in id order; a guarded account's debits may not
    pass its posted credits. Raises before anything is visible to others when a guard fails
    (the caller's transaction rolls back). On PostgreSQL every account in one statement."""
    if connection.vendor == "postgresql":
        _apply_at_once(deltas, guarded, accounts_by_id)
        return
    for account_id in sorted(deltas):
        d = deltas[account_id]
        qs = Account.objects.filter(pk=account_id)
        new_debits = d.get("debits_pending", 0) + d.get("debits_posted", 0)
        if account_id in guarded and new_debits > 0:
            qs = qs.filter(
                credits_posted__gte=F("debits_posted")
                + F("debits_pending")
                + new_debits
                - d.get("credits_posted", 0)
            )
        if qs.update(**{field: F(field) + value for field, value in d.items() if value}) != 1:
            account = Account.objects.get(pk=account_id)
            raise InsufficientBalanceError(
                f"{account.code} has {account.available} available, {new_debits} needed",
                account=account.code,
                available=account.available,
                requested=new_debits,
            )


def _apply_at_once(
    deltas: dict[int, dict[str, int]], guarded: set[int], accounts_by_id: dict[int, Account]
) -> None:
    """``_apply`` as one statement: the accounts locked in id order (``ORDER BY id FOR UPDATE``),
    then every total changed by one UPDATE whose WHERE states each guard."""
    ids = sorted(deltas)
    params: list[Any] = [ids]
    for account_id in ids:
        d = deltas[account_id]
        new_debits = d.get("debits_pending", 0) + d.get("debits_posted", 0)
        need = new_debits - d.get("credits_posted", 0)
        params += [account_id, *(d.get(f, 0) for f in TOTALS), account_id in guarded and new_debits > 0, need]
    values = ", ".join(
        ["(%s::bigint, %s::bigint, %s::bigint, %s::bigint, %s::bigint, %s::boolean, %s::bigint)"] * len(ids)
    )
    sets = ", ".join(f"{f} = a.{f} + v.{f}" for f in TOTALS)
    with connection.cursor() as cur:
        cur.execute(
            "WITH locked AS (SELECT id FROM ledger_account WHERE id = ANY(%s) ORDER BY id FOR UPDATE)"  # noqa: S608
            f" UPDATE ledger_account AS a SET {sets} FROM locked,"
            f" (VALUES {values}) AS v(id, {', '.join(TOTALS)}, guard, need)"
            " WHERE a.id = locked.id AND a.id = v.id"
            " AND (NOT v.guard OR a.credits_posted >= a.debits_posted + a.debits_pending + v.need)"
            " RETURNING a.id",
            params,
        )
        changed = {row[0] for row in cur.fetchall()}
    if len(changed) != len(ids):
        short = Account.objects.get(pk=min(set(ids) - changed))
        needed = deltas[short.pk].get("debits_pending", 0) + deltas[short.pk].get("debits_posted", 0)
        raise InsufficientBalanceError(
            f"{short.code} has {short.available} available, {needed} needed",
            account=short.code,
            available=short.available,
            requested=needed,
        )


def _validate(req: PostingRequest) -> None:
    if not req.key or len(req.key) > 100:
        raise ValidationError("a posting key is 1..100 characters", code="invalid_key")
    if isinstance(req.amount, bool) or not isinstance(req.amount, int) or not 0 < req.amount <= MAX_AMOUNT:
        raise ValidationError(f"amount must be 1..{MAX_AMOUNT}", code="invalid_amount", key=req.key)
    if req.debit == req.credit:
        raise ValidationError("debit and credit must be two accounts", code="same_account", key=req.key)
    if req.timeout_seconds is not None and not (req.pending and 1 <= req.timeout_seconds <= 90 * 86400):
        raise ValidationError(
            "timeout_seconds is for pending postings, 1 s .. 90 days", code="invalid_timeout"
        )


def _accounts_checked(reqs: list[PostingRequest]) -> dict[str, Account]:
    """Each request valid, the keys distinct, the accounts there and of one unit a side."""
    if not 1 <= len(reqs) <= MAX_LINKED:
        raise ValidationError(f"1..{MAX_LINKED} postings at once", code="invalid_batch")
    for req in reqs:
        _validate(req)
    if len({r.key for r in reqs}) != len(reqs):
        raise ValidationError("two postings with one key", code="duplicate_key")
    codes = {r.debit for r in reqs} | {r.credit for r in reqs}
    accounts = {a.code: a for a in Account.objects.filter(code__in=codes)}
    missing = sorted(codes - set(accounts))
    if missing:
        raise NotFoundError(f"account {missing[0]} not found", code="account_not_found", account=missing[0])
    for req in reqs:
        if accounts[req.debit].unit != accounts[req.credit].unit:
            raise ValidationError(
                "both sides of a posting hold the same unit", code="unit_mismatch", key=req.key
            )
    return accounts


def _refunded_postings(reqs: list[PostingRequest]) -> dict[str, int]:
    """The ids of the postings the refunds among ``reqs`` give back, by key."""
    keys = {r.refund_of for r in reqs if r.refund_of}
    if not keys:
        return {}
    found = dict(Posting.objects.filter(key__in=keys).values_list("key", "pk"))
    missing = sorted(keys - set(found))
    if missing:
        raise NotFoundError(f"posting {missing[0]} not found", code="posting_not_found")
    return found


def _rows(
    reqs: list[PostingRequest], accounts: dict[str, Account], refunded: dict[str, int], group: str
) -> list[Posting]:
    now = timezone.now()
    return [
        Posting(
            key=r.key,
            kind=PostingState.PENDING if r.pending else PostingState.POSTED,
            debit=accounts[r.debit],
            credit=accounts[r.credit],
            amount=r.amount,
            unit=accounts[r.debit].unit,
            code=r.code,
            reference=r.reference[:80],
            refund_of_id=refunded.get(r.refund_of),
            group=group[:100],
            expires_at=now + timedelta(seconds=r.timeout_seconds) if r.timeout_seconds else None,
        )
        for r in reqs
    ]


def _deltas(reqs: list[PostingRequest], accounts: dict[str, Account]) -> dict[int, dict[str, int]]:
    deltas: dict[int, dict[str, int]] = defaultdict(dict)
    for r in reqs:
        side = "pending" if r.pending else "posted"
        debit, credit = deltas[accounts[r.debit].pk], deltas[accounts[r.credit].pk]
        debit[f"debits_{side}"] = debit.get(f"debits_{side}", 0) + r.amount
        credit[f"credits_{side}"] = credit.get(f"credits_{side}", 0) + r.amount
    return deltas


def postings_create(
    requests: Iterable[PostingRequest], *, actor: SystemActor, group: str = "", on_replay: str = "return"
) -> list[Posting]:
    """Post one or more linked postings: all or none. Pending ones only hold the debit.

    A retry (same keys, same bodies) returns the first postings, or raises AlreadyPosted
    with them when ``on_replay="raise"``.
    """
    require_platform(actor)
    reqs = list(requests)
    accounts = _accounts_checked(reqs)
    replay = _replay(reqs, accounts)
    if replay is not None:
        return _replayed(replay, on_replay)
    refunded = _refunded_postings(reqs)
    try:
        with transaction.atomic():
            rows = Posting.objects.bulk_create(_rows(reqs, accounts, refunded, group))
            guarded = {a.pk for a in accounts.values() if a.debits_must_not_exceed_credits}
            _apply(_deltas(reqs, accounts), guarded, {a.pk: a for a in accounts.values()})
    except IntegrityError:
        replay = _replay(reqs, accounts)  # a concurrent retry with the same keys got there first
        if replay is None:
            raise
        return _replayed(replay, on_replay)
    return rows


def _replayed(postings: list[Posting], on_replay: str) -> list[Posting]:
    if on_replay == "raise":
        raise AlreadyPosted(postings)
    return postings


def _replay(reqs: list[PostingRequest], accounts: dict[str, Account]) -> list[Posting] | None:
    existing = {p.key: p for p in Posting.objects.filter(key__in=[r.key for r in reqs])}
    if not existing:
        return None
    if len(existing) != len(reqs) or not all(_same(existing[r.key], r, accounts) for r in reqs):
        raise PostingKeyReusedError("a posting key was already used for a different posting")
    return [existing[r.key] for r in reqs]


def _resolve(*, pending_key: str, key: str, post: bool, amount: int | None = None) -> Posting:
    pending = Posting.objects.select_related("debit", "credit").filter(key=pending_key).first()
    if pending is None or pending.kind != PostingState.PENDING:
        raise NotFoundError(f"pending posting {pending_key} not found", code="pending_not_found")
    existing = Posting.objects.filter(key=key).first()
    if existing is not None:
        if existing.pending_id == pending.pk and existing.kind == (
            PostingState.POST_PENDING if post else PostingState.VOID_PENDING
        ):
            return existing
        raise PostingKeyReusedError(f"posting key {key} was already used")
    amount = pending.amount if amount is None else amount
    if post and not 0 < amount <= pending.amount:
        raise ValidationError(f"post 1..{pending.amount}", code="invalid_amount")
    if post and pending.expires_at is not None and pending.expires_at <= timezone.now():
        raise InvalidStateError(f"pending posting {pending_key} expired", code="pending_expired")
    try:
        with transaction.atomic():
            row = Posting.objects.create(
                key=key,
                kind=PostingState.POST_PENDING if post else PostingState.VOID_PENDING,
                debit_id=pending.debit_id,
                credit_id=pending.credit_id,
                amount=amount if post else pending.amount,
                unit=pending.unit,
                code=pending.code,
                reference=pending.reference,
                pending=pending,
                group=pending.group,
            )
            posted = amount if post else 0
            deltas = {
                pending.debit_id: {"debits_pending": -pending.amount, "debits_posted": posted},
                pending.credit_id: {"credits_pending": -pending.amount, "credits_posted": posted},
            }
            # Resolving only ever lowers what is promised, so no guard can fail here.
            _apply(deltas, set(), {pending.debit_id: pending.debit, pending.credit_id: pending.credit})
    except IntegrityError:
        resolution = Posting.objects.filter(pending=pending).first()
        if resolution is not None and resolution.key == key:
            return resolution
        state = (
            "posted" if resolution is not None and resolution.kind == PostingState.POST_PENDING else "voided"
        )
        raise InvalidStateError(
            f"pending posting {pending_key} was already {state}", code="pending_resolved", state=state
        ) from None
    return row


@transaction.atomic
def posting_post_pending(
    *, actor: SystemActor, pending_key: str, key: str, amount: int | None = None
) -> Posting:
    """Make a hold real (all of it, or ``amount`` of it; the rest is released)."""
    require_platform(actor)
    return _resolve(pending_key=pending_key, key=key, post=True, amount=amount)


@transaction.atomic
def posting_void_pending(*, actor: SystemActor, pending_key: str, key: str) -> Posting:
    """Release a hold."""
    require_platform(actor)
    return _resolve(pending_key=pending_key, key=key, post=False)


def pendings_expire(*, actor: SystemActor, now: datetime | None = None, batch: int = 500) -> int:
    """The sweep: void pending holds past their expiry (each in its own short transaction)."""
    require_platform(actor)
    voided = 0
    for key in pending_due(now=now or timezone.now(), batch=batch):
        try:
            posting_void_pending(actor=actor, pending_key=key, key=f"{key}:expired")
            voided += 1
        except InvalidStateError:
            pass  # posted or voided meanwhile
    return voided
