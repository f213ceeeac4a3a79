"""The storefront's conversion funnel (visits -> carts -> orders), with no ORM.

A step is counted once per visitor (a random id kept in their session) per business day: the
storefront records it the first time the visitor reaches it that day, so a page view costs at
most one insert per step and day, and usually none."""

import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import pgettext_lazy

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")  # as the books' business day (clearing.domain)


class Step(models.TextChoices):
    VISIT = "visit", pgettext_lazy("dashboard", "Visited the shop")
    CART = "cart", pgettext_lazy("dashboard", "Put something in the cart")
    ORDER = "order", pgettext_lazy("dashboard", "Placed an order")


STEPS = [Step.VISIT, Step.CART, Step.ORDER]


def new_visitor() -> str:
    """A random id for a browser session: nothing about the person behind it."""
    return secrets.token_hex(8)


@dataclass(frozen=True)
class Funnel:
    """How many visitors reached each step, in funnel order."""

    visits: int
    carts: int
    orders: int

    def rate(self, step: str) -> float | None:
        """The share of the visitors who reached ``step`` (None when nobody visited)."""
        if not self.visits:
            return None
        reached = {Step.VISIT: self.visits, Step.CART: self.carts, Step.ORDER: self.orders}[Step(step)]
        return round(reached / self.visits, 4)
