"""A price's reasons in words (``core.explain`` renders them in the reader's language)."""

from django.utils.translation import npgettext_lazy, pgettext_lazy

from omnipoint.catalog.domain import PriceWhy

TEXTS = {
    PriceWhy.LIST_FOR_REGION: pgettext_lazy("explain", "price list “%(price_list)s” for %(region)s"),
    PriceWhy.LIST_FOR_NETWORK: pgettext_lazy("explain", "price list “%(price_list)s” for the whole network"),
    PriceWhy.CHANNEL_PRICE: pgettext_lazy("explain", "a price set for the %(channel)s channel"),
    PriceWhy.SAME_ON_EVERY_CHANNEL: pgettext_lazy("explain", "the same price on every channel"),
    PriceWhy.OVERRIDES: npgettext_lazy(
        "explain",
        "overrides %(count)s less specific price",
        "overrides %(count)s less specific prices",
        "count",
    ),
    PriceWhy.AS_SET: pgettext_lazy("explain", "as set"),
}
