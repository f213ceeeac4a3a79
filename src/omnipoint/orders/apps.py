from django.apps import AppConfig

from omnipoint.core.explain import register
from omnipoint.loyalty.hooks import MEMBER_SPEND
from omnipoint.orders.explain import TEXTS
from omnipoint.payments.hooks import ORDER_FOR_PAYMENT, ORDER_REFUNDED, PAYMENT_APPLIED


class OrdersConfig(AppConfig):
    name = "omnipoint.orders"
    label = "orders"

    def ready(self) -> None:
        from omnipoint.orders.selectors import member_spend_since, order_for_payment
        from omnipoint.orders.services import (
            order_payment_applied,
            order_refunded,
            register_inventory_handlers,
        )

        register(TEXTS)
        register_inventory_handlers()
        MEMBER_SPEND.register(member_spend_since)
        PAYMENT_APPLIED.register(
            lambda order_id, paid_total: order_payment_applied(order_id=order_id, paid_total=paid_total)
        )
        ORDER_FOR_PAYMENT.register(order_for_payment)
        ORDER_REFUNDED.register(
            lambda order_id, paid, refunded, user_id: order_refunded(
                order_id=order_id, paid=paid, refunded=refunded, user_id=user_id
            )
        )
