"""Every change to stock. Each quantity change is a guarded conditional UPDATE whose WHERE
clause states the invariant it must keep, followed by a check that exactly the expected rows
changed, plus a row in the insert-only movement ledger. Nothing reads a quantity, decides in
Python and writes it back (except count posting, which compare-and-sets on the value it read).

``actor`` is the staff member acting through the API or console: it is checked for permission
and scope. Other apps' services (orders, transfers for orders) pass ``actor=None``: they have
already authorised the whole operation.
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F, Subquery
from django.utils import timezone

from omnipoint.catalog.models import Sku
from omnipoint.core.errors import (
    ConflictError,
    InvalidStateError,
    NotFoundError,
    ValidationError,
    require_quantity,
)
from omnipoint.inventory.domain import StockKey, normalise_lines
from omnipoint.inventory.errors import (
    CountBelowReservedError,
    InsufficientStockError,
    ReservationExpiredError,
)
from omnipoint.inventory.models import (
    CountState,
    CycleCount,
    CycleCountLine,
    MovementKind,
    OwnerKind,
    Reservation,
    ReservationLine,
    ReservationState,
    StockLevel,
    StockMovement,
    Transfer,
    TransferLine,
    TransferState,
)
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.models import Outlet

# --- helpers -------------------------------------------------------------------------------


def _authorize(actor: Actor | None, perm: str, location_ids: Iterable[int]) -> None:
    """Permission, then scope: a location outside the actor's node is 'not found'."""
    ids = set(location_ids)
    outlets = {o.pk: o for o in Outlet.objects.filter(pk__in=ids).only("pk", "region_path", "is_active")}
    for location_id in sorted(ids):
        outlet = outlets.get(location_id)
        if outlet is None or (
            actor is not None
            and not actor.scope.covers_outlet(outlet_id=outlet.pk, region_path=outlet.region_path)
        ):
            raise NotFoundError(f"location {location_id} not found", code="location_not_found")
    if actor is not None:
        actor.require(perm)


