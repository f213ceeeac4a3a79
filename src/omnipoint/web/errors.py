"""Refusals as the console shows them: the service's stable code, in the reader's language.

Services word their messages in English for API clients and logs; the console turns the code
(and its details) into a translated sentence, and falls back to the service's message for a
code it does not know yet.
"""

from typing import Any

from django.utils.translation import gettext_lazy

from omnipoint.core.errors import DomainError
from omnipoint.inventory.models import CountState, TransferState

_TEXT = {
    "not_found": gettext_lazy("Not found."),
    "transfer_not_found": gettext_lazy("Transfer not found."),
    "count_not_found": gettext_lazy("Count not found."),
    "location_not_found": gettext_lazy("Outlet not found in your area."),
    "outlet_not_found": gettext_lazy("Outlet not found in your area."),
    "sku_not_found": gettext_lazy("Unknown SKU."),
    "unknown_sku": gettext_lazy("No SKU has the code or barcode “%(query)s”."),
    "forbidden": gettext_lazy("Your role may not do this."),
    "not_staff": gettext_lazy("This account has no staff role."),
    "invalid_quantity": gettext_lazy("Invalid quantity “%(value)s”."),
    "insufficient_stock": gettext_lazy("Not enough stock: %(available)s available, %(requested)s needed."),
    "same_location": gettext_lazy("Source and destination must be different outlets."),
    "no_lines": gettext_lazy("Add at least one line."),
    "too_many_lines": gettext_lazy("Too many lines."),
    "sku_not_on_transfer": gettext_lazy("That SKU is not on this transfer."),
    "over_receipt": gettext_lazy("More received than was sent."),
    "transfer_wrong_state": gettext_lazy("This transfer is now “%(state)s”; the action no longer applies."),
    "count_not_open": gettext_lazy("This count is no longer open."),
    "nothing_counted": gettext_lazy("Nothing has been counted yet."),
    "count_below_reserved": gettext_lazy(
        "Counted %(counted)s but %(reserved)s are reserved for customers: resolve those first."
    ),
    "count_contended": gettext_lazy("Stock kept changing while posting the count; try again."),
    "invalid_radius": gettext_lazy("The radius must be more than 0 and at most 200 km."),
    "invalid_coordinates": gettext_lazy("Coordinates are out of range."),
    "outlet_required": gettext_lazy("Choose an outlet."),
    "source_required": gettext_lazy("Choose a source outlet."),
    "destination_required": gettext_lazy("Choose a destination outlet."),
    "invalid_radius_km": gettext_lazy("The radius must be a number."),
}

_STATES = dict(TransferState.choices) | dict(CountState.choices)


def error_text(error: DomainError) -> str:
    template = _TEXT.get(error.code)
    if template is None:
        return error.message
    details: dict[str, Any] = {"query": "", "value": ""} | dict(error.details)
    if "state" in details:
        details["state"] = _STATES.get(details["state"], details["state"])
    try:
        return str(template) % details
    except (KeyError, TypeError, ValueError):
        return error.message
