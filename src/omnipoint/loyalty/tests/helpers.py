"""Shared by the loyalty scenario, concurrency and browser tests: a member with a login, earning
rules, counter sales and online orders on the persona network."""

from decimal import Decimal
from typing import Any

from omnipoint.core.models import ApiToken
from omnipoint.loyalty.models import EarnRule, TopupPackage
from omnipoint.members.models import Member
from omnipoint.members.selectors import actor_for_user
from omnipoint.members.services import member_get_or_create, member_user_ensure
from omnipoint.orders.models import Order
from omnipoint.orders.services import LineRequest, order_place
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.services import payment_capture
from omnipoint.testing import Network, user_of


def earn_rules() -> None:
    """1 point per yuan everywhere, and 1 more at the counter (线下消费线上积分)."""
    EarnRule.objects.create(name="base", points_per_yuan=Decimal(1))
    EarnRule.objects.create(name="offline bonus", points_per_yuan=Decimal(1), channel="pos", bonus=True)


def package_100_10() -> TopupPackage:
    return TopupPackage.objects.create(name="充100送10", pay_amount=100_00, bonus_amount=10_00)


def member_with_login(mobile: str = "13700000001", name: str = "李雷") -> tuple[Member, str]:
    member = member_user_ensure(
        actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile=mobile, name=name)
    )
    assert member.user is not None
    return member, ApiToken.issue(member.user, name="test")


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def clerk(persona: str = "outlet_clerk") -> Any:
    return actor_get(user=user_of(persona))


def counter_sale(net: Network, mobile: str, *, sku: int = 0, quantity: int = 1, outlet: Any = None) -> Order:
    """A walk-in buys at the counter of outlet A (or ``outlet``), gives their mobile and pays cash."""
    outlet = outlet or net.a
    persona = "outlet_clerk" if outlet == net.a else "other_city_clerk"
    order = order_place(
        actor=actor_for_user(user=user_of(persona)),
        channel="pos",
        method="counter",
        payment_mode="counter",
        origin_outlet_id=outlet.pk,
        mobile=mobile,
        lines=[LineRequest(sku_id=net.skus[sku].pk, quantity=quantity)],
    )
    payment_capture(actor=clerk(persona), order_id=order.pk, method="cash")
    order.refresh_from_db()
    return order


def online_order(net: Network, member: Member, *, sku: int = 2, quantity: int = 1) -> Order:
    """The member orders online for pickup at outlet A, to pay online."""
    return order_place(
        actor=actor_for_user(user=member.user),
        channel="web",
        method="pickup",
        pickup_outlet_id=net.a.pk,
        payment_mode="online",
        lines=[LineRequest(sku_id=net.skus[sku].pk, quantity=quantity)],
    )
