"""Holds: made for an owner until committed (the goods leave), released, or lapsed by the sweep."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from omnipoint.core.errors import (
    ConflictError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from omnipoint.inventory.domain import StockKey, normalise_lines
from omnipoint.inventory.errors import (
    ReservationExpiredError,
)
from omnipoint.inventory.models import (
    MovementKind,
    OwnerKind,
    Reservation,
    ReservationLine,
    ReservationState,
    StockLevel,
    StockMovement,
)
from omnipoint.inventory.services._base import _authorize, _check_skus, _movement, _shortage, _user_id
from omnipoint.inventory.services.owners import HOLD_LAPSED, _owner_handler
from omnipoint.outlets.domain import Perm, StaffActor, SystemActor


def _same_lines(reservation: Reservation, wanted: list[tuple[StockKey, int]]) -> bool:
    have = sorted(
        (StockKey(line.location_id, line.sku_id), line.quantity) for line in reservation.lines.all()
    )
    return have == wanted


def stock_reserve(
    *,
    actor: StaffActor,
    owner_ref: str,
    lines: Iterable[tuple[int, int, int]],
    ttl_seconds: int | None = None,
    channel: str = "",
    respect_safety_stock: bool = True,
    owner_kind: str = OwnerKind.SYSTEM,
) -> Reservation:
    """Hold stock for an owner (a cart, an order, a transfer) until it is committed or lapses.

    ``lines`` are (location_id, sku_id, quantity). All lines are held or none. ``owner_kind``
    and ``owner_ref`` are the idempotency key: asking again for the same owner with the same
    lines returns the first reservation; with different lines it is a conflict. A staff member
    always holds in the staff namespace, so no one else's hold is ever replayed; only ``SYSTEM``
    (orders, once they have authorised the checkout) names another ``owner_kind``.
    """
    owner_kind, wanted, ttl = _checked(actor, owner_ref, lines, ttl_seconds, owner_kind)
    reservation = Reservation(
        owner_kind=owner_kind,
        owner_ref=owner_ref,
        channel=channel,
        actor_id=_user_id(actor),
        expires_at=timezone.now() + timedelta(seconds=ttl),
    )
    if owner_kind == OwnerKind.ORDER:
        # An order makes each of its holds once, under a reference nobody else can use: it is
        # never handed an existing hold (no look-up), and a refusal rolls back with the order's
        # own transaction (no savepoint of its own; outside one, this block is the transaction).
        with transaction.atomic(savepoint=False):
            try:
                _hold_new(reservation, wanted, respect_safety_stock=respect_safety_stock)
            except IntegrityError:
                raise ConflictError(
                    f"owner {owner_ref} already holds stock", code="owner_ref_reused"
                ) from None
        return reservation
    owner = Reservation.objects.filter(owner_kind=owner_kind, owner_ref=owner_ref)
    existing = owner.first()
    if existing is not None:
        return _replayed(existing, wanted)
    try:
        with transaction.atomic():
            _hold_new(reservation, wanted, respect_safety_stock=respect_safety_stock)
    except IntegrityError:
        # Another request for the same owner won the insert: answer with its result.
        existing = owner.first()
        if existing is None:
            raise
        return _replayed(existing, wanted)
    return reservation


def _checked(
    actor: StaffActor,
    owner_ref: str,
    lines: Iterable[tuple[int, int, int]],
    ttl_seconds: int | None,
    owner_kind: str,
) -> tuple[str, list[tuple[StockKey, int]], int]:
    """A hold's request checked and authorised: its owner kind, sorted lines and lifetime."""
    if not actor.is_system:
        owner_kind = OwnerKind.STAFF
    wanted = normalise_lines(lines)
    if not owner_ref or len(owner_ref) > 80:
        raise ValidationError("owner_ref must be 1..80 characters", code="invalid_owner_ref")
    ttl = settings.RESERVATION_TTL_SECONDS if ttl_seconds is None else ttl_seconds
    if not 1 <= ttl <= 30 * 86400:
        raise ValidationError("ttl_seconds must be 1 second .. 30 days", code="invalid_ttl")
    if not actor.is_system:  # internal callers (orders) have checked locations and SKUs already
        _authorize(actor, Perm.STOCK_SELL, {k.location_id for k, _ in wanted})
        _check_skus({k.sku_id for k, _ in wanted})
    return owner_kind, wanted, ttl


