"""What aftersales listens to, subscribed by AftersalesConfig.ready(): an order's goods reached
the customer (orders.hooks.GOODS_HANDED_OVER), so its lines that need people open tickets."""

from omnipoint.aftersales.services import tickets_open_for_goods
from omnipoint.orders.hooks import GOODS_HANDED_OVER, GoodsHandedOver
from omnipoint.outlets.domain import SystemActor

ORDERS = SystemActor(task="orders.goods_handed_over")


def _goods_handed_over(fact: GoodsHandedOver) -> None:
    tickets_open_for_goods(actor=ORDERS, handed_over=fact)


def register_handlers() -> None:
    GOODS_HANDED_OVER.subscribe(_goods_handed_over)
