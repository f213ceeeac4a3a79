"""Commissions through the services: accrued on completion on the ledger, reversed on returns."""

from decimal import Decimal

import pytest

from omnipoint.core.errors import ConflictError
from omnipoint.ledger.checks import ledger_breaches
from omnipoint.ledger.models import Account, Posting
from omnipoint.orders.models import OrderState
from omnipoint.orders.selectors import order_for_commission, return_for_commission, sales_mine
from omnipoint.orders.services import order_return
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.showrooms import domain, services
from omnipoint.showrooms.models import CommissionAccrual, CommissionReversal
from omnipoint.showrooms.tests.conftest import complete, place
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(network):
    """HQ pays 2% by default and 1 yuan per unit of 3C accessories; Shanghai pays 5% on the AC."""
    hq = actor_get(user=user_of("hq_admin"))
    city = actor_get(user=user_of("city_manager"))
    accessories = network.skus[2].product.category
    services.commission_rule_create(actor=hq, rate=Decimal("0.02"))
    services.commission_rule_create(actor=hq, category_id=accessories.pk, fixed_per_unit=100)
    services.commission_rule_create(actor=city, product_id=network.skus[0].product_id, rate=Decimal("0.05"))


def test_a_completed_showroom_order_accrues_and_a_return_reverses_in_proportion(network, sales, rules):
    ac, _, cable = network.skus
    order = place(sales.a, lines=[(ac.pk, 2), (cable.pk, 3)])
    assert order.channel == "showroom" and order.salesperson_id == sales.a.pk
    assert not CommissionAccrual.objects.exists()  # nothing until it completes

    complete(order, clerk_user=user_of("outlet_clerk"))
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    accrual = CommissionAccrual.objects.get(order_id=order.pk)
    # AC: 2 x ¥95.00 (Shanghai price) at 5% = ¥9.50; cable: 3 units at ¥1 = ¥3.00.
    assert accrual.amount == 950 + 300
    account = Account.objects.get(code=domain.staff_account(sales.a.pk))
    assert account.balance == 1250
    assert Posting.objects.get(key=f"commission:{order.number}").amount == 1250

    clerk = actor_get(user=user_of("outlet_clerk"))
    first = order_return(actor=clerk, order_id=order.pk, outlet_id=network.a.pk, lines=[(ac.pk, 1)])
    assert CommissionReversal.objects.get(order_return_id=first.pk).amount == 475
    second = order_return(
        actor=clerk, order_id=order.pk, outlet_id=network.a.pk, lines=[(ac.pk, 1), (cable.pk, 3)]
    )
    assert CommissionReversal.objects.get(order_return_id=second.pk).amount == 475 + 300
    account.refresh_from_db()
    assert account.balance == 0
    mine = sales_mine(actor=actor_get(user=user_of("sales_a")))
    assert (mine.accrued, mine.reversed, mine.net, mine.balance) == (1250, 1250, 0, 0)
    assert ledger_breaches() == []


def test_accrual_and_reversal_are_once_per_order_and_per_return(network, sales, rules):
    ac = network.skus[0]
    order = place(sales.a, lines=[(ac.pk, 1)])
    complete(order, clerk_user=user_of("outlet_clerk"))
    order.refresh_from_db()
    first = CommissionAccrual.objects.get(order_id=order.pk)
    assert services.commission_accrue(actor=SYSTEM, order=order_for_commission(order)) == first
    ret = order_return(
        actor=actor_get(user=user_of("outlet_clerk")),
        order_id=order.pk,
        outlet_id=network.a.pk,
        lines=[(ac.pk, 1)],
    )
    again = services.commission_reverse(actor=SYSTEM, order_return=return_for_commission(ret))
    assert again is not None and CommissionReversal.objects.count() == 1
    assert (
        Posting.objects.filter(reference=f"order:{order.number}", code__startswith="commission").count() == 2
    )
    assert ledger_breaches() == []


def test_an_order_without_a_salesperson_or_a_rule_earns_nothing(network, sales):
    ac = network.skus[0]
    order = place(sales.a, lines=[(ac.pk, 1)])  # no rules yet
    complete(order, clerk_user=user_of("outlet_clerk"))
    accrual = CommissionAccrual.objects.get(order_id=order.pk)
    assert accrual.amount == 0 and accrual.posting_key == ""
    assert not Posting.objects.filter(code="commission").exists()
    ret = order_return(
        actor=actor_get(user=user_of("outlet_clerk")),
        order_id=order.pk,
        outlet_id=network.a.pk,
        lines=[(ac.pk, 1)],
    )
    assert services.commission_reverse(actor=SYSTEM, order_return=return_for_commission(ret)) is None
    assert ledger_breaches() == []


def test_a_refused_return_reverses_nothing(network, sales, rules):
    ac = network.skus[0]
    order = place(sales.a, lines=[(ac.pk, 1)])
    complete(order, clerk_user=user_of("outlet_clerk"))
    clerk = actor_get(user=user_of("outlet_clerk"))
    with pytest.raises(ConflictError):
        order_return(actor=clerk, order_id=order.pk, outlet_id=network.a.pk, lines=[(ac.pk, 2)])
    assert not CommissionReversal.objects.exists()
    assert Account.objects.get(code=domain.staff_account(sales.a.pk)).balance == 475