def _hold_new(
    reservation: Reservation, wanted: list[tuple[StockKey, int]], *, respect_safety_stock: bool
) -> None:
    """Insert a new reservation and its lines, and take each line from sellable stock: all or
    none (a short line raises, and the caller's transaction or savepoint rolls back what was
    taken). On PostgreSQL all of it is one statement; elsewhere the inserts, then one UPDATE."""
    if connection.vendor == "postgresql":
        taken = _hold_at_once(reservation, wanted, respect_safety_stock=respect_safety_stock)
    else:
        reservation.save(force_insert=True)
        ReservationLine.objects.bulk_create(
            [
                ReservationLine(
                    reservation=reservation, location_id=k.location_id, sku_id=k.sku_id, quantity=q
                )
                for k, q in wanted
            ]
        )
        taken = _take_together(wanted, respect_safety_stock=respect_safety_stock)
    short = next(((k, q) for k, q in wanted if k not in taken), None)
    if short is not None:
        raise _shortage(*short, lines=wanted, held=taken, respect_safety_stock=respect_safety_stock)


def _take_together(wanted: list[tuple[StockKey, int]], *, respect_safety_stock: bool) -> set[StockKey]:
    """Every line's guarded UPDATE (``StockLevel.sellable``) as one statement, for a database
    that runs one writer at a time (SQLite), where the order the rows are taken in cannot
    deadlock. Returns the keys taken."""
    each = " ".join(["WHEN location_id = %s AND sku_id = %s THEN %s"] * len(wanted))
    keys: list[Any] = [v for k, q in wanted for v in (k.location_id, k.sku_id, q)]
    match = " OR ".join(["(location_id = %s AND sku_id = %s)"] * len(wanted))
    # The table's name from the model's own metadata: nothing here comes from outside.
    sql = (
        f"UPDATE {StockLevel._meta.db_table} SET reserved = reserved + CASE {each} END"  # noqa: S608
        f" WHERE ({match}) AND on_hand >= reserved + CASE {each} END"
        " + CASE WHEN %s THEN safety_stock ELSE 0 END RETURNING location_id, sku_id"
    )
    params = [*keys, *(v for k, _ in wanted for v in (k.location_id, k.sku_id)), *keys, respect_safety_stock]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {StockKey(loc, sku) for loc, sku in cursor.fetchall()}


