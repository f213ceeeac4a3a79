"""Writes of parcels, by sub-domain: accepting (at the counter, priced by the network's rate
table; the table itself), paying (the tenders, the ledger, voids and the expiry of unpaid
parcels, the gateway's QR charge), tracking (scans, the carrier's webhooks, holding at an outlet
and collection by code)."""

from omnipoint.parcels.services.accepting import Party, parcel_accept, rate_table_set
from omnipoint.parcels.services.paying import (
    parcel_pay,
    parcel_void,
    parcels_expire_unpaid,
    parcels_settle_qr,
)
from omnipoint.parcels.services.tracking import (
    Applied,
    WrongPickupCodeError,
    parcel_collect,
    parcel_scan,
    webhook_receive,
)

__all__ = [
    "Applied",
    "Party",
    "WrongPickupCodeError",
    "parcel_accept",
    "parcel_collect",
    "parcel_pay",
    "parcel_scan",
    "parcel_void",
    "parcels_expire_unpaid",
    "parcels_settle_qr",
    "rate_table_set",
    "webhook_receive",
]
