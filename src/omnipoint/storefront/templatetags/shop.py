import segno
from django import template
from django.utils.safestring import SafeString, mark_safe

from omnipoint.core.money import Money

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Integer fen as the customer reads it: ¥95.00."""
    return "" if fen is None else str(Money(int(fen)))


@register.filter
def km(distance: float) -> str:
    return f"{distance * 1000:.0f} m" if distance < 1 else f"{distance:.1f} km"


@register.filter
def qr_svg(text: str) -> SafeString:
    """An inline SVG QR code, so the clerk can scan it from the customer's phone."""
    svg = segno.make_qr(text, error="m").svg_inline(border=2, title=text, omitsize=True)
    return mark_safe(svg)  # segno builds the SVG and escapes the title
