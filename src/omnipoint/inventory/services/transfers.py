"""Transfers between locations: planned, dispatched (on hand leaves the source), received in
full or short, or cancelled before they leave; a transfer may carry a hold with it."""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from omnipoint.core.errors import (
    ConflictError,
    InvalidStateError,
    NotFoundError,
    ValidationError,
    require_quantity,
)
from omnipoint.inventory.domain import StockKey, normalise_lines
from omnipoint.inventory.models import (
    MovementKind,
    OwnerKind,
    Reservation,
    ReservationState,
    StockLevel,
    StockMovement,
    Transfer,
    TransferLine,
    TransferState,
)
from omnipoint.inventory.services._base import (
    _authorize,
    _check_skus,
    _ensure_rows,
    _movement,
    _shortage,
    _user_id,
)
from omnipoint.inventory.services.owners import TRANSFER_DISPATCHED, TRANSFER_RECEIVED, _owner_handler
from omnipoint.inventory.services.reservations import reservation_commit, reservation_release
from omnipoint.outlets.domain import SYSTEM, Perm, StaffActor
from omnipoint.outlets.models import Outlet

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


def _authorize_transfer(actor: StaffActor, transfer: Transfer, end_id: int) -> None:
    """Only one end acts (the source dispatches, the destination receives). Staff who see neither
    end are told what an unknown id would tell them, as transfer_get does."""
    if not any(
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
    actor: StaffActor,
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
    _authorize(SYSTEM, Perm.TRANSFER, [source_id, destination_id])  # both ends exist
    if not actor.is_system:
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
def transfer_dispatch(*, actor: StaffActor, transfer_id: int) -> Transfer:
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
            actor=SYSTEM,  # the transfer is authorised: its carried hold goes with it
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
    *, actor: StaffActor, transfer_id: int, received: dict[int, int] | None = None
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
def transfer_cancel(*, actor: StaffActor, transfer_id: int) -> Transfer:
    """Only a transfer not yet dispatched can be cancelled; a hold it carried is given back.
    Staff cannot cancel one carrying an order's goods: cancelling the order does."""
    transfer = _transfer_for_update(transfer_id)
    _authorize_transfer(actor, transfer, transfer.source_id)
    kind = _carried_kind(transfer)
    if not actor.is_system and kind not in (None, OwnerKind.STAFF):
        raise ConflictError(
            f"transfer {transfer.pk} carries goods held for their owner ({kind}) and moves only with it",
            code="reservation_owned",
            owner_kind=kind,
        )
    _move_state(transfer, frm=TransferState.DRAFT, to=TransferState.CANCELLED)
    carried = transfer.reservation_id
    if carried is not None and Reservation.objects.filter(pk=carried, state=ReservationState.HELD).exists():
        reservation_release(actor=SYSTEM, reservation_id=carried)  # a lapsed hold is already back
    transfer.refresh_from_db()
    return transfer