def _hold_at_once(
    reservation: Reservation, wanted: list[tuple[StockKey, int]], *, respect_safety_stock: bool
) -> set[StockKey]:
    """``_hold_new`` on PostgreSQL, in one round trip: the reservation and its lines inserted, the
    stock rows locked in key order (``ORDER BY ... FOR UPDATE``, as every multi-row stock change
    walks them) and each taken by the guarded UPDATE of ``StockLevel.sellable``, its guard in the
    WHERE. Sets the reservation's id; returns the keys taken (all of them, or the hold is short).
    The stock rows stay locked only from this statement to the COMMIT."""
    r, rl, sl = (m._meta.db_table for m in (Reservation, ReservationLine, StockLevel))
    now = timezone.now()
    params: list[Any] = [
        [k.location_id for k, _ in wanted],
        [k.sku_id for k, _ in wanted],
        [q for _, q in wanted],
        reservation.owner_kind,
        reservation.owner_ref,
        reservation.state,
        reservation.channel,
        reservation.expires_at,
        now,
        reservation.actor_id,
        respect_safety_stock,
    ]
    # Table names from the models' own metadata: nothing here comes from outside.
    sql = (
        "WITH want (location_id, sku_id, quantity) AS ("  # noqa: S608
        " SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::integer[])),"
        f" r AS (INSERT INTO {r} (owner_kind, owner_ref, state, channel, expires_at, created_at, actor_id)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id),"
        f" lines AS (INSERT INTO {rl} (reservation_id, location_id, sku_id, quantity)"
        " SELECT r.id, w.location_id, w.sku_id, w.quantity FROM r, want w),"
        f" locked AS MATERIALIZED (SELECT s.id FROM {sl} s"
        " JOIN want w ON s.location_id = w.location_id AND s.sku_id = w.sku_id"
        " ORDER BY s.location_id, s.sku_id FOR UPDATE OF s),"
        f" taken AS (UPDATE {sl} s SET reserved = s.reserved + w.quantity FROM locked, want w"
        " WHERE s.id = locked.id AND s.location_id = w.location_id AND s.sku_id = w.sku_id"
        " AND s.on_hand >= s.reserved + w.quantity + CASE WHEN %s THEN s.safety_stock ELSE 0 END"
        " RETURNING s.location_id, s.sku_id)"
        " SELECT r.id, t.location_id, t.sku_id FROM r LEFT JOIN taken t ON true"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    reservation.pk = rows[0][0]
    reservation.created_at = now
    reservation._state.adding = False
    reservation._state.db = "default"
    return {StockKey(loc, sku) for _, loc, sku in rows if loc is not None}


def _replayed(existing: Reservation, wanted: list[tuple[StockKey, int]]) -> Reservation:
    if not _same_lines(existing, wanted):
        raise ConflictError(
            f"owner {existing.owner_ref} already holds a different reservation",
            code="owner_ref_reused",
            reservation_id=existing.pk,
        )
    return existing


def _close(reservation_id: int, *, to: str, require_unexpired: bool) -> Reservation:
    """Move a held reservation to ``to``; exactly one caller can ever win this."""
    now = timezone.now()
    guard = Reservation.objects.filter(pk=reservation_id, state=ReservationState.HELD)
    if require_unexpired:
        guard = guard.filter(expires_at__gt=now)
    if guard.update(state=to, closed_at=now) != 1:
        current = Reservation.objects.filter(pk=reservation_id).first()
        if current is None:
            raise NotFoundError(f"reservation {reservation_id} not found", code="reservation_not_found")
        if current.state == ReservationState.HELD:
            raise ReservationExpiredError(
                f"reservation {reservation_id} expired at {current.expires_at:%H:%M:%S}"
            )
        raise InvalidStateError(
            f"reservation {reservation_id} is {current.state}, not held",
            code="reservation_not_held",
            state=current.state,
        )
    return Reservation.objects.prefetch_related("lines").get(pk=reservation_id)


def _sorted_lines(reservation: Reservation) -> list[ReservationLine]:
    return sorted(reservation.lines.all(), key=lambda ln: (ln.location_id, ln.sku_id))


def _authorize_reservation(actor: StaffActor, reservation_id: int) -> None:
    """Staff close only staff holds: an order's holds move with the order's own transitions,
    which orders carry out as ``SYSTEM`` once they have authorised the order's change."""
    if actor.is_system:
        return
    location_ids = ReservationLine.objects.filter(reservation_id=reservation_id).values_list(
        "location_id", flat=True
    )
    not_found = NotFoundError(f"reservation {reservation_id} not found", code="reservation_not_found")
    kind = Reservation.objects.filter(pk=reservation_id).values_list("owner_kind", flat=True).first()
    if kind is None:
        raise not_found
    # Outside the scope looks exactly like an unknown id (reservation_get says the same).
    try:
        _authorize(actor, Perm.STOCK_SELL, location_ids)
    except NotFoundError:
        raise not_found from None
    if kind != OwnerKind.STAFF:
        raise ConflictError(
            f"reservation {reservation_id} is held for its owner ({kind}) and moves only with it",
            code="reservation_owned",
            owner_kind=kind,
        )


@transaction.atomic
def reservation_commit(
    *, actor: StaffActor, reservation_id: int, kind: str = MovementKind.SALE, reference: str = ""
) -> Reservation:
    """The held goods leave: on hand and reserved both drop, and the ledger records it."""
    _authorize_reservation(actor, reservation_id)
    reservation = _close(reservation_id, to=ReservationState.COMMITTED, require_unexpired=True)
    movements = []
    for line in _sorted_lines(reservation):
        changed = StockLevel.objects.filter(
            location_id=line.location_id, sku_id=line.sku_id, reserved__gte=line.quantity
        ).update(on_hand=F("on_hand") - line.quantity, reserved=F("reserved") - line.quantity)
        if changed != 1:  # only a broken invariant gets here; refuse rather than go negative
            raise InvalidStateError("reserved stock is missing", code="reservation_inconsistent")
        key = StockKey(line.location_id, line.sku_id)
        movements.append(
            _movement(key, kind, -line.quantity, reference or f"reservation:{reservation_id}", actor)
        )
    StockMovement.objects.bulk_create(movements)
    return reservation


def _unhold(reservation: Reservation) -> None:
    for line in _sorted_lines(reservation):
        StockLevel.objects.filter(
            location_id=line.location_id, sku_id=line.sku_id, reserved__gte=line.quantity
        ).update(reserved=F("reserved") - line.quantity)


@transaction.atomic
def reservation_release(*, actor: StaffActor, reservation_id: int) -> Reservation:
    """Give held stock back (a cart emptied, an order cancelled). Works on an expired hold too."""
    _authorize_reservation(actor, reservation_id)
    reservation = _close(reservation_id, to=ReservationState.RELEASED, require_unexpired=False)
    _unhold(reservation)
    return reservation


def reservation_renew(
    *, actor: StaffActor, reservation_id: int, ttl_seconds: int, now: datetime | None = None
) -> Reservation:
    """Hold the goods longer (an order was paid, or its goods are on the road). Guarded on the
    hold still being held: a hold that was swept stays gone. Staff renew only staff holds in
    their scope, as they close them."""
    _authorize_reservation(actor, reservation_id)
    until = (now or timezone.now()) + timedelta(seconds=ttl_seconds)
    if (
        Reservation.objects.filter(pk=reservation_id, state=ReservationState.HELD).update(expires_at=until)
        != 1
    ):
        raise InvalidStateError(f"reservation {reservation_id} is not held", code="reservation_not_held")
    return Reservation.objects.get(pk=reservation_id)


def reservations_expire(*, actor: SystemActor, now: datetime | None = None, batch: int = 500) -> int:
    """The sweep: lapse held reservations past their expiry. Each in its own short transaction,
    guarded on state, so it races safely with a commit or release of the same reservation. Only
    the platform runs it (the Huey task, as ``SystemActor``): it acts on every owner's holds.

    An order's hold is handed to the order (``HOLD_LAPSED``) in the same transaction: the order
    is cancelled, which releases its holds, or renews the hold; whatever it leaves held and due
    lapses here as any other hold."""
    if not actor.is_system:
        raise PermissionDeniedError("only the platform sweeps lapsed holds", code="forbidden")
    now = now or timezone.now()
    due = list(
        Reservation.objects.filter(state=ReservationState.HELD, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:batch]
    )
    expired = 0
    for reservation_id in due:
        with transaction.atomic():
            reservation = Reservation.objects.filter(
                pk=reservation_id, state=ReservationState.HELD, expires_at__lte=now
            ).first()
            if reservation is None:
                continue
            handler = _owner_handler(HOLD_LAPSED, reservation.owner_kind)
            if handler is not None:
                handler(reservation, now)
                after = Reservation.objects.values_list("state", "expires_at").get(pk=reservation_id)
                if after[0] != ReservationState.HELD:
                    expired += 1
                    continue
                if after[1] > now:
                    continue  # renewed by its owner
            if (
                Reservation.objects.filter(
                    pk=reservation_id, state=ReservationState.HELD, expires_at__lte=now
                ).update(state=ReservationState.EXPIRED, closed_at=timezone.now())
                != 1
            ):
                continue
            _unhold(Reservation.objects.prefetch_related("lines").get(pk=reservation_id))
            expired += 1
    return expired
