"""The invariants of the stock books, as queries. Used by `manage.py check_inventory` and tests."""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Q, Sum
from django.utils import timezone

from omnipoint.inventory.models import (
    Reservation,
    ReservationLine,
    ReservationState,
    StockLevel,
    StockMovement,
)
from omnipoint.inventory.services import OWNED_KINDS

# Owners of holds (orders) register, in their AppConfig.ready(), a check that each of them that
# still needs its goods has them held: inventory cannot see orders, but must not miss one.
OWNER_CHECKS: dict[str, Callable[[int], list[str]]] = {}


def inventory_breaches(*, limit: int = 50) -> list[str]:
    """Every way the stock books could be wrong, as readable lines; empty when all hold."""
    breaches: list[str] = []
    for row in StockLevel.objects.filter(Q(reserved__lt=0) | Q(reserved__gt=F("on_hand")) | Q(on_hand__lt=0))[
        :limit
    ]:
        breaches.append(
            f"stock {row.location_id}/{row.sku_id}: on_hand={row.on_hand} reserved={row.reserved}"
        )

    moved = {
        (r["location_id"], r["sku_id"]): r["total"]
        for r in StockMovement.objects.values("location_id", "sku_id").annotate(total=Sum("quantity"))
    }
    held = {
        (r["location_id"], r["sku_id"]): r["total"]
        for r in ReservationLine.objects.filter(reservation__state=ReservationState.HELD)
        .values("location_id", "sku_id")
        .annotate(total=Sum("quantity"))
    }
    for location_id, sku_id, on_hand, reserved in StockLevel.objects.values_list(
        "location_id", "sku_id", "on_hand", "reserved"
    ).iterator(chunk_size=5000):
        key = (location_id, sku_id)
        if moved.pop(key, 0) != on_hand:
            breaches.append(f"stock {location_id}/{sku_id}: on_hand={on_hand} but movements sum differently")
        if held.pop(key, 0) != reserved:
            breaches.append(f"stock {location_id}/{sku_id}: reserved={reserved} but held reservations differ")
        if len(breaches) >= limit:
            return breaches
    for (location_id, sku_id), total in list(moved.items()) + list(held.items()):
        if total:
            breaches.append(f"stock {location_id}/{sku_id}: ledger or holds without a stock row")

    # "Where is it" searches the coordinates copied onto the stock rows: they must be the outlet's.
    misplaced = StockLevel.objects.exclude(lat=F("location__lat"), lng=F("location__lng"))
    for location_id, sku_id, lat, lng in misplaced.values_list("location_id", "sku_id", "lat", "lng")[:limit]:
        breaches.append(f"stock {location_id}/{sku_id}: coordinates ({lat}, {lng}) are not its location's")

    grace = timedelta(seconds=settings.RESERVATION_SWEEP_GRACE_SECONDS)
    stale = Reservation.objects.filter(state=ReservationState.HELD, expires_at__lt=timezone.now() - grace)
    for reservation in stale[:limit]:
        breaches.append(
            f"reservation {reservation.pk} ({reservation.owner_ref}) held long past {reservation.expires_at:%Y-%m-%d %H:%M}"
        )
    for kind in sorted(OWNED_KINDS):
        check = OWNER_CHECKS.get(kind)
        if check is None:
            raise ImproperlyConfigured(f"no check is registered for {kind} holds (is its app installed?)")
        breaches += check(limit)
    return breaches[:limit]
