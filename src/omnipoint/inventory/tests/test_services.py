from datetime import timedelta

import pytest
from django.utils import timezone

from omnipoint.core.errors import (
    ConflictError,
    InvalidQuantityError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
)
from omnipoint.inventory import services
from omnipoint.inventory.checks import inventory_breaches
from omnipoint.inventory.errors import (
    CountBelowReservedError,
    InsufficientStockError,
    ReservationExpiredError,
)
from omnipoint.inventory.models import Reservation, StockLevel, StockMovement, TransferState
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.models import Outlet
from omnipoint.outlets.selectors import actor_get
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db


def level(outlet, sku):
    return StockLevel.objects.get(location=outlet, sku=sku)


def test_reserve_commit_moves_stock_and_ledger(network):
    a, sku = network.a, network.skus[0]
    r = services.stock_reserve(actor=SYSTEM, owner_ref="order:1", lines=[(a.pk, sku.pk, 3)])
    assert (level(a, sku).on_hand, level(a, sku).reserved) == (10, 3)
    services.reservation_commit(actor=SYSTEM, reservation_id=r.pk)
    assert (level(a, sku).on_hand, level(a, sku).reserved) == (7, 0)
    assert StockMovement.objects.filter(location=a, sku=sku, kind="sale").get().quantity == -3
    assert inventory_breaches() == []


def test_reserve_all_or_nothing(network):
    a, s0, s1 = network.a, network.skus[0], network.skus[1]
    with pytest.raises(InsufficientStockError) as e:
        services.stock_reserve(actor=SYSTEM, owner_ref="order:2", lines=[(a.pk, s0.pk, 2), (a.pk, s1.pk, 11)])
    assert e.value.details["available"] == 10
    assert level(a, s0).reserved == 0 and not Reservation.objects.exists()


def test_reserve_is_idempotent_on_owner_ref(network):
    a, sku = network.a, network.skus[0]
    first = services.stock_reserve(actor=SYSTEM, owner_ref="cart:9", lines=[(a.pk, sku.pk, 2)])
    again = services.stock_reserve(actor=SYSTEM, owner_ref="cart:9", lines=[(a.pk, sku.pk, 2)])
    assert first.pk == again.pk and level(a, sku).reserved == 2
    with pytest.raises(ConflictError):
        services.stock_reserve(actor=SYSTEM, owner_ref="cart:9", lines=[(a.pk, sku.pk, 5)])


def test_safety_stock_is_left_for_the_counter(network):
    a, sku = network.a, network.skus[0]
    services.stock_set_safety(actor=SYSTEM, location_id=a.pk, sku_id=sku.pk, safety_stock=8)
    with pytest.raises(InsufficientStockError):
        services.stock_reserve(actor=SYSTEM, owner_ref="web:1", lines=[(a.pk, sku.pk, 3)])
    services.stock_sell(actor=SYSTEM, location_id=a.pk, sku_id=sku.pk, quantity=9)
    assert level(a, sku).on_hand == 1


def test_sellable_is_above_the_safety_stock_online_and_not_at_the_counter(network):
    a, sku = network.a, network.skus[0]
    StockLevel.objects.filter(location=a, sku=sku).update(on_hand=10, reserved=3, safety_stock=4)
    rows = StockLevel.objects.filter(location=a, sku=sku)
    assert rows.sellable().exists() and rows.sellable(3).exists() and not rows.sellable(4).exists()
    assert rows.sellable(7, online=False).exists() and not rows.sellable(8, online=False).exists()
    StockLevel.objects.filter(location=a, sku=sku).update(safety_stock=7)
    assert not rows.sellable().exists() and rows.sellable(online=False).exists()


def test_expired_hold_cannot_commit_and_sweep_releases(network):
    a, sku = network.a, network.skus[0]
    r = services.stock_reserve(actor=SYSTEM, owner_ref="order:3", lines=[(a.pk, sku.pk, 4)], ttl_seconds=60)
    Reservation.objects.filter(pk=r.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ReservationExpiredError):
        services.reservation_commit(actor=SYSTEM, reservation_id=r.pk)
    assert services.reservations_expire(actor=SYSTEM) == 1
    assert level(a, sku).reserved == 0
    with pytest.raises(InvalidStateError):
        services.reservation_release(actor=SYSTEM, reservation_id=r.pk)


