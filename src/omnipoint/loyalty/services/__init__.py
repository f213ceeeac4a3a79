"""Loyalty writes, by sub-domain: points (lots, spending, holds, refunds, expiry), earning on
orders, the wallet (stored value), and top-ups at the counter and online. Every balance change
is a ledger posting (idempotent by key, guarded against overdraft); points lots are decremented
by guarded UPDATEs in expiry order. The reads (balances, tier, a hold's fate, a top-up) are in
``loyalty.selectors``; what points are worth as a tender in ``loyalty.domain``."""

from omnipoint.loyalty.services._shared import MAX_TOPUP
from omnipoint.loyalty.services.earning import points_clawback_for_return, points_earn_for_order
from omnipoint.loyalty.services.points import (
    holds_expire,
    points_award,
    points_capture,
    points_expire,
    points_refund,
    points_release,
    points_spend,
)
from omnipoint.loyalty.services.topups import (
    topup_online_charged,
    topup_online_failed,
    topup_online_open,
    topup_online_paid,
    wallet_topup_at_counter,
)
from omnipoint.loyalty.services.wallet import (
    wallet_capture,
    wallet_refund,
    wallet_release,
    wallet_spend,
    wallet_topup,
)

__all__ = [
    "MAX_TOPUP",
    "holds_expire",
    "points_award",
    "points_capture",
    "points_clawback_for_return",
    "points_earn_for_order",
    "points_expire",
    "points_refund",
    "points_release",
    "points_spend",
    "topup_online_charged",
    "topup_online_failed",
    "topup_online_open",
    "topup_online_paid",
    "wallet_capture",
    "wallet_refund",
    "wallet_release",
    "wallet_spend",
    "wallet_topup",
    "wallet_topup_at_counter",
]
