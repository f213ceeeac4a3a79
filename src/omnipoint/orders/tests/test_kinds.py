"""Product kinds at the orders: goods take stock; a service and a virtual item sell without it;
a virtual item is fulfilled by its provider (the sandbox), and a refused one is refunded; what is
announced when an order's goods reach the customer."""

from io import StringIO

import pytest
from django.core.management import call_command

from omnipoint.catalog.domain import ProductKind
from omnipoint.inventory.models import StockLevel
from omnipoint.loyalty import selectors as loyalty_selectors
from omnipoint.loyalty import services as loyalty
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.hooks import GOODS_HANDED_OVER, GoodsHandedOver, HandOver
from omnipoint.orders.models import Order, OrderReturn
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.models import OrderBalance
from omnipoint.payments.services import payment_capture, payment_tender
from omnipoint.testing import services_and_virtual, user_of
from omnipoint.virtuals import sandbox
from omnipoint.virtuals.models import SandboxTopUp, VirtualFulfilment
from omnipoint.virtuals.services import virtual_send

MOBILE = "13900139000"
CALLBACK = sandbox.callback_path()


@pytest.fixture
def announced():
    """Listen to GOODS_HANDED_OVER for the test (as aftersales would), then stop."""
    heard: list[GoodsHandedOver] = []
    GOODS_HANDED_OVER.subscribe(heard.append)
    yield heard
    GOODS_HANDED_OVER._listeners.remove(heard.append)


@pytest.fixture
def kinds(network):
    return services_and_virtual(network)


def counter(api, network, lines, **extra):
    body = {
        "channel": "pos",
        "method": "counter",
        "payment_mode": "counter",
        "origin_outlet_id": network.a.pk,
        "mobile": MOBILE,
        "lines": lines,
        **extra,
    }
    return api.post("/api/v1/orders", body, network.auth("outlet_clerk"))


def clerk():
    return actor_get(user=user_of("outlet_clerk"))


def send_all() -> list[str]:
    """What the task queue does when the paying transaction commits: ask the provider."""
    return [
        virtual_send(actor=SYSTEM, fulfilment_id=pk)
        for pk in VirtualFulfilment.objects.filter(sent=False).order_by("pk").values_list("pk", flat=True)
    ]


def carrier_confirms(client, row: VirtualFulfilment):
    """The sandbox carrier credits the top-up and its signed callback is delivered."""
    settled = sandbox.topup_settle(merchant_ref=row.merchant_ref)
    body, headers = sandbox.callback_build(settled)
    return client.post(
        sandbox.callback_path(),
        data=body,
        content_type="application/json",
        HTTP_X_VIRTUAL_SIGNATURE=headers[sandbox.SIGNATURE_HEADER],
    )


def ledger_clean() -> None:
    out = StringIO()
    call_command("check_ledger", stdout=out, stderr=out)


def test_a_counter_sale_announces_its_lines_with_their_kind_and_installation(api, network, announced):
    sku = network.skus[0]
    r = counter(api, network, [{"sku_id": sku.pk, "quantity": 1, "installation": True}])
    assert r.status_code == 201, r.json()
    assert announced == []
    payment_capture(actor=clerk(), order_id=r.json()["id"], method="cash")
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


def test_a_service_sells_at_the_counter_without_stock(api, network, kinds, announced):
    service, _ = kinds
    assert not StockLevel.objects.filter(sku=service).exists()
    r = counter(api, network, [{"sku_id": service.pk, "quantity": 1}])
    assert r.status_code == 201, r.json()
    assert r.json()["lines"][0]["kind"] == "service" and r.json()["total"] == 150_00
    payment_capture(actor=clerk(), order_id=r.json()["id"], method="cash")
    order = Order.objects.get(pk=r.json()["id"])
    assert (order.state, order.payment_state) == ("completed", "paid")
    [fact] = announced
    assert [(ln.kind, ln.needs_ticket) for ln in fact.ticket_lines] == [(ProductKind.SERVICE, True)]
    assert not StockLevel.objects.filter(sku=service).exists()


def test_a_counter_top_up_confirms_through_the_sandbox(api, client, network, kinds):
    _, topup = kinds
    r = counter(api, network, [{"sku_id": topup.pk, "quantity": 1, "target": "139-0013-9001"}])
    assert r.status_code == 201, r.json()
    order_id = r.json()["id"]
    payment_capture(actor=clerk(), order_id=order_id, method="cash")
    assert send_all() == ["requested"]  # taken by the carrier, to be confirmed
    row = VirtualFulfilment.objects.get()
    assert (row.target, row.amount, row.owner_ref) == (
        "13900139001",
        50_00,
        f"order-line:{r.json()['lines'][0]['id']}",
    )
    assert SandboxTopUp.objects.get().state == "accepted"
    answer = carrier_confirms(client, row)
    assert answer.status_code == 200 and answer.json()["outcome"] == "fulfilled", answer.json()
    detail = api.get(f"/api/v1/orders/{order_id}", network.auth("outlet_clerk")).json()
    assert detail["state"] == "completed" and detail["payment_state"] == "paid"
    assert detail["lines"][0]["fulfilment"] == "fulfilled"
    assert detail["lines"][0]["target"] == "139****9001"
    assert "virtual_fulfilled" in [e["kind"] for e in detail["events"]]


