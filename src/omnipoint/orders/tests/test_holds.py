"""An order's holds belong to the order (issue 7, items 3 and 4): nobody else releases,
commits or adopts them, a lapsing hold moves the order, and completion needs every hold."""

from datetime import timedelta

import pytest

from omnipoint.inventory import services as inventory
from omnipoint.inventory.checks import inventory_breaches
from omnipoint.inventory.models import Reservation, ReservationState, StockLevel
from omnipoint.orders.models import Order, PickTask
from omnipoint.orders.services import task_advance
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.models import Payment
from omnipoint.payments.services import payment_capture
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def level(outlet, sku):
    return StockLevel.objects.get(location=outlet, sku=sku)


def pickup_order(api, customer, outlet, sku, quantity=2, payment_mode="at_outlet"):
    r = api.post(
        f"{V1}/orders",
        {
            "channel": "web",
            "method": "pickup",
            "payment_mode": payment_mode,
            "pickup_outlet_id": outlet.pk,
            "lines": [{"sku_id": sku.pk, "quantity": quantity}],
        },
        customer["auth"],
    )
    assert r.status_code == 201, r.json()
    return Order.objects.get(pk=r.json()["id"])


def order_holds(order):
    """The holds the order made (the kind keeps a clerk's look-alike reference apart)."""
    return list(
        Reservation.objects.filter(owner_kind="order", owner_ref__startswith=f"order:{order.pk}:").order_by(
            "pk"
        )
    )


def make_ready(order):
    clerk = actor_get(user=user_of("outlet_clerk"))
    task = PickTask.objects.get(order=order, purpose="pickup")
    for step in ("claim", "picked", "ready"):
        task_advance(actor=clerk, task_id=task.pk, step=step)
    order.refresh_from_db()
    assert order.state == "ready"
    return clerk


@pytest.mark.parametrize("action", ["release", "commit"])
def test_staff_cannot_release_or_commit_an_orders_hold(api, network, customer, action):
    sku = network.skus[0]
    order = pickup_order(api, customer, network.a, sku)
    (hold,) = order_holds(order)
    r = api.post(f"{V1}/inventory/reservations/{hold.pk}/{action}", {}, network.auth("outlet_clerk"))
    assert r.status_code == 409 and r.json()["code"] == "reservation_owned", r.json()
    hold.refresh_from_db()
    assert hold.state == ReservationState.HELD
    assert (level(network.a, sku).on_hand, level(network.a, sku).reserved) == (10, 2)


def test_a_lapsing_hold_cancels_the_ready_order_and_refunds_it(api, network, customer):
    sku = network.skus[0]
    order = pickup_order(api, customer, network.a, sku)
    clerk = make_ready(order)
    payment_capture(actor=clerk, order_id=order.pk, method="at_outlet")
    (hold,) = order_holds(order)
    assert inventory.reservations_expire(actor=SYSTEM, now=hold.expires_at + timedelta(seconds=1)) == 1
    order.refresh_from_db()
    assert order.state == "cancelled" and order.payment_state == "refunded"
    assert Payment.objects.get(order_id=order.pk).refunded_amount == order.total
    assert (level(network.a, sku).on_hand, level(network.a, sku).reserved) == (10, 0)
    assert inventory_breaches() == []


def test_hand_over_refuses_when_a_hold_is_no_longer_held(api, network, customer):
    sku = network.skus[0]
    order = pickup_order(api, customer, network.a, sku)
    clerk = make_ready(order)
    payment_capture(actor=clerk, order_id=order.pk, method="at_outlet")
    (hold,) = order_holds(order)
    inventory.reservation_release(actor=SYSTEM, reservation_id=hold.pk)  # a bug or a lost hold
    assert any(f"order {order.number}" in b for b in inventory_breaches())
    r = api.post(
        f"{V1}/pickups", {"outlet_id": network.a.pk, "code": order.pickup_code}, network.auth("outlet_clerk")
    )
    assert r.status_code == 409 and r.json()["code"] == "order_holds_lapsed", r.json()
    order.refresh_from_db()
    assert order.state == "ready" and level(network.a, sku).on_hand == 10


