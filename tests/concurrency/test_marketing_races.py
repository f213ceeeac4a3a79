"""Give-aways under real concurrency: the last coupons of a budget claimed by many at once,
one coupon used by many checkouts at once, the last of a discount budget, the last prize of a
game drawn by many at once, and one member's attempts raced. Never more than the bound."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from omnipoint.core.errors import DomainError
from omnipoint.inventory.checks import inventory_breaches
from omnipoint.marketing.models import (
    Coupon,
    CouponState,
    CouponTemplate,
    Game,
    GameAttempt,
    GamePlayer,
    Prize,
)
from omnipoint.marketing.services import (
    PrizeSpec,
    coupon_claim,
    coupon_template_create,
    game_create,
    game_play,
)
from omnipoint.members.models import Member
from omnipoint.members.selectors import actor_for_user
from omnipoint.members.services import member_get_or_create, member_user_ensure
from omnipoint.orders.models import Order
from omnipoint.orders.services import LineRequest, order_place
from omnipoint.outlets.domain import SYSTEM, Actor
from omnipoint.outlets.selectors import actor_get

from .threads import raised, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def _hq() -> Actor:
    user = get_user_model().objects.filter(username="mkt-admin").first()
    return actor_get(user=user or get_user_model().objects.create_superuser("mkt-admin", password="x"))


def _members(n: int) -> list[Member]:
    return [
        member_user_ensure(actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile=f"1390000{i:04d}"))
        for i in range(n)
    ]


def _template(**kw: Any) -> CouponTemplate:
    now = timezone.now()
    args: dict[str, Any] = {
        "code": "last",
        "name": "立减20",
        "kind": "fixed",
        "value": 20_00,
        "starts_at": now - timedelta(days=1),
        "ends_at": now + timedelta(days=1),
    }
    return coupon_template_create(actor=_hq(), **(args | kw))


def _codes(results: list[Any]) -> list[str]:
    errors = raised(results)
    assert all(isinstance(e, DomainError) for e in errors), errors
    return [e.code for e in errors]  # type: ignore[attr-defined]


def test_last_coupons_of_a_budget_claimed_by_many_at_once(regions: None) -> None:
    template = _template(budget_count=3)
    members = _members(16)
    results = run_together(
        [lambda m=m: coupon_claim(actor=SYSTEM, member=m, template_code="last").pk for m in members]
    )
    codes = _codes(results)
    assert len(results) - len(codes) == 3 and set(codes) == {"coupon_budget_exhausted"}
    template.refresh_from_db()
    assert template.issued_count == 3 == Coupon.objects.count()


def test_one_member_claiming_at_once_gets_only_their_limit(regions: None) -> None:
    _template(claim_limit=2)
    (member,) = _members(1)
    results = run_together(
        [lambda: coupon_claim(actor=SYSTEM, member=member, template_code="last").pk for _ in range(10)]
    )
    codes = _codes(results)
    assert len(results) - len(codes) == 2 and set(codes) == {"claim_limit_reached"}
    assert Coupon.objects.filter(member=member).count() == 2 == CouponTemplate.objects.get().issued_count


def _checkout(member: Member, code: str, sku_id: int, pickup_id: int) -> int:
    """The member, signed in on the storefront, uses their own coupon (a guest giving their
    mobile may not)."""
    return order_place(
        actor=actor_for_user(user=member.user),
        channel="web",
        method="pickup",
        payment_mode="online",
        pickup_outlet_id=pickup_id,
        lines=[LineRequest(sku_id, 1)],
        coupon_codes=[code],
    ).pk


def test_one_coupon_used_by_many_checkouts_at_once_is_used_once(network: Any) -> None:
    _template()
    (member,) = _members(1)
    coupon = coupon_claim(actor=SYSTEM, member=member, template_code="last")
    sku = network.skus[2]
    results = run_together([lambda: _checkout(member, coupon.code, sku.pk, network.a.pk) for _ in range(8)])
    codes = _codes(results)
    assert len(results) - len(codes) == 1 and set(codes) == {"coupon_not_available"}
    coupon.refresh_from_db()
    (order,) = Order.objects.all()
    assert (coupon.state, coupon.order_id) == (CouponState.HELD, order.pk)
    assert order.total == 300_00 - 20_00
    assert inventory_breaches() == []


def test_last_of_a_discount_budget_used_by_many_checkouts_at_once(network: Any) -> None:
    _template(budget_amount=50_00)  # room for two 20.00 discounts, not three
    members = _members(8)
    coupons = [coupon_claim(actor=SYSTEM, member=m, template_code="last") for m in members]
    sku = network.skus[2]
    results = run_together(
        [
            lambda m=m, c=c: _checkout(m, c.code, sku.pk, network.a.pk)
            for m, c in zip(members, coupons, strict=True)
        ]
    )
    codes = _codes(results)
    assert len(results) - len(codes) == 2 and set(codes) == {"coupon_not_available"}
    assert CouponTemplate.objects.get().discount_committed == 40_00
    assert Coupon.objects.filter(state=CouponState.HELD).count() == 2 == Order.objects.count()
    assert Coupon.objects.filter(state=CouponState.ISSUED).count() == 6
    assert inventory_breaches() == []


def _game(stock: int, **kw: Any) -> Game:
    now = timezone.now()
    return game_create(
        actor=_hq(),
        name="wheel",
        kind="lucky_wheel",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
        prizes=[PrizeSpec(name="保温杯", kind="item", weight=1, stock=stock)],
        **kw,
    )


def test_last_prizes_of_a_game_drawn_by_many_at_once(regions: None) -> None:
    game = _game(stock=2)
    members = _members(16)
    results = run_together(
        [lambda m=m: game_play(actor=SYSTEM, member=m, game_id=game.pk).prize_id for m in members]
    )
    assert raised(results) == []
    assert sum(1 for r in results if r is not None) == 2
    assert Prize.objects.get().remaining == 0
    assert GameAttempt.objects.filter(prize__isnull=False).count() == 2
    assert GameAttempt.objects.filter(prize__isnull=True, why__kind="prize_ran_out").count() == 14


def test_game_budget_and_attempts_hold_under_races(regions: None) -> None:
    game = _game(stock=100, budget_count=3, attempts_per_member=2)
    members = _members(6)
    workers = [
        lambda m=m: game_play(actor=SYSTEM, member=m, game_id=game.pk).prize_id
        for m in members
        for _ in range(3)
    ]
    results = run_together(workers)
    codes = _codes(results)
    assert len(codes) == 6 and set(codes) == {"attempts_exhausted"}  # the third try of each member
    assert set(GamePlayer.objects.values_list("attempts", flat=True)) == {2}
    won = [r for r in results if isinstance(r, int)]
    assert len(won) == 3 == Game.objects.get().awarded_count and Prize.objects.get().remaining == 97
