"""``{{ fen|fen_yuan }}``: integer fen as money (¥1234.50)."""

from django import template

from omnipoint.core.money import Money

register = template.Library()


@register.filter
def fen_yuan(fen: int | None) -> str:
    return "" if fen is None else str(Money(int(fen)))
