from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from omnipoint.core.explain import render
from omnipoint.ledger.checks import ledger_breaches
from omnipoint.ledger.services import InsufficientBalanceError
from omnipoint.loyalty import domain, selectors, services
from omnipoint.loyalty.models import PointsLot, TopupPackage
from omnipoint.members.services import member_get_or_create
from omnipoint.outlets.domain import SYSTEM

NOW = timezone.now()


def test_tier_and_points_policy():
    tiers = [
        domain.TierDef("silver", 1000_00, Decimal("1.2")),
        domain.TierDef("gold", 5000_00, Decimal("1.5")),
    ]
    assert domain.tier_for(999_99, tiers) is None and domain.tier_for(6000_00, tiers).code == "gold"
    rules = [
        domain.RuleDef(1, "base", Decimal("1")),
        domain.RuleDef(2, "appliances", Decimal("2"), category_id=7),
        domain.RuleDef(3, "offline bonus", Decimal("1"), channel="pos", bonus=True, validity_days=90),
    ]
    lines = [domain.EarnLine(7, 100_00), domain.EarnLine(8, 50_50)]
    online = domain.points_for_order(
        lines, channel="web", outlet_id=None, rules=rules, multiplier=Decimal(1), at=NOW
    )
    assert [(a.rule_id, a.points) for a in online] == [(1, 50), (2, 200)]
    counter = domain.points_for_order(
        lines, channel="pos", outlet_id=None, rules=rules, multiplier=Decimal("1.5"), at=NOW
    )
    assert [(a.rule_id, a.points, a.validity_days) for a in counter] == [
        (1, 75, 365),
        (2, 300, 365),
        (3, 225, 90),
    ]


def test_wallet_split_and_refund_policy():
    assert domain.split_wallet(120, principal=100, bonus=50) == (100, 20)
    with pytest.raises(ValueError):
        domain.split_wallet(200, principal=100, bonus=50)
    assert domain.split_refund(60, principal=100, bonus=20) == (50, 10)
    assert domain.take_oldest_first([(1, 5), (2, 10)], 8) == [(1, 5), (2, 3)]


@pytest.mark.django_db
def test_points_spend_oldest_first_and_expire():
    m = member_get_or_create(actor=SYSTEM, mobile="13800000001")
    old = services.points_award(actor=SYSTEM, member_id=m.pk, points=100, key="a1", validity_days=10)
    new = services.points_award(actor=SYSTEM, member_id=m.pk, points=100, key="a2", validity_days=300)
    services.points_award(
        actor=SYSTEM, member_id=m.pk, points=100, key="a1", validity_days=10
    )  # retry: no second award
    services.points_spend(actor=SYSTEM, member_id=m.pk, points=150, key="s1")
    services.points_spend(actor=SYSTEM, member_id=m.pk, points=150, key="s1")  # retry: taken once
    old.refresh_from_db(), new.refresh_from_db()
    assert (old.remaining, new.remaining, selectors.points_balance(member=m)) == (0, 50, 50)
    PointsLot.objects.filter(pk=new.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert services.points_expire(actor=SYSTEM) == 50 and selectors.points_balance(member=m) == 0
    with pytest.raises(InsufficientBalanceError):
        services.points_spend(actor=SYSTEM, member_id=m.pk, points=1, key="s2")
    assert ledger_breaches() == []


@pytest.mark.django_db
def test_points_hold_release_and_refund_return_to_lots():
    m = member_get_or_create(actor=SYSTEM, mobile="13800000002")
    lot = services.points_award(actor=SYSTEM, member_id=m.pk, points=100, key="a1")
    services.points_spend(actor=SYSTEM, member_id=m.pk, points=60, key="h1", hold_seconds=600)
    assert selectors.points_balance(member=m) == 40
    services.points_release(actor=SYSTEM, key="h1")
    services.points_release(actor=SYSTEM, key="h1")
    lot.refresh_from_db()
    assert lot.remaining == 100 and selectors.points_balance(member=m) == 100
    services.points_spend(actor=SYSTEM, member_id=m.pk, points=70, key="s2")
    services.points_refund(actor=SYSTEM, spend_key="s2", points=30, key="r1")
    lot.refresh_from_db()
    assert lot.remaining == 60 and selectors.points_balance(member=m) == 60
    assert ledger_breaches() == []


@pytest.mark.django_db
def test_wallet_topup_bonus_apart_spend_and_refund():
    m = member_get_or_create(actor=SYSTEM, mobile="13800000003")
    package = TopupPackage.objects.create(name="充100送10", pay_amount=100_00, bonus_amount=10_00)
    services.wallet_topup(actor=SYSTEM, member_id=m.pk, package_id=package.pk, key="t1")
    services.wallet_topup(actor=SYSTEM, member_id=m.pk, package_id=package.pk, key="t1")  # retried: once
    assert selectors.wallet_balance(member=m) == {"principal": 100_00, "bonus": 10_00, "total": 110_00}
    services.wallet_spend(actor=SYSTEM, member_id=m.pk, amount=105_00, key="p1")
    assert selectors.wallet_balance(member=m) == {"principal": 0, "bonus": 5_00, "total": 5_00}
    services.wallet_refund(actor=SYSTEM, key="p1", amount=21_00, refund_key="r1")
    assert selectors.wallet_balance(member=m) == {"principal": 20_00, "bonus": 6_00, "total": 26_00}
    with pytest.raises(InsufficientBalanceError):
        services.wallet_spend(actor=SYSTEM, member_id=m.pk, amount=27_00, key="p2")
    hold = services.wallet_spend(actor=SYSTEM, member_id=m.pk, amount=25_00, key="p3", hold_seconds=600)
    assert len(hold) == 2 and selectors.wallet_balance(member=m)["total"] == 1_00
    services.wallet_release(actor=SYSTEM, key="p3")
    assert selectors.wallet_balance(member=m)["total"] == 26_00
    assert ledger_breaches() == []


def test_why_an_order_earned_its_points_is_data_worded_in_each_language():
    rule = domain.RuleDef(1, "全场积分", Decimal("1.5"))
    (award,) = domain.points_for_order(
        [domain.EarnLine(None, 100_00)],
        channel="web",
        outlet_id=None,
        rules=[rule],
        multiplier=Decimal("2.00"),
        at=timezone.now(),
    )
    assert award.points == 300
    assert award.why.as_json() == {
        "kind": "loyalty_earned",
        "params": {"rule": "全场积分", "points_per_yuan": "1.5", "multiplier": "2", "points": 300},
    }
    with translation.override("zh-hans"):
        assert render(award.why) == "「全场积分」：每元 1.5 积分 × 2（会员等级）= 300 积分"
    with translation.override("en"):
        assert render(award.why) == "“全场积分”: 1.5 points per yuan × 2 (tier) = 300 points"
