"""Refusals of reconciliation as the console shows them: the stable code in the reader's
language, the service's English message for a code not listed here."""

from typing import Any

from django.utils.translation import gettext_lazy

from omnipoint.core.errors import DomainError

_TEXT = {
    "forbidden": gettext_lazy("Your role may not do this."),
    "not_staff": gettext_lazy("This account has no staff role."),
    "invalid_day": gettext_lazy("Give the day as year-month-day, for example 2026-12-01."),
    "day_not_over": gettext_lazy("The provider's statement of %(day)s exists from the next day on."),
    "malformed_statement": gettext_lazy(
        "The file is not the provider's trade statement (line %(line)s): nothing was imported."
    ),
    "statement_exists": gettext_lazy("The statement of %(day)s is already imported, from another file."),
    "statement_unavailable": gettext_lazy("The provider has no statement for this day."),
    "provider_not_found": gettext_lazy("The online payment provider is not enabled here."),
    "run_not_found": gettext_lazy("No statement of %(day)s is imported."),
    "difference_not_found": gettext_lazy("Difference not found."),
    "not_repairable": gettext_lazy("Only a lost notification is repaired."),
    "repair_refused": gettext_lazy("The provider does not say this payment was paid: nothing was changed."),
    "already_resolved": gettext_lazy("This difference is already resolved."),
    "invalid_reason": gettext_lazy("Choose a reason."),
    "note_required": gettext_lazy("Say why, in at most 200 characters."),
    "no_file": gettext_lazy("Choose the statement file to upload."),
}


def error_text(error: DomainError) -> str:
    template = _TEXT.get(error.code)
    if template is None:
        return error.message
    details: dict[str, Any] = {"day": "", "line": ""} | error.details
    try:
        return str(template) % details
    except (KeyError, TypeError, ValueError):
        return error.message
