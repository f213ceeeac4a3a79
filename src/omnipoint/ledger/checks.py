"""The ledger's invariants as queries: used by `manage.py check_ledger` and the tests."""

from collections import defaultdict

from django.db.models import F, Q, Sum

from omnipoint.ledger.models import Account, Posting, PostingState


def ledger_breaches(*, limit: int = 50) -> list[str]:
    """Every account's cached totals against the sum of its postings; each unit's debits
    against its credits. Empty when the books are right."""
    out: list[str] = []
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    unresolved = Q(kind=PostingState.PENDING, resolution__isnull=True)
    posted = Q(kind__in=[PostingState.POSTED, PostingState.POST_PENDING])
    for side in ("debit", "credit"):
        for bucket, cond in (("pending", unresolved), ("posted", posted)):
            for account_id, total in (
                Posting.objects.filter(cond).values_list(f"{side}_id").annotate(t=Sum("amount"))
            ):
                sums[account_id][f"{side}s_{bucket}"] = total
    for a in Account.objects.all().iterator(chunk_size=2000):
        want = sums.get(a.pk, {})
        for field in ("debits_pending", "debits_posted", "credits_pending", "credits_posted"):
            if getattr(a, field) != want.get(field, 0):
                out.append(
                    f"account {a.code}: {field}={getattr(a, field)} but postings sum to {want.get(field, 0)}"
                )
        if a.debits_must_not_exceed_credits and a.debits_posted + a.debits_pending > a.credits_posted:
            out.append(f"account {a.code} is overdrawn")
        if len(out) >= limit:
            return out
    totals = Account.objects.values("unit").annotate(d=Sum("debits_posted"), c=Sum("credits_posted"))
    for row in totals:
        if row["d"] != row["c"]:
            out.append(f"unit {row['unit']}: debits {row['d']} != credits {row['c']}")
    bad_units = Posting.objects.filter(~Q(debit__unit=F("unit")) | ~Q(credit__unit=F("unit"))).count()
    if bad_units:
        out.append(f"{bad_units} posting(s) between accounts of another unit")
    return out[:limit]
