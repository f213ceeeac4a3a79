"""Refusals of settlement as the console shows them: the stable code in the reader's language,
the service's English message for a code not listed here."""

from typing import Any

from django.utils.translation import gettext_lazy, pgettext_lazy

from omnipoint.core.errors import DomainError

_TEXT = {
    "forbidden": gettext_lazy("Your role may not do this."),
    "not_staff": gettext_lazy("This account has no staff role."),
    "invalid_period": gettext_lazy(
        "Give the period as 2026-11 (a month), 2026-11-H1 or -H2 (half a month) or 2026-W47 (a week)."
    ),
    "period_in_future": gettext_lazy("%(period)s has not begun."),
    "period_not_over": gettext_lazy("%(period)s is not over until %(last_day)s."),
    "statement_not_found": gettext_lazy("Statement not found in your area."),
    "job_not_found": gettext_lazy("Not found in your area."),
    "statement_not_draft": gettext_lazy("This statement is already confirmed."),
    "statement_not_confirmed": gettext_lazy("Confirm the statement before paying it."),
    "statement_paid": gettext_lazy("This statement is already paid."),
    "pay_key_reused": gettext_lazy("This payment was made for another statement: reload the page."),
    "invalid_key": gettext_lazy("Reload the page and try again."),
    "unknown_format": gettext_lazy("Choose CSV, XLSX or PDF."),
    # the parties and their terms
    "invalid_kind": pgettext_lazy("settlement", "Choose what kind of party it is."),
    "invalid_cycle": pgettext_lazy("settlement", "Choose a cycle: an agent point is settled monthly."),
    "invalid_rate": pgettext_lazy(
        "settlement", "A rate is from 0 to 1 with at most four decimals: 0.18 for eighteen percent."
    ),
    "invalid_name": pgettext_lazy("settlement", "Give the party a name of at most 120 characters."),
    "not_rated": pgettext_lazy("settlement", "Only suppliers and franchise stores have rates."),
    "not_franchise": pgettext_lazy("settlement", "That outlet is not a franchise store."),
    "supplier_not_found": pgettext_lazy("settlement", "Choose a concession supplier."),
    "outlet_not_found": pgettext_lazy("settlement", "Choose an outlet in your area."),
    "staff_not_found": pgettext_lazy("settlement", "Choose a salesperson in your area."),
    "region_not_found": pgettext_lazy("settlement", "No region has this code."),
    "node_not_found": pgettext_lazy("settlement", "Not found in your area."),
    "party_not_found": pgettext_lazy("settlement", "Party not found in your area."),
    "category_not_found": pgettext_lazy("settlement", "Choose a category."),
    "rate_not_found": pgettext_lazy("settlement", "That category has no rate of its own."),
}


def error_text(error: DomainError) -> str:
    template = _TEXT.get(error.code)
    if template is None:
        return error.message
    details: dict[str, Any] = {"period": "", "last_day": ""} | error.details
    try:
        return str(template) % details
    except (KeyError, TypeError, ValueError):
        return error.message