def test_transfer_dispatch_receive_short(network):
    a, b, sku = network.a, network.b, network.skus[2]
    t = services.transfer_create(actor=SYSTEM, source_id=a.pk, destination_id=b.pk, lines=[(sku.pk, 5)])
    services.transfer_dispatch(actor=SYSTEM, transfer_id=t.pk)
    assert level(a, sku).on_hand == 5 and level(b, sku).on_hand == 10
    t = services.transfer_receive(actor=SYSTEM, transfer_id=t.pk, received={sku.pk: 4})
    assert t.state == TransferState.SHORT_RECEIVED and level(b, sku).on_hand == 14
    with pytest.raises(InvalidStateError):
        services.transfer_receive(actor=SYSTEM, transfer_id=t.pk)
    assert inventory_breaches() == []


def test_count_posts_corrections_but_not_below_reserved(network):
    a, sku = network.a, network.skus[1]
    count = services.count_open(actor=SYSTEM, location_id=a.pk, sku_ids=[sku.pk])
    services.count_record(actor=SYSTEM, count_id=count.pk, sku_id=sku.pk, counted=7)
    count = services.count_post(actor=SYSTEM, count_id=count.pk)
    line = count.lines.get()
    assert (line.expected, line.correction, level(a, sku).on_hand) == (10, -3, 7)
    services.stock_reserve(actor=SYSTEM, owner_ref="o:5", lines=[(a.pk, sku.pk, 5)])
    count = services.count_open(actor=SYSTEM, location_id=a.pk, sku_ids=[sku.pk])
    services.count_record(actor=SYSTEM, count_id=count.pk, sku_id=sku.pk, counted=4)
    with pytest.raises(CountBelowReservedError):
        services.count_post(actor=SYSTEM, count_id=count.pk)
    assert level(a, sku).on_hand == 7 and inventory_breaches() == []


def test_scope_and_bad_quantities(network):
    clerk = actor_get(user=user_of("outlet_clerk"))
    with pytest.raises(NotFoundError):
        services.stock_reserve(actor=clerk, owner_ref="x", lines=[(network.c.pk, network.skus[0].pk, 1)])
    for bad in (0, -1, 10**9):
        with pytest.raises(InvalidQuantityError):
            services.stock_reserve(
                actor=clerk, owner_ref="y", lines=[(network.a.pk, network.skus[0].pk, bad)]
            )
    assert not Reservation.objects.exists()


def test_only_the_platform_sweeps_and_staff_renew_only_staff_holds_in_scope(network):
    a, sku = network.a, network.skus[0]
    clerk = actor_get(user=user_of("outlet_clerk"))
    with pytest.raises(PermissionDeniedError):
        services.reservations_expire(actor=clerk)  # type: ignore[arg-type]
    order_hold = services.stock_reserve(
        actor=SYSTEM, owner_kind="order", owner_ref=f"order:1:{a.pk}", lines=[(a.pk, sku.pk, 1)]
    )
    with pytest.raises(ConflictError) as e:
        services.reservation_renew(actor=clerk, reservation_id=order_hold.pk, ttl_seconds=60)
    assert e.value.code == "reservation_owned"
    mine = services.stock_reserve(actor=clerk, owner_ref="cart:1", lines=[(a.pk, sku.pk, 1)], ttl_seconds=60)
    renewed = services.reservation_renew(actor=clerk, reservation_id=mine.pk, ttl_seconds=3600)
    assert renewed.expires_at > mine.expires_at
    elsewhere = actor_get(user=user_of("other_city_clerk"))
    with pytest.raises(NotFoundError):
        services.reservation_renew(actor=elsewhere, reservation_id=mine.pk, ttl_seconds=3600)
    assert services.reservation_renew(actor=SYSTEM, reservation_id=order_hold.pk, ttl_seconds=60).pk


def test_a_moved_outlets_stock_follows_only_for_who_may_edit_it(network):
    a = network.a
    Outlet.objects.filter(pk=a.pk).update(lat=a.lat + 0.01)
    for persona, refused in (("outlet_clerk", PermissionDeniedError), ("other_city_clerk", NotFoundError)):
        with pytest.raises(refused):
            services.stock_coordinates_sync(actor=actor_get(user=user_of(persona)), outlet_id=a.pk)
    city = actor_get(user=user_of("city_manager"))
    assert services.stock_coordinates_sync(actor=city, outlet_id=a.pk) == len(network.skus)
    assert services.stock_coordinates_sync(actor=SYSTEM, outlet_id=a.pk) == 0
