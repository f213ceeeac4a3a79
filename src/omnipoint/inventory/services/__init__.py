"""Every change to stock. Each quantity change is a guarded conditional UPDATE whose WHERE
clause states the invariant it must keep, followed by a check that exactly the expected rows
changed, plus a row in the insert-only movement ledger. Nothing reads a quantity, decides in
Python and writes it back (except count posting, which compare-and-sets on the value it read).

Every service takes a keyword-only ``actor`` and authorises it itself: a staff member acting
through the API or console is checked for permission and scope (outside the scope looks like
not existing); ``SYSTEM`` (``outlets.domain``) is the platform: the reservation sweep, and the
services of higher apps (orders) that have already authorised the whole operation, which may
also name an owner kind and move holds that staff may not.

By sub-domain: ``levels`` (stock in and out, safety stock), ``reservations`` (holds and the
sweep), ``holds`` (the same holds in group commit, folded across processes), ``transfers``, ``counts``, ``moves`` (book moves between locations); ``owners`` holds what the owners of holds register.
"""

from omnipoint.inventory.services.counts import count_open, count_post, count_record
from omnipoint.inventory.services.holds import stock_hold
from omnipoint.inventory.services.levels import (
    stock_adjust,
    stock_coordinates_sync,
    stock_receive,
    stock_sell,
    stock_set_safety,
)
from omnipoint.inventory.services.moves import stock_move
from omnipoint.inventory.services.owners import (
    HOLD_LAPSED,
    OWNED_KINDS,
    TRANSFER_DISPATCHED,
    TRANSFER_RECEIVED,
)
from omnipoint.inventory.services.reservations import (
    reservation_commit,
    reservation_release,
    reservation_renew,
    reservations_expire,
    stock_reserve,
)
from omnipoint.inventory.services.transfers import (
    transfer_cancel,
    transfer_create,
    transfer_dispatch,
    transfer_receive,
)

__all__ = [
    "HOLD_LAPSED",
    "OWNED_KINDS",
    "TRANSFER_DISPATCHED",
    "TRANSFER_RECEIVED",
    "count_open",
    "count_post",
    "count_record",
    "reservation_commit",
    "reservation_release",
    "reservation_renew",
    "reservations_expire",
    "stock_adjust",
    "stock_coordinates_sync",
    "stock_hold",
    "stock_move",
    "stock_receive",
    "stock_reserve",
    "stock_sell",
    "stock_set_safety",
    "transfer_cancel",
    "transfer_create",
    "transfer_dispatch",
    "transfer_receive",
]
