"""Holds in group commit: concurrent holds on the same stock row folded into one transaction,
across processes and hosts (``core.combining``: a combining table, a leader per hot row).

``stock_hold`` answers exactly as ``stock_reserve`` does (the same checks, the same replays and
refusals, each caller its own), but a hold on a hot row waits in the row's lane, and the lane's
leader takes every waiting hold at once:

- all at once: the reservations and their lines inserted together, then one guarded
  ``UPDATE ... SET reserved = reserved + <sum> WHERE on_hand >= reserved [+ safety] + <sum>`` per
  stock row (rows in key order, as everywhere), one commit;
- one by one, when a row cannot cover the whole batch (its UPDATE changed nothing): that try is
  rolled back to its savepoint and each hold is taken alone in the same transaction, in arrival
  order, each in a savepoint, so exactly the holds the stock covers succeed and each refused
  caller gets its own ``insufficient_stock`` (naming its own lines).

A batch never oversells: every change of ``reserved`` is a guarded UPDATE. The lane is the
hold's first row (its lines sorted), so a flash sale's pool row is one lane. Holds of the same
owner in one batch, or of an owner whose hold already committed (a retry after a timeout), are
answered as replays: the caller reads the hold that exists, as ``stock_reserve`` would.
On SQLite, and inside a caller's transaction (an order's checkout, whose holds must commit with
the order), the hold is applied alone, through the same code: a batch of one.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from omnipoint.core import combining
from omnipoint.core.errors import ConflictError, DomainError
from omnipoint.inventory.domain import StockKey
from omnipoint.inventory.models import OwnerKind, Reservation, ReservationLine, ReservationState, StockLevel
from omnipoint.inventory.services._base import _user_id
from omnipoint.inventory.services.reservations import _checked, _hold_new, _replayed
from omnipoint.outlets.domain import StaffActor

ATTEMPTS = 3  # a replay whose first hold was refused is asked again, at most this often


class _Short(Exception):
    """A row could not cover the whole batch: take the holds one by one."""


def stock_hold(
    *,
    actor: StaffActor,
    owner_ref: str,
    lines: Iterable[tuple[int, int, int]],
    ttl_seconds: int | None = None,
    channel: str = "",
    respect_safety_stock: bool = True,
    owner_kind: str = OwnerKind.SYSTEM,
) -> Reservation:
    """``stock_reserve`` through group commit: the same answer, in a batch with the other holds
    waiting on the same row."""
    owner_kind, wanted, ttl = _checked(actor, owner_ref, lines, ttl_seconds, owner_kind)
    owner = Reservation.objects.filter(owner_kind=owner_kind, owner_ref=owner_ref)
    replays = owner_kind != OwnerKind.ORDER
    existing = owner.first() if replays else None
    if existing is not None:
        return _replayed(existing, wanted)
    held = [[k.location_id, k.sku_id, q] for k, q in wanted]
    payload: dict[str, Any] = {
        "k": owner_kind,
        "r": owner_ref,
        "c": channel,
        "a": _user_id(actor),
        "t": ttl,
        "s": respect_safety_stock,
        "l": held,
    }
    lane = combining.lane_of(*held[0][:2])
    for _ in range(ATTEMPTS):
        result = combining.submit("hold", lane, payload, _apply_batch)
        if "id" in result:
            return _made(result, payload)
        if "error" in result:
            combining.raise_error(result["error"])
        if "failed" in result:
            raise RuntimeError(result["failed"])
        existing = owner.first()  # a replay: the hold that committed under this owner
        if existing is not None:
            return _replayed(existing, wanted)
    raise ConflictError(f"owner {owner_ref} is being held by another request", code="owner_ref_busy")


def _made(result: dict[str, Any], p: dict[str, Any]) -> Reservation:
    """The reservation the batch made, as it committed (no read back)."""
    r = Reservation(
        pk=result["id"],
        owner_kind=p["k"],
        owner_ref=p["r"],
        state=ReservationState.HELD,
        channel=p["c"],
        actor_id=p["a"],
        expires_at=datetime.fromisoformat(result["expires_at"]),
        created_at=datetime.fromisoformat(result["created_at"]),
    )
    r._state.adding = False
    r._state.db = "default"
    return r


def _apply_batch(batch: list[combining.Pending]) -> dict[int, dict[str, Any]]:
    """A leader's batch, inside its transaction: each hold's result by request id."""
    results: dict[int, dict[str, Any]] = {}
    existing = set(
        Reservation.objects.filter(owner_ref__in={p.payload["r"] for p in batch}).values_list(
            "owner_kind", "owner_ref"
        )
    )
    todo: list[combining.Pending] = []
    for p in batch:
        key = (p.payload["k"], p.payload["r"])
        if key in existing:
            results[p.id] = _taken(p)
        else:
            existing.add(key)
            todo.append(p)
    now = timezone.now()
    if len(todo) > 1:
        try:
            with transaction.atomic():
                results |= _all_at_once(todo, now)
            return results
        except (_Short, IntegrityError):  # a row short, or an owner that committed meanwhile
            pass
    for p in todo:
        results[p.id] = _alone(p, now)
    return results


def _taken(p: combining.Pending) -> dict[str, Any]:
    if p.payload["k"] == OwnerKind.ORDER:  # an order's holds are never replayed (stock_reserve)
        error = ConflictError(f"owner {p.payload['r']} already holds stock", code="owner_ref_reused")
        return {"error": combining.error_json(error)}
    return {"replay": True}


def _new(p: combining.Pending, now: datetime) -> Reservation:
    return Reservation(
        owner_kind=p.payload["k"],
        owner_ref=p.payload["r"],
        channel=p.payload["c"],
        actor_id=p.payload["a"],
        expires_at=now + timedelta(seconds=p.payload["t"]),
        created_at=now,
    )


def _ok(r: Reservation) -> dict[str, Any]:
    return {"id": r.pk, "expires_at": r.expires_at.isoformat(), "created_at": r.created_at.isoformat()}


def _all_at_once(todo: list[combining.Pending], now: datetime) -> dict[int, dict[str, Any]]:
    made = Reservation.objects.bulk_create([_new(p, now) for p in todo])
    lines = []
    sums: dict[StockKey, int] = {}
    online: dict[StockKey, bool] = {}
    for p, r in zip(todo, made, strict=True):
        for location_id, sku_id, q in p.payload["l"]:
            key = StockKey(location_id, sku_id)
            lines.append(ReservationLine(reservation=r, location_id=location_id, sku_id=sku_id, quantity=q))
            sums[key] = sums.get(key, 0) + q
            online[key] = online.get(key, False) or p.payload["s"]  # the strictest guard of the batch
    ReservationLine.objects.bulk_create(lines)
    for key in sorted(sums):
        changed = (
            StockLevel.objects.filter(location_id=key.location_id, sku_id=key.sku_id)
            .sellable(sums[key], online=online[key])
            .update(reserved=F("reserved") + sums[key])
        )
        if changed != 1:
            raise _Short
    return {p.id: _ok(r) for p, r in zip(todo, made, strict=True)}


def _alone(p: combining.Pending, now: datetime) -> dict[str, Any]:
    wanted = [(StockKey(loc, sku), q) for loc, sku, q in p.payload["l"]]
    try:
        with transaction.atomic():
            r = _new(p, now)
            _hold_new(r, wanted, respect_safety_stock=p.payload["s"])
    except DomainError as exc:
        return {"error": combining.error_json(exc)}
    except IntegrityError:  # the same owner committed meanwhile, by another path
        return _taken(p)
    return _ok(r)
