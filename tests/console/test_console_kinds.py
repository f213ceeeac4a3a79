"""The counter sells a service and a mobile top-up with no stock: the picker says none is
needed, the top-up goes to the number typed (or the customer's own), and the receipt tells
what became of it once the sandbox carrier confirms."""

import pytest
from tests.console.test_console_orders import login

from omnipoint.orders.models import Order
from omnipoint.outlets.domain import SYSTEM
from omnipoint.testing import services_and_virtual
from omnipoint.virtuals import sandbox
from omnipoint.virtuals.models import VirtualFulfilment
from omnipoint.virtuals.services import virtual_send

pytestmark = pytest.mark.django_db


def test_the_counter_sells_a_service_and_a_top_up_end_to_end(client, network):
    service, topup = services_and_virtual(network)
    login(client, "outlet_clerk")
    picker = client.post("/console/pos/", {"q": "空调安装", "qty": "1"})
    assert picker.status_code == 302  # one match: straight into the basket
    assert client.post("/console/pos/", {"q": topup.code, "qty": "1"}).status_code == 302
    page = client.get("/console/pos/").content.decode()
    assert 'data-testid="topup-target"' in page
    response = client.post("/console/pos/checkout/", {"customer": "13900139000", "target": "13900139006"})
    assert response.status_code == 302, response.content.decode()[:500]
    order = Order.objects.order_by("-pk").first()
    assert sorted(order.lines.values_list("kind", "target")) == [
        ("service", ""),
        ("virtual", "13900139006"),
    ]
    assert client.post(f"/console/pos/{order.pk}/cash/", {"given": "200"}).status_code == 302
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("completed", "paid")

    row = VirtualFulfilment.objects.get()
    assert virtual_send(actor=SYSTEM, fulfilment_id=row.pk) == "requested"
    receipt = client.get(f"/console/pos/{order.pk}/receipt/").content.decode()
    assert "充值到 139****9006" in receipt and "等待运营商确认" in receipt
    body, headers = sandbox.callback_build(sandbox.topup_settle(merchant_ref=row.merchant_ref))
    client.post(
        sandbox.callback_path(),
        data=body,
        content_type="application/json",
        HTTP_X_VIRTUAL_SIGNATURE=headers[sandbox.SIGNATURE_HEADER],
    )
    receipt = client.get(f"/console/pos/{order.pk}/receipt/").content.decode()
    assert 'data-state="fulfilled"' in receipt and "已到账" in receipt
    detail = client.get(f"/console/orders/{order.pk}/").content.decode()
    assert "充值已到账" in detail
