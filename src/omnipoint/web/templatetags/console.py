from typing import Any

from django import template
from django.utils.translation import get_language, pgettext_lazy

from omnipoint.catalog.domain import variant_label

register = template.Library()


@register.filter
def local_name(obj: Any) -> str:
    """A catalogue name in the reader's language: the English name when reading English and one
    exists, else the (Chinese) name."""
    english = getattr(obj, "name_en", "")
    if english and (get_language() or "").startswith("en"):
        return str(english)
    return str(getattr(obj, "name", obj))


@register.filter
def variant(sku: Any) -> str:
    """A SKU's variant as staff read it: its attributes (colour, size) joined, or nothing."""
    return variant_label(getattr(sku, "attributes", None) or {})


POSTINGS = {
    "earn": pgettext_lazy("posting", "Points earned"),
    "spend": pgettext_lazy("posting", "Spent"),
    "expire": pgettext_lazy("posting", "Points expired"),
    "refund": pgettext_lazy("posting", "Refunded"),
    "clawback": pgettext_lazy("posting", "Points taken back"),
    "topup": pgettext_lazy("posting", "Top-up"),
    "topup-bonus": pgettext_lazy("posting", "Top-up bonus"),
    "commission": pgettext_lazy("posting", "Commission"),
    "commission_reversal": pgettext_lazy("posting", "Commission reversed"),
}


@register.filter
def posting_label(code: str) -> str:
    """What a ledger posting was for, as staff read it (the code when it has no name yet)."""
    return str(POSTINGS.get(code, code))
