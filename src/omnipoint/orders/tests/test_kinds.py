"""Product kinds at the orders: what is announced when an order's goods reach the customer."""

import pytest

from omnipoint.catalog.domain import ProductKind
from omnipoint.orders.hooks import GOODS_HANDED_OVER, GoodsHandedOver, HandOver
from omnipoint.orders.models import Order
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.services import payment_capture
from omnipoint.testing import user_of


@pytest.fixture
def announced():
    """Listen to GOODS_HANDED_OVER for the test (as aftersales would), then stop."""
    heard: list[GoodsHandedOver] = []
    GOODS_HANDED_OVER.subscribe(heard.append)
    yield heard
    GOODS_HANDED_OVER._listeners.remove(heard.append)


def test_a_counter_sale_announces_its_lines_with_their_kind_and_installation(api, network, announced):
    sku = network.skus[0]
    body = {
        "channel": "pos",
        "method": "counter",
        "payment_mode": "counter",
        "origin_outlet_id": network.a.pk,
        "mobile": "13900139000",
        "lines": [{"sku_id": sku.pk, "quantity": 1, "installation": True}],
    }
    r = api.post("/api/v1/orders", body, network.auth("outlet_clerk"))
    assert r.status_code == 201, r.json()
    assert announced == []
    payment_capture(actor=actor_get(user=user_of("outlet_clerk")), order_id=r.json()["id"], method="cash")
    order = Order.objects.get(pk=r.json()["id"])
    assert order.state == "completed"
    [fact] = announced
    assert (fact.order_id, fact.how, fact.outlet_id, fact.member_id) == (
        order.pk,
        HandOver.COUNTER,
        network.a.pk,
        order.member_id,
    )
    [line] = fact.lines
    assert (line.sku_id, line.kind, line.quantity, line.installation, line.needs_ticket) == (
        sku.pk,
        ProductKind.GOODS,
        1,
        True,
        True,
    )
    assert fact.ticket_lines == (line,)