def test_a_refused_top_up_is_refunded_to_the_wallet_and_the_books_balance(api, client, network, kinds):
    _, topup = kinds
    r = counter(
        api, network, [{"sku_id": topup.pk, "quantity": 1, "target": "13900000000"}]
    )  # not in service
    assert r.status_code == 201, r.json()
    order = Order.objects.get(pk=r.json()["id"])
    loyalty.wallet_topup(actor=SYSTEM, member_id=order.member_id, key="t1", amount=80_00)
    payment_tender(actor=actor_for_user(user=user_of("outlet_clerk")), order_id=order.pk, method="wallet")
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("completed", "paid")
    assert send_all() == ["refused"]
    order.refresh_from_db()
    assert order.payment_state == "refunded"
    balance = OrderBalance.objects.get(order_id=order.pk)
    assert (balance.paid, balance.refunded) == (50_00, 50_00)
    wallet = loyalty_selectors.wallet_balance(member=order.member)
    assert wallet["total"] == 80_00, wallet  # all back in the wallet
    [given_back] = OrderReturn.objects.filter(order=order)
    assert (given_back.amount, given_back.refunds.count()) == (50_00, 1)
    assert VirtualFulfilment.objects.get().reason == "number_not_in_service"
    assert not SandboxTopUp.objects.exists()  # the carrier took nothing
    ledger_clean()
    # A late, forged or replayed confirmation changes nothing.
    forged = client.post(sandbox.callback_path(), data=b"{}", content_type="application/json")
    assert forged.status_code == 401 and forged.json()["code"] == "bad_signature"


def test_a_mixed_order_sells_goods_a_service_and_a_top_up(api, client, network, kinds, announced):
    service, topup = kinds
    goods = network.skus[2]
    before = StockLevel.objects.get(location=network.a, sku=goods).on_hand
    r = counter(
        api,
        network,
        [
            {"sku_id": goods.pk, "quantity": 2, "installation": True},
            {"sku_id": service.pk, "quantity": 1},
            {"sku_id": topup.pk, "quantity": 2, "target": "13900139002"},
        ],
    )
    assert r.status_code == 201, r.json()
    assert r.json()["total"] == 2 * 300_00 + 150_00 + 2 * 50_00
    payment_capture(actor=clerk(), order_id=r.json()["id"], method="cash")
    assert StockLevel.objects.get(location=network.a, sku=goods).on_hand == before - 2
    [fact] = announced
    assert sorted(ln.kind for ln in fact.ticket_lines) == [ProductKind.GOODS, ProductKind.SERVICE]
    assert send_all() == ["requested"]
    row = VirtualFulfilment.objects.get()
    assert (row.quantity, row.amount) == (2, 100_00)
    assert carrier_confirms(client, row).json()["outcome"] == "fulfilled"
    order = Order.objects.get(pk=r.json()["id"])
    assert (order.state, order.payment_state) == ("completed", "paid")
    out = StringIO()
    call_command("check_inventory", stdout=out, stderr=out)


def test_a_member_tops_up_online_without_pickup_stock(client, api, network, kinds):
    from omnipoint.loyalty.tests.helpers import bearer, member_with_login
    from omnipoint.payments.services import payment_start
    from omnipoint.payments.tests.conftest import pay_at_gateway

    _, topup = kinds
    member, token = member_with_login()
    r = api.post(
        "/api/v1/orders",
        {
            "channel": "web",
            "method": "pickup",
            "payment_mode": "online",
            "pickup_outlet_id": network.a.pk,
            "lines": [{"sku_id": topup.pk, "quantity": 1, "target": member.mobile}],
        },
        bearer(token),
    )
    assert r.status_code == 201, r.json()
    order = Order.objects.get(pk=r.json()["id"])
    assert order.routing["shipments"] == []
    pay_at_gateway(client, payment_start(actor=actor_for_user(user=member.user), order_id=order.pk))
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("completed", "paid")
    assert not order.tasks.exists()  # nothing to pick or hand over
    assert send_all() == ["requested"]
    assert carrier_confirms(client, VirtualFulfilment.objects.get()).json()["outcome"] == "fulfilled"


