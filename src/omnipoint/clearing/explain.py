"""The close's explanations in words (``core.explain`` renders them in the reader's language)."""

from django.utils.translation import pgettext_lazy

from omnipoint.clearing.domain import ClearingWhy

TEXTS = {
    ClearingWhy.ADJUSTMENT: pgettext_lazy(
        "explain", "corrects %(corrects)s: recorded after that day was closed"
    ),
}
