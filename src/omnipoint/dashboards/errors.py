"""Refusals of the dashboard as the console shows them, in the reader's language."""

from typing import Any

from django.utils.translation import pgettext_lazy

from omnipoint.core.errors import DomainError

_TEXT = {
    "invalid_day": pgettext_lazy("dashboard", "Give the day as year-month-day, for example 2026-12-01."),
    "day_in_future": pgettext_lazy("dashboard", "That day has not happened yet: the last day is %(today)s."),
    "invalid_range": pgettext_lazy("dashboard", "The first day comes after the last."),
    "range_too_long": pgettext_lazy("dashboard", "A dashboard covers at most %(max_days)s days."),
    "node_not_found": pgettext_lazy("dashboard", "Not found in your area."),
    "forbidden": pgettext_lazy("dashboard", "Your role may not do this."),
}


def error_text(error: DomainError) -> str:
    template = _TEXT.get(error.code)
    if template is None:
        return error.message
    details: dict[str, Any] = {"today": "", "max_days": ""} | error.details
    try:
        return str(template) % details
    except (KeyError, TypeError, ValueError):
        return error.message
