"""What the owners of holds register: orders, whose holds move with the order, say in their
AppConfig.ready() what happens when a hold lapses or its goods travel."""

from collections.abc import Callable
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured

from omnipoint.inventory.models import (
    OwnerKind,
    Reservation,
    Transfer,
)

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
