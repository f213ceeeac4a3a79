"""Ledger postings in group commit: many callers' postings in one leader's transaction, across
processes and hosts (``core.combining``: a combining table, a leader per lane).

``postings_submit`` answers exactly as ``postings_create`` (the same checks, replays and
refusals; each caller's linked postings all or none, and linked only to each other), but waits
in the ledger's lane, whose leader takes every waiting call at once:

- all at once: every call's postings inserted in one statement, then every account of the batch
  updated in one statement, locked in account-id order, each guard in its WHERE clause
  (``services._apply``); one commit;
- one by one, when a guard fails for the batch's sum: that try rolls back to its savepoint and
  each call is posted alone in the same transaction, in arrival order, each in a savepoint, so
  exactly the calls the balances cover succeed and each refused caller gets its own
  ``insufficient_balance``.

A call whose keys are already posted (a retry after a timeout), or taken by an earlier call of
the same batch, is answered as a replay: the caller reads what committed under its keys, as
``postings_create`` does. The lane is the ledger's one lane (``LANES``): every posting may touch
any account, and one commit stream with large batches beats many with small ones. On SQLite,
and inside a caller's transaction, the call is applied alone through the same code.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from omnipoint.core import combining
from omnipoint.core.errors import DomainError
from omnipoint.ledger.models import Posting, PostingState
from omnipoint.ledger.services import (
    PostingRequest,
    _accounts_checked,
    _apply,
    _refunded_postings,
    _replay,
    _replayed,
)
from omnipoint.outlets.domain import SystemActor, require_platform

LANE = combining.lane_of("ledger")
ATTEMPTS = 3


class _Short(Exception):
    pass


def postings_submit(
    requests: Iterable[PostingRequest], *, actor: SystemActor, group: str = "", on_replay: str = "return"
) -> list[Posting]:
    """``postings_create`` through group commit: the same answer, in one commit with the other
    calls waiting meanwhile."""
    require_platform(actor)
    reqs = list(requests)
    accounts = _accounts_checked(reqs)
    replay = _replay(reqs, accounts)
    if replay is not None:
        return _replayed(replay, on_replay)
    refunded = _refunded_postings(reqs)
    rows = [
        {
            "key": r.key,
            "kind": PostingState.PENDING if r.pending else PostingState.POSTED,
            "debit_id": accounts[r.debit].pk,
            "credit_id": accounts[r.credit].pk,
            "amount": r.amount,
            "unit": accounts[r.debit].unit,
            "code": r.code,
            "reference": r.reference[:80],
            "refund_of_id": refunded.get(r.refund_of),
            "group": group[:100],
            "timeout": r.timeout_seconds,
        }
        for r in reqs
    ]
    guarded = sorted({a.pk for a in accounts.values() if a.debits_must_not_exceed_credits})
    payload = {"p": rows, "g": guarded}
    for _ in range(ATTEMPTS):
        result = combining.submit("posting", LANE, payload, _apply_batch)
        if "ids" in result:
            return _made(rows, result)
        if "error" in result:
            combining.raise_error(result["error"])
        if "failed" in result:
            raise RuntimeError(result["failed"])
        replay = _replay(reqs, accounts)
        if replay is not None:
            return _replayed(replay, on_replay)
    raise combining.CombineTimeout("the postings' keys are being posted by another call")


def _made(rows: list[dict[str, Any]], result: dict[str, Any]) -> list[Posting]:
    """The postings as the batch committed them (no read back)."""
    created = datetime.fromisoformat(result["at"])
    out = []
    for row, pk in zip(rows, result["ids"], strict=True):
        p = _posting(row, created)
        p.pk = pk
        p._state.adding = False
        p._state.db = "default"
        out.append(p)
    return out


def _posting(row: dict[str, Any], now: datetime) -> Posting:
    fields = {k: v for k, v in row.items() if k != "timeout"}
    expires = now + timedelta(seconds=row["timeout"]) if row["timeout"] else None
    return Posting(**fields, expires_at=expires, created_at=now)


def _deltas(calls: list[combining.Pending]) -> dict[int, dict[str, int]]:
    deltas: dict[int, dict[str, int]] = {}
    for p in calls:
        for row in p.payload["p"]:
            side = "pending" if row["kind"] == PostingState.PENDING else "posted"
            debit = deltas.setdefault(row["debit_id"], {})
            credit = deltas.setdefault(row["credit_id"], {})
            debit[f"debits_{side}"] = debit.get(f"debits_{side}", 0) + row["amount"]
            credit[f"credits_{side}"] = credit.get(f"credits_{side}", 0) + row["amount"]
    return deltas


def _post(calls: list[combining.Pending], now: datetime) -> list[Posting]:
    """Insert the calls' postings and apply their sum; raises when a guard fails."""
    made = Posting.objects.bulk_create([_posting(row, now) for p in calls for row in p.payload["p"]])
    guarded = {a for p in calls for a in p.payload["g"]}
    _apply(_deltas(calls), guarded, {})
    return made


def _ids(calls: list[combining.Pending], made: list[Posting], now: datetime) -> dict[int, dict[str, Any]]:
    out, i = {}, 0
    for p in calls:
        n = len(p.payload["p"])
        out[p.id] = {"ids": [m.pk for m in made[i : i + n]], "at": made[i].created_at.isoformat()}
        i += n
    return out


def _apply_batch(batch: list[combining.Pending]) -> dict[int, dict[str, Any]]:
    """A leader's batch, inside its transaction: each call's result by request id."""
    results: dict[int, dict[str, Any]] = {}
    taken = set(
        Posting.objects.filter(key__in=[r["key"] for p in batch for r in p.payload["p"]]).values_list(
            "key", flat=True
        )
    )
    todo = []
    for p in batch:
        keys = {r["key"] for r in p.payload["p"]}
        if keys & taken:
            results[p.id] = {"replay": True}
        else:
            taken |= keys
            todo.append(p)
    now = timezone.now()
    if len(todo) > 1:
        try:
            with transaction.atomic():
                return results | _ids(todo, _post(todo, now), now)
        except (DomainError, IntegrityError):
            pass  # a balance short for the sum: one by one
    for p in todo:
        try:
            with transaction.atomic():
                results |= _ids([p], _post([p], now), now)
        except DomainError as exc:
            results[p.id] = {"error": combining.error_json(exc)}
        except IntegrityError:
            results[p.id] = {"replay": True}
    return results