def _check_skus(sku_ids: Iterable[int]) -> None:
    ids = set(sku_ids)
    found = set(Sku.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = sorted(ids - found)
    if missing:
        raise NotFoundError(f"SKU {missing[0]} not found", code="sku_not_found", sku_id=missing[0])


def _ensure_rows(keys: Iterable[StockKey]) -> None:
    """Create missing stock rows (zero stock), with their location's coordinates read by the
    INSERT itself (no extra round trip). Safe under races: conflicts are ignored."""

    def coordinate(location_id: int, name: str) -> Subquery:
        return Subquery(Outlet.objects.filter(pk=location_id).values(name)[:1])

    StockLevel.objects.bulk_create(
        [
            StockLevel(
                location_id=k.location_id,
                sku_id=k.sku_id,
                lat=coordinate(k.location_id, "lat"),
                lng=coordinate(k.location_id, "lng"),
            )
            for k in keys
        ],
        ignore_conflicts=True,
    )


def stock_coordinates_sync(*, outlet_id: int) -> int:
    """Copy an outlet's coordinates onto its stock rows (after the outlet moved); returns how
    many rows changed. Registered as ``outlets.hooks.OUTLET_MOVED``: run in ``outlet_update``'s transaction."""
    lat, lng = Outlet.objects.values_list("lat", "lng").get(pk=outlet_id)
    return StockLevel.objects.filter(location_id=outlet_id).exclude(lat=lat, lng=lng).update(lat=lat, lng=lng)


def _user_id(actor: Actor | None) -> int | None:
    return actor.user_id if actor else None


def _shortage(
    key: StockKey,
    requested: int,
    *,
    lines: list[tuple[StockKey, int]] | None = None,
    held: int = 0,
    respect_safety_stock: bool = False,
) -> InsufficientStockError:
    """The refusal for ``key``, naming in ``details["lines"]`` every short line of the request
    (``lines``; its first ``held`` were reserved inside the transaction the refusal rolls back)."""
    lines = lines or [(key, requested)]
    rows = {
        StockKey(r.location_id, r.sku_id): r
        for r in StockLevel.objects.filter(
            location_id__in={k.location_id for k, _ in lines}, sku_id__in={k.sku_id for k, _ in lines}
        ).select_related("sku")
    }
    short: list[dict[str, int | str]] = []
    available = 0
    for i, (k, q) in enumerate(lines):
        row = rows.get(k)
        free = 0 if row is None else row.available + (q if i < held else 0)
        free = max(free - (row.safety_stock if row is not None and respect_safety_stock else 0), 0)
        available = free if k == key else available
        if free < q or k == key:
            code = row.sku.code if row is not None else str(k.sku_id)
            line: dict[str, int | str] = {"location_id": k.location_id, "sku_id": k.sku_id, "sku_code": code}
            short.append(line | {"requested": q, "available": free})
    return InsufficientStockError(
        f"only {available} available of SKU {key.sku_id} at location {key.location_id}, {requested} asked",
        location_id=key.location_id,
        sku_id=key.sku_id,
        requested=requested,
        available=available,
        lines=short,
    )


def _movement(key: StockKey, kind: str, quantity: int, reference: str, actor: Actor | None) -> StockMovement:
    return StockMovement(
        location_id=key.location_id,
        sku_id=key.sku_id,
        kind=kind,
        quantity=quantity,
        reference=reference[:60],
        actor_id=_user_id(actor),
    )


# --- stock in and out, without a reservation ------------------------------------------------


@transaction.atomic
def stock_receive(
    *,
    actor: Actor | None,
    location_id: int,
    sku_id: int,
    quantity: int,
    reference: str = "",
    kind: str = MovementKind.RECEIPT,
) -> StockLevel:
    """Goods arrive (a delivery, a return to shelf). Adds to on hand."""
    require_quantity(quantity)
    _authorize(actor, Perm.STOCK_RECEIVE, [location_id])
    _check_skus([sku_id])
    key = StockKey(location_id, sku_id)
    _ensure_rows([key])
    StockLevel.objects.filter(location_id=location_id, sku_id=sku_id).update(on_hand=F("on_hand") + quantity)
    _movement(key, kind, quantity, reference, actor).save()
    return StockLevel.objects.get(location_id=location_id, sku_id=sku_id)


@transaction.atomic
def stock_sell(
    *, actor: Actor | None, location_id: int, sku_id: int, quantity: int, reference: str = ""
) -> StockLevel:
    """A counter sale straight from the shelf: only stock nobody has reserved may go.

    The counter may dip into safety stock; that buffer exists for it.
    """
    require_quantity(quantity)
    _authorize(actor, Perm.STOCK_SELL, [location_id])
    _check_skus([sku_id])
    key = StockKey(location_id, sku_id)
    changed = StockLevel.objects.filter(
        location_id=location_id, sku_id=sku_id, on_hand__gte=F("reserved") + quantity
    ).update(on_hand=F("on_hand") - quantity)
    if changed != 1:
        raise _shortage(key, quantity)
    _movement(key, MovementKind.SALE, -quantity, reference, actor).save()
    return StockLevel.objects.get(location_id=location_id, sku_id=sku_id)


@transaction.atomic
def stock_adjust(
    *, actor: Actor | None, location_id: int, sku_id: int, delta: int, reason: str
) -> StockLevel:
    """A manual correction (damage, found goods). Never takes reserved stock."""
    if delta == 0:
        raise ValidationError("delta must not be zero", code="invalid_quantity")
    require_quantity(abs(delta), field="delta")
    if not reason.strip():
        raise ValidationError("an adjustment needs a reason", code="reason_required")
    _authorize(actor, Perm.STOCK_RECEIVE, [location_id])
    _check_skus([sku_id])
    key = StockKey(location_id, sku_id)
    _ensure_rows([key])
    changed = StockLevel.objects.filter(
        location_id=location_id, sku_id=sku_id, on_hand__gte=F("reserved") - delta
    ).update(on_hand=F("on_hand") + delta)
    if changed != 1:
        raise _shortage(key, -delta)
    _movement(key, MovementKind.ADJUSTMENT, delta, reason, actor).save()
    return StockLevel.objects.get(location_id=location_id, sku_id=sku_id)


@transaction.atomic
def stock_set_safety(*, actor: Actor | None, location_id: int, sku_id: int, safety_stock: int) -> StockLevel:
    require_quantity(safety_stock, allow_zero=True, field="safety_stock")
    _authorize(actor, Perm.STOCK_RECEIVE, [location_id])
    _check_skus([sku_id])
    _ensure_rows([StockKey(location_id, sku_id)])
    StockLevel.objects.filter(location_id=location_id, sku_id=sku_id).update(safety_stock=safety_stock)
    return StockLevel.objects.get(location_id=location_id, sku_id=sku_id)


# --- reservations ---------------------------------------------------------------------------


def _same_lines(reservation: Reservation, wanted: list[tuple[StockKey, int]]) -> bool:
    have = sorted(
        (StockKey(line.location_id, line.sku_id), line.quantity) for line in reservation.lines.all()
    )
    return have == wanted


def stock_reserve(
    *,
    actor: Actor | None,
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
    (``actor``) always holds in the staff namespace, so no one else's hold is ever replayed.
    """
    if actor is not None:
        owner_kind = OwnerKind.STAFF
    wanted = normalise_lines(lines)
    if not owner_ref or len(owner_ref) > 80:
        raise ValidationError("owner_ref must be 1..80 characters", code="invalid_owner_ref")
    ttl = settings.RESERVATION_TTL_SECONDS if ttl_seconds is None else ttl_seconds
    if not 1 <= ttl <= 30 * 86400:
        raise ValidationError("ttl_seconds must be 1 second .. 30 days", code="invalid_ttl")
    if actor is not None:  # internal callers (orders) have checked locations and SKUs already
        _authorize(actor, Perm.STOCK_SELL, {k.location_id for k, _ in wanted})
        _check_skus({k.sku_id for k, _ in wanted})

    owner = Reservation.objects.filter(owner_kind=owner_kind, owner_ref=owner_ref)
    # An order makes each of its holds once, under a reference nobody else can use: it is never
    # handed an existing hold (and the checkout saves the look-up).
    replays = owner_kind != OwnerKind.ORDER
    existing = owner.first() if replays else None
    if existing is not None:
        return _replayed(existing, wanted)
    try:
        with transaction.atomic():
            reservation = Reservation.objects.create(
                owner_kind=owner_kind,
                owner_ref=owner_ref,
                channel=channel,
                actor_id=_user_id(actor),
                expires_at=timezone.now() + timedelta(seconds=ttl),
            )
            ReservationLine.objects.bulk_create(
                [
                    ReservationLine(
                        reservation=reservation, location_id=k.location_id, sku_id=k.sku_id, quantity=q
                    )
                    for k, q in wanted
                ]
            )
            # The stock rows last: a hot row stays locked only from its UPDATE to the COMMIT.
            for i, (key, quantity) in enumerate(wanted):  # sorted: see normalise_lines
                changed = (
                    StockLevel.objects.filter(location_id=key.location_id, sku_id=key.sku_id)
                    .sellable(quantity, online=respect_safety_stock)
                    .update(reserved=F("reserved") + quantity)
                )
                if changed != 1:
                    raise _shortage(
                        key, quantity, lines=wanted, held=i, respect_safety_stock=respect_safety_stock
                    )
    except IntegrityError:
        # Another request for the same owner won the insert: answer with its result.
        existing = owner.first()
        if existing is None:
            raise
        if not replays:
            raise ConflictError(f"owner {owner_ref} already holds stock", code="owner_ref_reused") from None
        return _replayed(existing, wanted)
    return reservation


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


def _authorize_reservation(actor: Actor | None, reservation_id: int) -> None:
    """Staff close only staff holds: an order's holds move with the order's own transitions."""
    if actor is None:
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
    *, actor: Actor | None, reservation_id: int, kind: str = MovementKind.SALE, reference: str = ""
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
def reservation_release(*, actor: Actor | None, reservation_id: int) -> Reservation:
    """Give held stock back (a cart emptied, an order cancelled). Works on an expired hold too."""
    _authorize_reservation(actor, reservation_id)
    reservation = _close(reservation_id, to=ReservationState.RELEASED, require_unexpired=False)
    _unhold(reservation)
    return reservation


def reservation_renew(*, reservation_id: int, ttl_seconds: int, now: datetime | None = None) -> Reservation:
    """Hold the goods longer (an order was paid, or its goods are on the road). Guarded on the
    hold still being held: a hold that was swept stays gone."""
    until = (now or timezone.now()) + timedelta(seconds=ttl_seconds)
    if (
        Reservation.objects.filter(pk=reservation_id, state=ReservationState.HELD).update(expires_at=until)
        != 1
    ):
        raise InvalidStateError(f"reservation {reservation_id} is not held", code="reservation_not_held")
    return Reservation.objects.get(pk=reservation_id)


# Owners whose holds must move with them (orders) register, in their AppConfig.ready(), what
# happens when their hold lapses or their held goods travel; each handler runs inside the
# inventory transaction. A hold of such a kind with no handler is an error, never skipped.
HOLD_LAPSED: dict[str, Callable[[Reservation, datetime], None]] = {}
TRANSFER_DISPATCHED: dict[str, Callable[[Transfer], None]] = {}
TRANSFER_RECEIVED: dict[str, Callable[[Transfer], None]] = {}
OWNED_KINDS = {OwnerKind.ORDER}


def _owner_handler(hooks: dict[str, Callable], kind: str) -> Callable | None:  # type: ignore[type-arg]
    handler = hooks.get(kind)
    if handler is None and kind in OWNED_KINDS:
        raise ImproperlyConfigured(f"no handler is registered for {kind} holds (is its app installed?)")
    return handler


def reservations_expire(*, now: datetime | None = None, batch: int = 500) -> int:
    """The sweep: lapse held reservations past their expiry. Each in its own short transaction,
    guarded on state, so it races safely with a commit or release of the same reservation.

    An order's hold is handed to the order (``HOLD_LAPSED``) in the same transaction: the order
    is cancelled, which releases its holds, or renews the hold; whatever it leaves held and due
    lapses here as any other hold."""
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


# --- transfers ------------------------------------------------------------------------------

# Goods that travel held (an order's stock going to its pickup outlet) tell their owner when
# they leave and arrive (TRANSFER_DISPATCHED, TRANSFER_RECEIVED above), inside the transaction
# that moved them, whichever door (handheld, API, console) moved them: the owner's queue follows,
# and the arrived goods are held again before anyone else can take them.


def _carried_kind(transfer: Transfer) -> str | None:
    if transfer.reservation_id is None:
        return None
    return Reservation.objects.values_list("owner_kind", flat=True).get(pk=transfer.reservation_id)


def _tell_owner(hooks: dict[str, Callable[[Transfer], None]], transfer: Transfer) -> None:
    kind = _carried_kind(transfer)
    handler = _owner_handler(hooks, kind) if kind else None
    if handler is not None:
        handler(transfer)


def _transfer_for_update(transfer_id: int) -> Transfer:
    transfer = Transfer.objects.select_related("source", "destination").filter(pk=transfer_id).first()
    if transfer is None:
        raise NotFoundError(f"transfer {transfer_id} not found", code="transfer_not_found")
    return transfer


def _authorize_transfer(actor: Actor | None, transfer: Transfer, end_id: int) -> None:
    """Only one end acts (the source dispatches, the destination receives). Staff who see neither
    end are told what an unknown id would tell them, as transfer_get does."""
    if actor is not None and not any(
        actor.scope.covers_outlet(outlet_id=o.pk, region_path=o.region_path)
        for o in (transfer.source, transfer.destination)
    ):
        raise NotFoundError(f"transfer {transfer.pk} not found", code="transfer_not_found")
    _authorize(actor, Perm.TRANSFER, [end_id])


def _move_state(transfer: Transfer, *, frm: str, to: str, **fields: object) -> None:
    if Transfer.objects.filter(pk=transfer.pk, state=frm).update(state=to, **fields) != 1:
        current = Transfer.objects.get(pk=transfer.pk).state
        raise InvalidStateError(
            f"transfer {transfer.pk} is {current}, not {frm}", code="transfer_wrong_state", state=current
        )


@transaction.atomic
def transfer_create(
    *,
    actor: Actor | None,
    source_id: int,
    destination_id: int,
    lines: Iterable[tuple[int, int]],
    note: str = "",
    reservation_id: int | None = None,
    expected_at: datetime | None = None,
) -> Transfer:
    """Plan a move of goods. Either end may ask for it: the source clerk ships, the destination
    (a franchisee short of stock) requests."""
    if source_id == destination_id:
        raise ValidationError("source and destination must differ", code="same_location")
    wanted = normalise_lines((source_id, sku_id, q) for sku_id, q in lines)
    _authorize(None, Perm.TRANSFER, [source_id, destination_id])
    if actor is not None:
        actor.require(Perm.TRANSFER)
        ends = Outlet.objects.filter(pk__in=[source_id, destination_id])
        if not any(actor.scope.covers_outlet(outlet_id=o.pk, region_path=o.region_path) for o in ends):
            raise NotFoundError(f"location {source_id} not found", code="location_not_found")
    _check_skus(k.sku_id for k, _ in wanted)
    transfer = Transfer.objects.create(
        source_id=source_id,
        destination_id=destination_id,
        note=note[:200],
        reservation_id=reservation_id,
        expected_at=expected_at,
        created_by_id=_user_id(actor),
    )
    TransferLine.objects.bulk_create(
        [TransferLine(transfer=transfer, sku_id=k.sku_id, quantity=q) for k, q in wanted]
    )
    return transfer


@transaction.atomic
def transfer_dispatch(*, actor: Actor | None, transfer_id: int) -> Transfer:
    """Goods leave the source and are in transit: on hand at the source drops now."""
    transfer = _transfer_for_update(transfer_id)
    _authorize_transfer(actor, transfer, transfer.source_id)
    _move_state(
        transfer,
        frm=TransferState.DRAFT,
        to=TransferState.IN_TRANSIT,
        dispatched_at=timezone.now(),
        dispatched_by_id=_user_id(actor),
    )
    reference = f"transfer:{transfer.pk}"
    if transfer.reservation_id is not None:
        reservation_commit(
            actor=None,
            reservation_id=transfer.reservation_id,
            kind=MovementKind.TRANSFER_OUT,
            reference=reference,
        )
    else:
        movements = []
        for line in transfer.lines.order_by("sku_id"):
            key = StockKey(transfer.source_id, line.sku_id)
            changed = StockLevel.objects.filter(
                location_id=key.location_id, sku_id=key.sku_id, on_hand__gte=F("reserved") + line.quantity
            ).update(on_hand=F("on_hand") - line.quantity)
            if changed != 1:
                raise _shortage(key, line.quantity)
            movements.append(_movement(key, MovementKind.TRANSFER_OUT, -line.quantity, reference, actor))
        StockMovement.objects.bulk_create(movements)
    transfer.refresh_from_db()
    _tell_owner(TRANSFER_DISPATCHED, transfer)
    return transfer


@transaction.atomic
def transfer_receive(
    *, actor: Actor | None, transfer_id: int, received: dict[int, int] | None = None
) -> Transfer:
    """Goods arrive at the destination. ``received`` maps SKU to the quantity actually there;
    missing SKUs count as fully received. Less than sent makes a short receipt."""
    transfer = _transfer_for_update(transfer_id)
    _authorize_transfer(actor, transfer, transfer.destination_id)
    lines = list(transfer.lines.order_by("sku_id"))
    received = dict(received or {})
    unknown = set(received) - {ln.sku_id for ln in lines}
    if unknown:
        raise ValidationError(f"SKU {min(unknown)} is not on this transfer", code="sku_not_on_transfer")
    for line in lines:
        got = received.get(line.sku_id, line.quantity)
        require_quantity(got, allow_zero=True, field="received")
        if got > line.quantity:
            raise ValidationError(
                f"received {got} of SKU {line.sku_id} but only {line.quantity} were sent",
                code="over_receipt",
                sku_id=line.sku_id,
            )
        line.received_quantity = got
    short = any(ln.received_quantity < ln.quantity for ln in lines)  # type: ignore[operator]
    _move_state(
        transfer,
        frm=TransferState.IN_TRANSIT,
        to=TransferState.SHORT_RECEIVED if short else TransferState.RECEIVED,
        received_at=timezone.now(),
        received_by_id=_user_id(actor),
    )
    keys = [StockKey(transfer.destination_id, ln.sku_id) for ln in lines]
    _ensure_rows(keys)
    movements = []
    for key, line in zip(keys, lines, strict=True):
        TransferLine.objects.filter(pk=line.pk).update(received_quantity=line.received_quantity)
        if line.received_quantity:
            StockLevel.objects.filter(location_id=key.location_id, sku_id=key.sku_id).update(
                on_hand=F("on_hand") + line.received_quantity
            )
            movements.append(
                _movement(
                    key, MovementKind.TRANSFER_IN, line.received_quantity, f"transfer:{transfer.pk}", actor
                )
            )
    StockMovement.objects.bulk_create(movements)
    transfer.refresh_from_db()
    _tell_owner(TRANSFER_RECEIVED, transfer)
    return transfer


@transaction.atomic
def transfer_cancel(*, actor: Actor | None, transfer_id: int) -> Transfer:
    """Only a transfer not yet dispatched can be cancelled; a hold it carried is given back.
    Staff cannot cancel one carrying an order's goods: cancelling the order does."""
    transfer = _transfer_for_update(transfer_id)
    _authorize_transfer(actor, transfer, transfer.source_id)
    kind = _carried_kind(transfer)
    if actor is not None and kind not in (None, OwnerKind.STAFF):
        raise ConflictError(
            f"transfer {transfer.pk} carries goods held for their owner ({kind}) and moves only with it",
            code="reservation_owned",
            owner_kind=kind,
        )
    _move_state(transfer, frm=TransferState.DRAFT, to=TransferState.CANCELLED)
    carried = transfer.reservation_id
    if carried is not None and Reservation.objects.filter(pk=carried, state=ReservationState.HELD).exists():
        reservation_release(actor=None, reservation_id=carried)  # a lapsed hold is already back
    transfer.refresh_from_db()
    return transfer


# --- cycle counts ---------------------------------------------------------------------------


def _open_count(count_id: int, actor: Actor | None) -> CycleCount:
    count = CycleCount.objects.filter(pk=count_id).first()
    if count is None:
        raise NotFoundError(f"count {count_id} not found", code="count_not_found")
    try:
        _authorize(actor, Perm.COUNT, [count.location_id])
    except NotFoundError:  # outside the scope looks like an unknown id, as in count_get
        raise NotFoundError(f"count {count_id} not found", code="count_not_found") from None
    if count.state != CountState.OPEN:
        raise InvalidStateError(
            f"count {count_id} is {count.state}", code="count_not_open", state=count.state
        )
    return count


@transaction.atomic
def count_open(*, actor: Actor | None, location_id: int, sku_ids: Iterable[int] | None = None) -> CycleCount:
    """Start a count of some SKUs (default: everything the location stocks)."""
    _authorize(actor, Perm.COUNT, [location_id])
    if sku_ids is None:
        ids = list(
            StockLevel.objects.filter(location_id=location_id)
            .order_by("sku_id")
            .values_list("sku_id", flat=True)
        )
    else:
        ids = sorted(set(sku_ids))
        _check_skus(ids)
    if not ids:
        raise ValidationError("nothing to count", code="no_lines")
    count = CycleCount.objects.create(location_id=location_id, created_by_id=_user_id(actor))
    CycleCountLine.objects.bulk_create([CycleCountLine(count=count, sku_id=s) for s in ids])
    return count


@transaction.atomic
def count_record(*, actor: Actor | None, count_id: int, sku_id: int, counted: int) -> CycleCountLine:
    """Record what is on the shelf. A SKU found that was not on the list joins the count."""
    require_quantity(counted, allow_zero=True, field="counted")
    count = _open_count(count_id, actor)
    _check_skus([sku_id])
    line, _ = CycleCountLine.objects.get_or_create(count=count, sku_id=sku_id)
    line.counted = counted
    line.save(update_fields=["counted"])
    return line


@transaction.atomic
def count_post(*, actor: Actor | None, count_id: int) -> CycleCount:
    """Make the books match the shelf: post a correction for each counted line.

    Compare-and-set on the on-hand figure read, retried if a sale slips in between. A count
    below what is reserved for customers is refused: those holds must be resolved first.
    """
    count = _open_count(count_id, actor)
    if (
        CycleCount.objects.filter(pk=count.pk, state=CountState.OPEN).update(
            state=CountState.POSTED, posted_at=timezone.now()
        )
        != 1
    ):
        raise InvalidStateError(f"count {count_id} is no longer open", code="count_not_open")
    lines = [ln for ln in count.lines.order_by("sku_id") if ln.counted is not None]
    if not lines:
        raise ValidationError("no line has been counted", code="nothing_counted")
    _ensure_rows(StockKey(count.location_id, ln.sku_id) for ln in lines)
    movements = []
    for line in lines:
        key = StockKey(count.location_id, line.sku_id)
        for _attempt in range(20):
            row = StockLevel.objects.get(location_id=key.location_id, sku_id=key.sku_id)
            if line.counted < row.reserved:  # type: ignore[operator]
                raise CountBelowReservedError(
                    f"counted {line.counted} of SKU {line.sku_id} but {row.reserved} are reserved",
                    sku_id=line.sku_id,
                    counted=line.counted,
                    reserved=row.reserved,
                )
            if (
                StockLevel.objects.filter(pk=row.pk, on_hand=row.on_hand, reserved__lte=line.counted).update(
                    on_hand=line.counted
                )
                == 1
            ):
                break
        else:
            raise ConflictError(
                "stock kept changing while posting the count; try again", code="count_contended"
            )
        line.expected, line.correction = row.on_hand, line.counted - row.on_hand  # type: ignore[operator]
        line.save(update_fields=["expected", "correction"])
        if line.correction:
            movements.append(
                _movement(key, MovementKind.COUNT_CORRECTION, line.correction, f"count:{count.pk}", actor)
            )
    StockMovement.objects.bulk_create(movements)
    count.refresh_from_db()
    return count
