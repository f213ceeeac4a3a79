"""Flash sales through their services, on the personas' network: the pool set aside, claims
within the limit, a claim checked out as an order, the end handing back in proportion."""

from datetime import timedelta

import pytest
from django.utils import timezone

from omnipoint.core.errors import ConflictError, InvalidStateError, NotFoundError, PermissionDeniedError
from omnipoint.flashsales import selectors, services
from omnipoint.flashsales.domain import Stand
from omnipoint.flashsales.models import FlashSource, SaleState
from omnipoint.inventory.checks import inventory_breaches
from omnipoint.inventory.errors import InsufficientStockError
from omnipoint.inventory.models import StockLevel, StockMovement
from omnipoint.inventory.services import reservations_expire
from omnipoint.orders.models import OrderState
from omnipoint.orders.services import orders_expire_unpaid
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.testing import build_network, user_of

from .helpers import buyer, sale_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def net():
    return build_network()


def on_hand(net, outlet) -> int:
    return StockLevel.objects.get(location=outlet, sku=net.skus[2]).on_hand


def test_a_sale_sets_its_pool_aside_from_the_outlets(net):
    sale = sale_make(net, a=6, b=4)
    assert (on_hand(net, net.a), on_hand(net, net.b)) == (4, 6)
    assert selectors.pool_of(sale).available == 10
    assert sale.pool is not None and not sale.pool.is_active
    assert StockMovement.objects.filter(reference=f"flash:{sale.pk}").count() == 3
    assert inventory_breaches() == []


def test_a_sale_takes_no_more_than_is_free_and_only_in_scope(net):
    before = StockMovement.objects.count()
    with pytest.raises(InsufficientStockError):
        sale_make(net, a=11)
    city = actor_get(user=user_of("city_manager"))
    with pytest.raises(NotFoundError):  # Nanjing is not the Shanghai city manager's
        services.flash_sale_create(
            actor=city, name="x", sku_id=net.skus[2].pk, sources=[(net.c.pk, 1)],
            starts_at=timezone.now(), ends_at=timezone.now() + timedelta(hours=1), per_member_limit=1,
        )  # fmt: skip
    with pytest.raises(PermissionDeniedError):  # a clerk may not
        services.flash_sale_create(
            actor=actor_get(user=user_of("outlet_clerk")), name="x", sku_id=net.skus[2].pk,
            sources=[(net.a.pk, 1)], starts_at=timezone.now(), ends_at=timezone.now() + timedelta(hours=1),
            per_member_limit=1,
        )  # fmt: skip
    assert StockMovement.objects.count() == before and on_hand(net, net.a) == 10


def test_claims_keep_the_limit_then_the_line_then_sold_out(net):
    sale = sale_make(net, a=2, b=1, limit=2)
    (_, alice), (_, bob), (_, carol) = buyer(1), buyer(2), buyer(3)
    services.flash_claim(actor=alice, sale_id=sale.pk, quantity=2)
    with pytest.raises(ConflictError) as limit:
        services.flash_claim(actor=alice, sale_id=sale.pk)
    assert limit.value.code == "flash_limit_reached"
    claim = services.flash_claim(actor=bob, sale_id=sale.pk)
    with pytest.raises(ConflictError) as line:
        services.flash_claim(actor=carol, sale_id=sale.pk)
    assert line.value.code == "in_line"
    standing = selectors.standing_get(actor=carol, sale=sale)
    assert standing.stand == Stand.IN_LINE and standing.params["position"] == 1
    assert selectors.standing_get(actor=alice, sale=sale).stand == Stand.CLAIMED
    # Bob's claim lapses: the unit is free again and Carol's turn has come.
    reservations_expire(actor=SYSTEM, now=timezone.now() + timedelta(hours=1))
    assert selectors.standing_get(actor=carol, sale=sale).stand == Stand.YOUR_TURN
    services.flash_claim(actor=carol, sale_id=sale.pk)
    with pytest.raises(InvalidStateError) as lapsed:
        services.flash_checkout(actor=bob, claim_id=claim.pk, pickup_outlet_id=net.a.pk)
    assert lapsed.value.code == "claim_lapsed"


def test_a_claim_becomes_an_order_and_the_end_hands_back_the_rest(net):
    sale = sale_make(net, a=6, b=4, limit=2)
    member, alice = buyer(1)
    claim = services.flash_claim(actor=alice, sale_id=sale.pk, quantity=2)
    with pytest.raises(NotFoundError):  # another member's claim is not theirs to check out
        services.flash_checkout(actor=buyer(2)[1], claim_id=claim.pk, pickup_outlet_id=net.a.pk)
    order = services.flash_checkout(actor=alice, claim_id=claim.pk, pickup_outlet_id=net.b.pk)
    assert services.flash_checkout(actor=alice, claim_id=claim.pk, pickup_outlet_id=net.b.pk) == order
    assert order.state == OrderState.PENDING and order.member == member
    assert order.lines.get().location_id == sale.pool_id  # held in the pool
    pool = selectors.pool_of(sale)
    assert (pool.on_hand, pool.reserved) == (10, 2)
    services.flash_sale_end(actor=actor_get(user=user_of("city_manager")), sale_id=sale.pk)
    # 8 free units back by what each gave (6:4), the order's 2 still held in the pool.
    assert (on_hand(net, net.a), on_hand(net, net.b)) == (4 + 5, 6 + 3)
    assert selectors.pool_of(sale).on_hand == 2
    with pytest.raises(InvalidStateError):
        services.flash_claim(actor=buyer(3)[1], sale_id=sale.pk)
    # The order is never paid: the timeout cancels it, its units come back to the pool, then out.

    orders_expire_unpaid(actor=SYSTEM, now=timezone.now() + timedelta(hours=2))
    services.flash_sales_settle(actor=services.SETTLE)
    assert (on_hand(net, net.a), on_hand(net, net.b)) == (10, 10)
    assert [s.returned for s in FlashSource.objects.filter(sale=sale).order_by("outlet_id")] == [6, 4]
    sale.refresh_from_db()
    assert sale.state == SaleState.CLOSED
    assert inventory_breaches() == []