def test_a_top_up_unconfirmed_past_its_deadline_is_cancelled_and_refunded(
    api, client, network, kinds, settings
):
    from datetime import timedelta

    from omnipoint.virtuals.services import virtuals_settle_overdue

    settings.SANDBOX_VIRTUAL_FAULTS = {"13900139003": "slow"}
    _, topup = kinds
    r = counter(api, network, [{"sku_id": topup.pk, "quantity": 1, "target": "13900139003"}])
    payment_capture(actor=clerk(), order_id=r.json()["id"], method="cash")
    assert send_all() == ["requested"]
    row = VirtualFulfilment.objects.get()
    assert virtuals_settle_overdue(actor=SYSTEM, now=row.deadline - timedelta(seconds=1)) == 0
    assert virtuals_settle_overdue(actor=SYSTEM, now=row.deadline + timedelta(seconds=1)) == 1
    row.refresh_from_db()
    assert (row.state, row.reason) == ("refused", "timed_out")
    assert SandboxTopUp.objects.get().state == "reversed"  # the carrier agreed to drop it
    order = Order.objects.get(pk=r.json()["id"])
    assert order.payment_state == "refunded"
    # The carrier's confirmation, had it come late, loses: the outcome stays the refusal.
    top = SandboxTopUp.objects.get()
    top.state = "done"
    body, headers = sandbox.callback_build(top)
    late = client.post(
        sandbox.callback_path(),
        data=body,
        content_type="application/json",
        HTTP_X_VIRTUAL_SIGNATURE=headers[sandbox.SIGNATURE_HEADER],
    )
    assert late.status_code == 200 and late.json()["outcome"] == "refused"
    assert OrderReturn.objects.filter(order=order).count() == 1
    # The same callback again is a replay.
    again = client.post(
        sandbox.callback_path(),
        data=body,
        content_type="application/json",
        HTTP_X_VIRTUAL_SIGNATURE=headers[sandbox.SIGNATURE_HEADER],
    )
    assert again.status_code == 409 and again.json()["code"] == "callback_replayed"


def test_forged_stale_and_unknown_callbacks_change_nothing(api, client, network, kinds):
    _, topup = kinds
    r = counter(api, network, [{"sku_id": topup.pk, "quantity": 1, "target": "13900139004"}])
    payment_capture(actor=clerk(), order_id=r.json()["id"], method="cash")
    send_all()
    row = VirtualFulfilment.objects.get()
    top = sandbox.topup_settle(merchant_ref=row.merchant_ref)
    body, headers = sandbox.callback_build(top)
    sig = headers[sandbox.SIGNATURE_HEADER]
    stale_body, stale_headers = sandbox.callback_build(top, ts=1)

    def post(data, signature, path=CALLBACK):
        return client.post(
            path, data=data, content_type="application/json", HTTP_X_VIRTUAL_SIGNATURE=signature
        )

    for resp, status, code in [
        (post(body, "0" * 64), 401, "bad_signature"),
        (post(body.replace(b'"amount":5000', b'"amount":1'), sig), 401, "bad_signature"),
        (post(stale_body, stale_headers[sandbox.SIGNATURE_HEADER]), 401, "callback_expired"),
        (post(b"not json", sandbox.sign(b"not json")), 422, "malformed_callback"),
        (post(body, sig, path="/api/v1/virtuals/callback/nobody"), 404, "provider_not_found"),
    ]:
        assert (resp.status_code, resp.json()["code"]) == (status, code), resp.json()
    row.refresh_from_db()
    assert row.state == "requested"
    assert post(body, sig).json()["outcome"] == "fulfilled"


def test_cancelling_a_mixed_order_keeps_the_top_up_already_credited(client, api, network, kinds):
    """The top-up was credited to the phone: it cannot be taken back, so cancelling the rest of
    the order refunds the goods only, and the credited line is recorded as kept."""
    from omnipoint.loyalty.tests.helpers import bearer, member_with_login
    from omnipoint.orders.services import order_cancel
    from omnipoint.payments.services import payment_start
    from omnipoint.payments.tests.conftest import pay_at_gateway

    _, topup = kinds
    goods = network.skus[2]
    member, token = member_with_login()
    r = api.post(
        "/api/v1/orders",
        {"channel": "web", "method": "pickup", "payment_mode": "online", "pickup_outlet_id": network.a.pk,
         "lines": [{"sku_id": goods.pk, "quantity": 1}, {"sku_id": topup.pk, "quantity": 1, "target": member.mobile}]},
        bearer(token),
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    order = Order.objects.get(pk=r.json()["id"])
    pay_at_gateway(client, payment_start(actor=actor_for_user(user=member.user), order_id=order.pk))
    assert send_all() == ["requested"]
    assert carrier_confirms(client, VirtualFulfilment.objects.get()).json()["outcome"] == "fulfilled"
    order.refresh_from_db()
    assert order.state == "confirmed" and order.payment_state == "paid"

    order = order_cancel(actor=clerk(), order_id=order.pk, reason="顾客不要商品了")
    balance = OrderBalance.objects.get(order_id=order.pk)
    assert (order.state, balance.paid, balance.refunded) == ("cancelled", order.total, order.total - 50_00)
    kept = order.events.get(kind="virtual_kept")
    assert kept.data["amount"] == 50_00