def test_a_staff_hold_under_an_orders_name_blocks_no_checkout_and_is_not_adopted(api, network, customer):
    sku = network.skus[0]
    first = pickup_order(api, customer, network.a, sku, quantity=1)
    r = api.post(
        f"{V1}/inventory/reservations",
        {
            "owner_ref": f"order:{first.pk + 1}:{network.a.pk}",
            "lines": [{"location_id": network.a.pk, "sku_id": sku.pk, "quantity": 1}],
        },
        network.auth("outlet_clerk"),
    )
    assert r.status_code == 201, r.json()
    staff_hold = Reservation.objects.get(pk=r.json()["id"])
    second = pickup_order(api, customer, network.a, sku, quantity=1)  # same lines: no adopting
    assert second.pk == first.pk + 1
    (own,) = order_holds(second)
    assert own.pk != staff_hold.pk and staff_hold.owner_kind == "staff"
    assert level(network.a, sku).reserved == 3
    third_ref = f"order:{second.pk + 1}:{network.a.pk}"
    r = api.post(
        f"{V1}/inventory/reservations",
        {"owner_ref": third_ref, "lines": [{"location_id": network.a.pk, "sku_id": sku.pk, "quantity": 2}]},
        network.auth("outlet_clerk"),
    )
    assert r.status_code == 201, r.json()
    pickup_order(api, customer, network.a, sku, quantity=1)  # other lines: no 409 owner_ref_reused
    assert level(network.a, sku).reserved == 6
    assert inventory_breaches() == []


def test_the_source_queue_follows_a_transfer_moved_through_the_api(api, network, customer):
    sku = network.skus[1]
    inventory.stock_adjust(actor=SYSTEM, location_id=network.b.pk, sku_id=sku.pk, delta=-10, reason="empty B")
    order = pickup_order(api, customer, network.b, sku, quantity=3)
    leg = PickTask.objects.get(order=order, purpose="transfer")
    hq = network.auth("hq_admin")
    cancel = api.post(f"{V1}/inventory/transfers/{leg.transfer_id}/cancel", {}, hq)
    assert cancel.status_code == 409 and cancel.json()["code"] == "reservation_owned"
    assert api.post(f"{V1}/inventory/transfers/{leg.transfer_id}/dispatch", {}, hq).status_code == 200
    leg.refresh_from_db()
    assert leg.state == "handed_over"
    assert api.post(f"{V1}/inventory/transfers/{leg.transfer_id}/receive", {}, hq).status_code == 200
    leg.refresh_from_db()
    order.refresh_from_db()
    assert leg.state == "handed_over" and order.state == "ready"
    assert PickTask.objects.get(order=order, purpose="pickup").state == "ready"
    assert inventory_breaches() == []


def test_a_hold_lapsing_while_other_goods_are_on_the_road_is_renewed(api, network, customer):
    s_here, s_far = network.skus[0], network.skus[1]
    inventory.stock_adjust(actor=SYSTEM, location_id=network.b.pk, sku_id=s_far.pk, delta=-10, reason="empty")
    r = api.post(
        f"{V1}/orders",
        {
            "channel": "web",
            "method": "pickup",
            "payment_mode": "at_outlet",
            "pickup_outlet_id": network.b.pk,
            "lines": [{"sku_id": s_here.pk, "quantity": 1}, {"sku_id": s_far.pk, "quantity": 1}],
        },
        customer["auth"],
    )
    order = Order.objects.get(pk=r.json()["id"])
    leg = PickTask.objects.get(order=order, purpose="transfer")
    inventory.transfer_dispatch(actor=SYSTEM, transfer_id=leg.transfer_id)
    local = Reservation.objects.get(owner_kind="order", owner_ref=f"order:{order.pk}:{network.b.pk}")
    assert inventory.reservations_expire(actor=SYSTEM, now=local.expires_at + timedelta(seconds=1)) == 0
    local.refresh_from_db()
    order.refresh_from_db()
    assert local.state == "held" and local.expires_at > local.created_at + timedelta(hours=25)
    assert order.state == "confirmed" and order.events.filter(kind="hold_renewed").exists()
    assert inventory_breaches() == []


def test_an_order_hold_without_its_registered_handler_fails_loudly(api, network, customer, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from omnipoint.inventory.checks import OWNER_CHECKS

    order = pickup_order(api, customer, network.a, network.skus[0])
    (hold,) = order_holds(order)
    monkeypatch.delitem(inventory.HOLD_LAPSED, "order")
    monkeypatch.delitem(OWNER_CHECKS, "order")
    with pytest.raises(ImproperlyConfigured):
        inventory.reservations_expire(actor=SYSTEM, now=hold.expires_at + timedelta(seconds=1))
    with pytest.raises(ImproperlyConfigured):
        inventory_breaches()
    hold.refresh_from_db()
    assert hold.state == "held" and level(network.a, network.skus[0]).reserved == 2
