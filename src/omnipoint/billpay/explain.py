"""How a bill payment ended, in words (``core.explain`` renders them in the reader's language)."""

from django.utils.translation import pgettext_lazy

from omnipoint.billpay.domain import BillWhy

TEXTS = {
    BillWhy.CONFIRMED: pgettext_lazy("explain", "the biller confirmed the payment"),
    BillWhy.REFUSED: pgettext_lazy("explain", "the biller refused the payment: the money was given back"),
    BillWhy.ACCOUNT_CLOSED: pgettext_lazy(
        "explain", "the biller says the account is closed: the money was given back"
    ),
    BillWhy.AMOUNT_CHANGED: pgettext_lazy(
        "explain", "the biller says the bill has changed: the money was given back, look the bill up again"
    ),
    BillWhy.ALREADY_PAID: pgettext_lazy(
        "explain", "the biller says the bill is already paid: the money was given back"
    ),
    BillWhy.TIMED_OUT: pgettext_lazy(
        "explain", "the biller did not confirm by %(deadline_at)s: reversed, the money was given back"
    ),
    BillWhy.NOT_PAID: pgettext_lazy(
        "explain", "the online payment was not made by %(deadline_at)s: nothing was taken"
    ),
}
