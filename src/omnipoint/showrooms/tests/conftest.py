from dataclasses import dataclass

import pytest

from omnipoint.core.models import ApiToken
from omnipoint.orders import services as ordering
from omnipoint.orders.models import Order
from omnipoint.outlets.domain import GUEST, SYSTEM
from omnipoint.outlets.models import Staff
from omnipoint.outlets.selectors import actor_get
from omnipoint.outlets.services import staff_create
from omnipoint.payments.services import payment_capture
from omnipoint.testing import PASSWORD, Network


@dataclass
class Sales:
    net: Network
    a: Staff  # at outlet A (Shanghai, 黄浦)
    b: Staff  # at outlet B (Shanghai, 浦东)
    c: Staff  # at outlet C (Nanjing)

    def auth(self, who: str) -> dict[str, str]:
        return self.net.auth(who)


def add_salespeople(net: Network) -> Sales:
    people = {}
    for name, outlet in (("sales_a", net.a), ("sales_b", net.b), ("sales_c", net.c)):
        staff = staff_create(
            actor=SYSTEM,
            username=name,
            password=PASSWORD,
            display_name=f"{name} 王",
            role="salesperson",
            outlet=outlet,
        )
        net.staff[name] = staff
        net.tokens[name] = ApiToken.issue(staff.user, name="test")
        people[name] = staff
    return Sales(net, people["sales_a"], people["sales_b"], people["sales_c"])


@pytest.fixture
def sales(network) -> Sales:
    return add_salespeople(network)


def place(salesperson: Staff, *, lines: list[tuple[int, int]], outlet_id: int | None = None) -> Order:
    """A showroom order picked up at the salesperson's outlet, paid there."""
    return ordering.order_place(
        actor=GUEST,
        channel="showroom",
        method="pickup",
        payment_mode="at_outlet",
        lines=[ordering.LineRequest(sku_id=s, quantity=q) for s, q in lines],
        mobile="13900001111",
        customer_name="韩梅梅",
        pickup_outlet_id=outlet_id or salesperson.outlet_id,
        salesperson_id=salesperson.pk,
    )


def complete(order: Order, *, clerk_user) -> Order:  # type: ignore[no-untyped-def]
    """The outlet prepares it, the customer pays at the counter and collects it."""
    clerk = actor_get(user=clerk_user)
    task = order.tasks.get(purpose="pickup")
    ordering.task_advance(actor=clerk, task_id=task.pk, step="picked")
    ordering.task_advance(actor=clerk, task_id=task.pk, step="ready")
    payment_capture(actor=clerk, order_id=order.pk, method="at_outlet")
    order.refresh_from_db()
    return ordering.order_hand_over(
        actor=clerk, outlet_id=order.pickup_outlet_id, code=order.pickup_code, order_number=order.number
    )
