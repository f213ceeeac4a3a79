from typing import Any

import segno
from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def booking_qr(code: str) -> SafeString:
    """The booking code as an inline SVG QR, read at check-in."""
    svg = segno.make_qr(code, error="m").svg_inline(border=2, title=code, omitsize=True)
    return mark_safe(svg)  # segno builds the SVG and escapes the title


@register.filter
def local_hm(moment) -> str:  # type: ignore[no-untyped-def]
    return timezone.localtime(moment).strftime("%H:%M") if moment else ""


@register.filter
def minutes(seconds: int | None) -> str:
    return "" if seconds is None else str(round(seconds / 60))


@register.filter
def material_name(item: Any, language: str) -> str:
    """A checklist item's name (a service's ``{"name", "name_en"}``, or a ``MaterialItem``)."""
    key = "name_en" if language.startswith("en") else "name"
    return str(item.get(key, "") if isinstance(item, dict) else getattr(item, key, ""))


@register.filter
def service_name(service, language: str) -> str:  # type: ignore[no-untyped-def]
    return service.name_en if language.startswith("en") else service.name
