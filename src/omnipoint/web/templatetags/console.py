from typing import Any

from django import template
from django.utils.translation import get_language

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
    attributes = getattr(sku, "attributes", None) or {}
    return " / ".join(str(v) for v in attributes.values())
