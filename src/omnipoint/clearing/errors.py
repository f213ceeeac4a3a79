"""Refusals of the books as the console shows them: the stable code in the reader's language,
the service's English message for a code not listed here."""

from typing import Any

from django.utils.translation import gettext_lazy

from omnipoint.core.errors import DomainError

_TEXT = {
    "forbidden": gettext_lazy("Your role may not do this."),
    "not_staff": gettext_lazy("This account has no staff role."),
    "invalid_day": gettext_lazy("Give the day as year-month-day, for example 2026-12-01."),
    "day_not_over": gettext_lazy("%(day)s is not over yet: a day is closed once it has ended."),
    "previous_day_open": gettext_lazy("Close %(open_day)s first: days are closed in order."),
    "before_first_close": gettext_lazy("%(day)s is before the first closed day."),
    "day_locked": gettext_lazy(
        "%(day)s is closed and %(changed)s of its figures have changed since: the next close books the difference."
    ),
    "day_not_closed": gettext_lazy("%(day)s is not closed yet."),
    "node_not_found": gettext_lazy("Not found in your area."),
    "outlet_not_found": gettext_lazy("Outlet not found in your area."),
    "no_counter": gettext_lazy("This outlet has no counter."),
    "shift_already_open": gettext_lazy("You already have an open shift: close it first."),
    "shift_closed": gettext_lazy("This shift is already closed."),
    "shift_not_found": gettext_lazy("Shift not found."),
    "invalid_amount": gettext_lazy("Enter the cash counted in yuan, zero or more."),
    "invalid_input": gettext_lazy("Check what you entered."),
}


def error_text(error: DomainError) -> str:
    template = _TEXT.get(error.code)
    if template is None:
        return error.message
    details: dict[str, Any] = {"day": "", "open_day": "", "changed": ""} | error.details
    try:
        return str(template) % details
    except (KeyError, TypeError, ValueError):
        return error.message
