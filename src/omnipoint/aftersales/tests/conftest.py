"""An appliance order delivered from outlet A to a member (an air conditioner to install), the
technicians who may visit (A's own, Huangpu district's team, and one at C in Nanjing), the
clerk and the manager at A."""

from dataclasses import dataclass
from typing import Any

import pytest

from omnipoint.aftersales.models import Ticket
from omnipoint.members.models import Member
from omnipoint.members.selectors import actor_for_user
from omnipoint.members.services import member_get_or_create, member_user_ensure
from omnipoint.orders import services as orders
from omnipoint.orders.models import Order
from omnipoint.outlets.domain import SYSTEM, Actor, MemberActor
from omnipoint.outlets.models import Region, Staff
from omnipoint.outlets.selectors import actor_get
from omnipoint.outlets.services import staff_create
from omnipoint.testing import PASSWORD, user_of


def member(mobile: str, name: str) -> Member:
    return member_user_ensure(
        actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile=mobile, name=name)
    )


def technicians(net: Any) -> dict[str, Staff]:
    made = {}
    for username, role, node in (
        ("tech_a", "technician", {"outlet": net.a}),
        ("tech_huangpu", "district_technician", {"region": Region.objects.get(code="310101")}),
        ("tech_c", "technician", {"outlet": net.c}),
    ):
        made[username] = staff_create(
            actor=SYSTEM,
            username=username,
            password=PASSWORD,
            display_name=f"师傅 {username}",
            role=role,
            **node,
        )
    return made


def delivered(net: Any, buyer: Member, *, installation: bool = True, extra: list[Any] | None = None) -> Order:
    """A delivery from A to the member's home, paid on delivery, shipped and delivered."""
    assert buyer.user is not None
    order = orders.order_place(
        actor=actor_for_user(user=buyer.user), channel="web", method="delivery", payment_mode="on_delivery",
        region_code="310101", address="南京东路 1 号 3 楼", lat=net.a.lat, lng=net.a.lng,
        lines=[orders.LineRequest(sku_id=net.skus[0].pk, quantity=1, installation=installation), *(extra or [])],
    )  # fmt: skip
    clerk = actor_get(user=user_of("outlet_clerk"))
    task = order.tasks.get()
    for step in ("picked", "handed_over"):
        orders.task_advance(actor=clerk, task_id=task.pk, step=step)
    return orders.order_deliver(actor=clerk, order_id=order.pk)


@dataclass
class Desk:
    net: Any
    member: Member
    other: Member
    techs: dict[str, Staff]

    def me(self, who: Member | None = None) -> MemberActor:
        m = who or self.member
        assert m.user_id is not None
        return MemberActor(user_id=m.user_id, member_id=m.pk)

    def staff(self, persona: str) -> Actor:
        return actor_get(user=user_of(persona))

    def tech(self, name: str = "tech_a") -> Actor:
        return actor_get(user=self.techs[name].user)

    def installation(self) -> Ticket:
        """A delivered appliance's installation ticket."""
        order = delivered(self.net, self.member)
        return Ticket.objects.get(order=order)


@pytest.fixture
def desk(network) -> Desk:
    return Desk(network, member("13800000011", "王五"), member("13800000012", "赵六"), technicians(network))
