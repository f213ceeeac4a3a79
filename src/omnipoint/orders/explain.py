"""A routing decision's reasons in words (``core.explain`` renders them in the reader's language)."""

from django.utils.translation import npgettext_lazy, pgettext_lazy

from omnipoint.orders.domain import OrderWhy, RouteWhy

TEXTS = {
    RouteWhy.ONE_LOCATION: pgettext_lazy("explain", "one location holds every line"),
    RouteWhy.FEWEST_SHIPMENTS: pgettext_lazy(
        "explain", "no single location holds every line; %(count)s shipments is the fewest"
    ),
    RouteWhy.GREEDY_COVER: pgettext_lazy(
        "explain", "%(count)s shipments, chosen location by location (more than %(most)s needed)"
    ),
    RouteWhy.DO_NOT_SHIP: npgettext_lazy(
        "explain",
        "%(count)s location with stock does not ship",
        "%(count)s locations with stock do not ship",
        "count",
    ),
    RouteWhy.BEYOND_RADIUS: npgettext_lazy(
        "explain",
        "%(count)s shipping location is beyond its delivery radius",
        "%(count)s shipping locations are beyond their delivery radius",
        "count",
    ),
    RouteWhy.SHIPS: npgettext_lazy(
        "explain",
        "%(location)s ships %(count)s line, %(km)s km away",
        "%(location)s ships %(count)s lines, %(km)s km away",
        "count",
    ),
    RouteWhy.HOLDS_FOR_PICKUP: npgettext_lazy(
        "explain",
        "%(location)s holds %(held)s of %(count)s line for pickup",
        "%(location)s holds %(held)s of %(count)s lines for pickup",
        "count",
    ),
    RouteWhy.LACKS_FOR_PICKUP: npgettext_lazy(
        "explain",
        "%(location)s lacks %(count)s line: bringing it by transfer",
        "%(location)s lacks %(count)s lines: bringing them by transfer",
        "count",
    ),
    RouteWhy.TRANSFER_FROM: pgettext_lazy("explain", "transfer from %(location)s, %(km)s km from %(pickup)s"),
    RouteWhy.COUNTER_SALE: pgettext_lazy("explain", "counter sale at %(location)s"),
    RouteWhy.FLASH_POOL: pgettext_lazy("explain", "from the flash sale's pool %(location)s"),
    OrderWhy.PAY_AT_OUTLET: pgettext_lazy("explain", "pay at outlet"),
    OrderWhy.PAY_ON_DELIVERY: pgettext_lazy("explain", "pay on delivery"),
    OrderWhy.PAID_ONLINE: pgettext_lazy("explain", "paid online"),
    OrderWhy.TRANSFER_RECEIVED: pgettext_lazy("explain", "transfer received"),
    OrderWhy.REFUNDED_IN_FULL: pgettext_lazy("explain", "refunded in full"),
    OrderWhy.PAYMENT_TIMED_OUT: pgettext_lazy("explain", "payment timed out"),
    OrderWhy.HOLD_LAPSED: pgettext_lazy("explain", "not collected or fulfilled in time: the hold lapsed"),
    OrderWhy.GOODS_ON_THE_ROAD: pgettext_lazy("explain", "goods on the road"),
}
