"""Filters for the order pages: money as staff read it, and QR codes for the customer to scan."""

import segno
from django import template
from django.utils.safestring import SafeString, mark_safe

from omnipoint.core.money import Money

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Integer fen as ¥95.00."""
    return "" if fen is None or fen == "" else str(Money(int(fen)))


@register.filter
def qr_svg(text: str) -> SafeString:
    """An inline SVG QR code: the customer scans the pay link from the counter's screen."""
    svg = segno.make_qr(text, error="m").svg_inline(border=2, title=text, omitsize=True)
    return mark_safe(svg)  # segno builds the SVG and escapes the title
