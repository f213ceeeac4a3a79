"""The last units (the department-store story), raced: many online checkouts and counter sales
at once for a few units. Never more sold than stocked, whatever the interleaving."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from omnipoint.core.errors import DomainError
from omnipoint.inventory.checks import inventory_breaches
from omnipoint.inventory.models import StockLevel
from omnipoint.inventory.services import stock_adjust
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.models import Order
from omnipoint.orders.services import LineRequest, order_cancel, order_payment_applied, order_place
from omnipoint.outlets.domain import SYSTEM

from .threads import run_together

pytestmark = pytest.mark.django_db(transaction=True)
UNITS = 3


def test_online_checkouts_and_counter_sales_never_oversell(network: Any) -> None:
    a, sku = network.a, network.skus[0]
    stock_adjust(actor=SYSTEM, location_id=a.pk, sku_id=sku.pk, delta=UNITS - 10, reason="last units")
    for other in (network.b, network.w, network.c):  # else routing rightly brings more by transfer
        stock_adjust(actor=SYSTEM, location_id=other.pk, sku_id=sku.pk, delta=-10, reason="sold out")
    clerk = get_user_model().objects.get(username="outlet_clerk")
    guest = get_user_model()()  # an anonymous storefront guest: identified by mobile only

    def online(i: int) -> Any:
        return order_place(
            actor=actor_for_user(user=guest),
            channel="web",
            method="pickup",
            payment_mode="online",
            pickup_outlet_id=a.pk,
            mobile=f"1380000{i:04d}",
            lines=[LineRequest(sku.pk, 1)],
        ).pk

    def counter() -> Any:
        order = order_place(
            actor=actor_for_user(user=clerk),
            channel="pos",
            method="counter",
            payment_mode="counter",
            origin_outlet_id=a.pk,
            lines=[LineRequest(sku.pk, 1)],
        )
        order_payment_applied(actor=SYSTEM, order_id=order.pk, paid_total=order.total)  # cash taken at once
        return order.pk

    workers = [lambda i=i: online(i) for i in range(8)] + [counter for _ in range(8)]
    results = run_together(workers)
    placed = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(placed) == UNITS and len(refused) == len(workers) - UNITS
    assert all(e.code == "insufficient_stock" for e in refused)

    row = StockLevel.objects.get(location=a, sku=sku)
    sold = Order.objects.filter(method="counter", state="completed").count()
    held = Order.objects.filter(method="pickup", state="pending").count()
    assert sold + held == UNITS and row.on_hand == UNITS - sold and row.reserved == held
    for order in Order.objects.filter(state="pending"):  # the payments time out
        order_cancel(actor=SYSTEM, order_id=order.pk, reason="payment timed out")
    row.refresh_from_db()
    assert (row.on_hand, row.reserved) == (UNITS - sold, 0)
    assert inventory_breaches() == []
