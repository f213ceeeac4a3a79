import segno
from django import template
from django.utils.safestring import SafeString, mark_safe

from omnipoint.core.money import Money

register = template.Library()


@register.filter
def fen_yuan(fen: int | None) -> str:
    return "" if fen is None else str(Money(int(fen)))


@register.filter
def kg(grams: int | None) -> str:
    return "" if grams is None else f"{int(grams) / 1000:.2f}"


@register.filter
def pay_qr(url: str) -> SafeString:
    svg = segno.make_qr(url, error="m").svg_inline(scale=4, border=2, title=url, omitsize=True)
    return mark_safe(svg)  # segno builds the SVG and escapes the title
