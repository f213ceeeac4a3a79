"""No double spending of what members hold, with real threads and real transactions: one
wallet balance spent by many checkouts at once, and the same points spent twice at once."""

from typing import Any

import pytest

from omnipoint.ledger.checks import ledger_breaches
from omnipoint.ledger.models import Account, Posting
from omnipoint.ledger.services import InsufficientBalanceError
from omnipoint.loyalty import selectors as loyalty_selectors
from omnipoint.loyalty import services as loyalty
from omnipoint.loyalty.models import PointsLot
from omnipoint.loyalty.tests.helpers import member_with_login, online_order
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.models import Order
from omnipoint.outlets.domain import SYSTEM
from omnipoint.payments.models import Payment
from omnipoint.payments.services import payment_tender

from .threads import raised, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def _never_negative() -> None:
    for a in Account.objects.filter(debits_must_not_exceed_credits=True):
        assert a.available >= 0 and a.balance >= 0, a.code


def test_one_wallet_balance_spent_by_many_checkouts_at_once(network: Any) -> None:
    member, _ = member_with_login()
    loyalty.wallet_topup(actor=SYSTEM, member_id=member.pk, key="t1", amount=1_000_00)
    orders = [online_order(network, member, sku=0) for _ in range(12)]  # 95 yuan each
    assert all(o.total == 95_00 for o in orders)

    def checkout(order: Order) -> Any:
        return payment_tender(actor=actor_for_user(user=member.user), order_id=order.pk, method="wallet")

    results = run_together([lambda o=o: checkout(o) for o in orders])
    errors = raised(results)
    assert all(isinstance(e, InsufficientBalanceError) for e in errors), errors
    assert len(results) - len(errors) == 10  # 1,000 yuan pays ten orders of 95, not eleven
    assert Order.objects.filter(payment_state="paid").count() == 10
    assert Payment.objects.filter(method="wallet").count() == 10  # the refused left no tender behind
    assert loyalty_selectors.wallet_balance(member=member) == {"principal": 50_00, "bonus": 0, "total": 50_00}
    _never_negative()
    assert ledger_breaches() == []


def test_the_same_points_spent_twice_at_once(network: Any) -> None:
    member, _ = member_with_login()
    loyalty.points_award(actor=SYSTEM, member_id=member.pk, points=100, key="a1", validity_days=10)
    loyalty.points_award(actor=SYSTEM, member_id=member.pk, points=100, key="a2", validity_days=300)

    def spend(key: str) -> Any:
        return loyalty.points_spend(actor=SYSTEM, member_id=member.pk, points=150, key=key)

    # Different keys: two spends of 150 from 200 points; exactly one wins.
    results = run_together([lambda: spend("s1"), lambda: spend("s2")])
    errors = raised(results)
    assert len(errors) == 1 and isinstance(errors[0], InsufficientBalanceError), errors
    assert loyalty_selectors.points_balance(member=member) == 50
    assert sum(PointsLot.objects.filter(member=member).values_list("remaining", flat=True)) == 50

    # The same key from many threads (a retried checkout): taken once, same posting for all.
    loyalty.points_award(actor=SYSTEM, member_id=member.pk, points=100, key="a3")
    results = run_together([lambda: spend("s3").pk for _ in range(8)])
    assert not raised(results), raised(results)
    assert len(set(results)) == 1 and Posting.objects.filter(key="s3").count() == 1
    assert loyalty_selectors.points_balance(member=member) == 0
    assert sum(PointsLot.objects.filter(member=member).values_list("remaining", flat=True)) == 0
    _never_negative()
    assert ledger_breaches() == []


def test_points_tenders_on_two_orders_at_once(network: Any) -> None:
    member, _ = member_with_login()
    loyalty.points_award(actor=SYSTEM, member_id=member.pk, points=150, key="a1")
    orders = [online_order(network, member, sku=0) for _ in range(2)]

    def tender(order: Order) -> Any:
        return payment_tender(
            actor=actor_for_user(user=member.user), order_id=order.pk, method="points", points=100
        )

    results = run_together([lambda o=o: tender(o) for o in orders])
    errors = raised(results)
    assert len(errors) == 1 and isinstance(errors[0], InsufficientBalanceError), errors
    assert loyalty_selectors.points_balance(member=member) == 50
    assert Payment.objects.filter(method="points").count() == 1
    assert ledger_breaches() == []
