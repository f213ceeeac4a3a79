"""Ledger reads other apps make: an account by its kind and owner, balances, the postings of a
reference or of a set of keys, what a pending hold became, and what was refunded of a posting."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet, Sum

from omnipoint.ledger.domain import account_code
from omnipoint.ledger.models import Account, Posting, PostingState


def account_get(*, kind: str, owner_id: int | None = None) -> Account | None:
    """The account of this kind held for ``owner_id`` (none for the platform's), if opened."""
    return Account.objects.filter(code=account_code(kind, owner_id)).first()


def balances(*, kinds: Iterable[str], owner_id: int | None = None) -> dict[str, int]:
    """What each account of these kinds held for ``owner_id`` has available (0 when unopened)."""
    wanted = {account_code(kind, owner_id): kind for kind in kinds}
    found = {a.code: a.available for a in Account.objects.filter(code__in=wanted)}
    return {kind: found.get(code, 0) for code, kind in wanted.items()}


def balance(*, kind: str, owner_id: int | None = None) -> int:
    """What the account has available: its balance less what pending holds promise."""
    return balances(kinds=[kind], owner_id=owner_id)[kind]


def posted_balance(*, kind: str, owner_id: int | None = None) -> int:
    """Posted credits less posted debits (pending holds not counted)."""
    account = account_get(kind=kind, owner_id=owner_id)
    return account.balance if account else 0


def posting_get(*, key: str) -> Posting | None:
    return Posting.objects.select_related("debit", "credit").filter(key=key).first()


def postings_by_keys(*, keys: Iterable[str]) -> list[Posting]:
    """The postings with these keys, by key (the legs of a wallet payment, say)."""
    return list(Posting.objects.select_related("debit", "credit").filter(key__in=list(keys)).order_by("key"))


def postings_of_reference(*, reference: str, code: str = "") -> QuerySet[Posting]:
    """The postings made for a reference (``order:<number>``), of one purpose when ``code`` is given."""
    qs = Posting.objects.filter(reference=reference[:80])
    return qs.filter(code=code) if code else qs


def amount_of_reference(*, reference: str, code: str = "") -> int:
    return postings_of_reference(reference=reference, code=code).aggregate(s=Sum("amount"))["s"] or 0


def postings_written(*, codes: Iterable[str], start: datetime, end: datetime) -> QuerySet[Posting]:
    """The postings of these purposes that moved value (posted at once, not a pending hold),
    written ``start`` <= created < ``end``: what an app's books read and aggregate."""
    return Posting.objects.filter(
        code__in=list(codes), kind=PostingState.POSTED, created_at__gte=start, created_at__lt=end
    )


def refunded_amount(*, keys: Iterable[str]) -> int:
    """What refund postings gave back of the postings with these keys, together."""
    return Posting.objects.filter(refund_of__key__in=list(keys)).aggregate(s=Sum("amount"))["s"] or 0


def resolution_state(*, keys: Iterable[str]) -> str | None:
    """What became of the pending holds with these keys: "pending", "posted" or "voided"; None
    when there is no such hold."""
    holds = Posting.objects.filter(key__in=list(keys), kind=PostingState.PENDING)
    if not holds.exists():
        return None
    kinds = set(Posting.objects.filter(pending__in=holds).values_list("kind", flat=True))
    if PostingState.POST_PENDING in kinds:
        return "posted"
    return "voided" if kinds else "pending"


def pending_due(*, now: datetime, unit: str = "", code: str = "", batch: int = 500) -> list[str]:
    """The keys of unresolved pending holds past their expiry (of a unit and purpose when given)."""
    qs = Posting.objects.filter(kind=PostingState.PENDING, expires_at__lte=now, resolution__isnull=True)
    if unit:
        qs = qs.filter(unit=unit)
    if code:
        qs = qs.filter(code=code)
    return list(qs.values_list("key", flat=True)[:batch])
