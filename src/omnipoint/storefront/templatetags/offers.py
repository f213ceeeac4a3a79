from django import template

from omnipoint.storefront import offers

register = template.Library()


@register.filter
def mul(value: int, by: int) -> int:
    return int(value) * int(by)


@register.filter
def offer_lines(explanation: list[object] | None) -> list[str]:
    """The promotions and coupons in a line's price explanation, in the customer's language."""
    return offers.offer_lines(explanation or [])
