from django import template

from omnipoint.core.money import Money

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    return "" if fen is None else str(Money(int(fen)))


@register.filter
def of(mapping: dict[str, str], key: str) -> str:
    return mapping.get(key, key)


@register.filter
def stars(n: int | None) -> str:
    return "★" * int(n or 0) + "☆" * (5 - int(n or 0))
