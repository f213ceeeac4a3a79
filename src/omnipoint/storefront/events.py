"""Order history as the customer reads it: each event kind in their language."""

from django.utils.translation import pgettext, pgettext_lazy

from omnipoint.core.money import Money

_LABELS = {
    "placed": pgettext_lazy("shop", "Order placed"),
    "confirmed": pgettext_lazy("shop", "Order confirmed"),
    "paid": pgettext_lazy("shop", "Paid"),
    "task_claim": pgettext_lazy("shop", "An outlet is preparing your order"),
    "task_picked": pgettext_lazy("shop", "Goods picked"),
    "task_packed": pgettext_lazy("shop", "Goods packed"),
    "task_ready": pgettext_lazy("shop", "Ready for pickup"),
    "task_handed_over": pgettext_lazy("shop", "Handed to the carrier"),
    "transfer_received": pgettext_lazy("shop", "Goods arrived at the pickup outlet"),
    "ready": pgettext_lazy("shop", "Ready for pickup"),
    "completed": pgettext_lazy("shop", "Completed"),
    "cancelled": pgettext_lazy("shop", "Cancelled"),
    "returned": pgettext_lazy("shop", "Goods returned"),
    "virtual_fulfilled": pgettext_lazy("shop", "Top-up credited"),
    "virtual_refused": pgettext_lazy("shop", "Top-up refused, refunded"),
}


def event_label(kind: str) -> str:
    return str(_LABELS.get(kind, kind.replace("_", " ")))


_STATES = {
    "pending": pgettext_lazy("shop", "Awaiting payment"),
    "confirmed": pgettext_lazy("shop", "Confirmed"),
    "ready": pgettext_lazy("shop", "Ready for pickup"),
    "shipped": pgettext_lazy("shop", "Handed to the carrier"),
    "completed": pgettext_lazy("shop", "Completed"),
    "cancelled": pgettext_lazy("shop", "Cancelled"),
}
_PAYMENT = {
    "unpaid": pgettext_lazy("shop", "Unpaid"),
    "paid": pgettext_lazy("shop", "Paid"),
    "partly_refunded": pgettext_lazy("shop", "Partly refunded"),
    "refunded": pgettext_lazy("shop", "Refunded"),
}


def state_label(state: str) -> str:
    return str(_STATES.get(state, state))


def payment_label(state: str) -> str:
    return str(_PAYMENT.get(state, state))


def returned_text(amount: int, *, cancelled: bool) -> str:
    """A payment that arrived when the order no longer took money went straight back: say so.
    (Only two things send it back: the order was already paid in full, or it was cancelled.)"""
    if cancelled:
        text = pgettext(
            "shop",
            "A payment of %(amount)s arrived after this order was paid or cancelled."
            " It has been refunded in full, the way you paid.",
        )
    else:
        text = pgettext(
            "shop",
            "You paid %(amount)s again after this order was already paid."
            " It has been refunded in full, the way you paid.",
        )
    return text % {"amount": str(Money(amount))}
