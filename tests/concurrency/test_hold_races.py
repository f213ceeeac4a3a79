"""Holds raced (issue 7): a member's checkouts against their quantity limit, pickup-code guesses
against the clerk's limit, and checkout load while holds lapse and staff try to take order holds."""

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from omnipoint.catalog.models import Sku
from omnipoint.core.errors import DomainError
from omnipoint.inventory.checks import inventory_breaches
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.models import Order
from omnipoint.orders.services import LineRequest, order_place
from omnipoint.outlets.domain import SYSTEM

from .threads import raised, run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def test_one_members_racing_checkouts_stay_within_the_members_limit(network: Any) -> None:
    sku = network.skus[0]
    Sku.objects.filter(pk=sku.pk).update(max_per_member=3)
    guest = AnonymousUser()  # a storefront guest, known by mobile only

    def checkout() -> int:
        return order_place(
            actor=actor_for_user(user=guest),
            channel="web",
            method="pickup",
            payment_mode="at_outlet",
            pickup_outlet_id=network.a.pk,
            mobile="13800009999",
            lines=[LineRequest(sku.pk, 1)],
        ).pk

    results = run_together([checkout for _ in range(12)])
    placed = [r for r in results if isinstance(r, int)]
    refused = raised(results)
    assert len(placed) == 3, results
    assert all(isinstance(e, DomainError) and e.code == "member_quantity_limit" for e in refused), refused
    assert Order.objects.filter(member__mobile="13800009999").count() == 3
    assert inventory_breaches() == []


def test_racing_wrong_pickup_codes_are_evaluated_no_more_than_the_limits(network: Any) -> None:
    from omnipoint.orders import domain
    from omnipoint.orders.models import PickupAttempt
    from omnipoint.orders.services import order_hand_over
    from omnipoint.outlets.selectors import actor_get
    from omnipoint.testing import user_of

    clerk = actor_get(user=user_of("outlet_clerk"))

    def guess(i: int, order_number: str = "") -> Any:
        return order_hand_over(
            actor=clerk, outlet_id=network.a.pk, code=f"{i:08d}", order_number=order_number
        )

    results = run_together(
        [lambda i=i: guess(i) for i in range(domain.MAX_PICKUP_FAILURES_PER_CLERK_HOUR + 10)]
    )
    codes = sorted(getattr(e, "code", repr(e)) for e in raised(results))
    assert codes.count("pickup_code_invalid") == domain.MAX_PICKUP_FAILURES_PER_CLERK_HOUR, codes
    assert codes.count("pickup_locked") == 10, codes
    assert PickupAttempt.objects.filter(ok=False).count() == domain.MAX_PICKUP_FAILURES_PER_CLERK_HOUR

    order = order_place(
        actor=actor_for_user(user=AnonymousUser()),
        channel="web",
        method="pickup",
        payment_mode="at_outlet",
        pickup_outlet_id=network.a.pk,
        mobile="13800007777",
        lines=[LineRequest(network.skus[0].pk, 1)],
    )
    other = actor_get(user=user_of("outlet_manager"))

    def named(i: int) -> Any:
        return order_hand_over(
            actor=other, outlet_id=network.a.pk, code=f"{i:08d}", order_number=order.number
        )

    results = run_together([lambda i=i: named(i) for i in range(12)])
    codes = sorted(getattr(e, "code", repr(e)) for e in raised(results))
    assert codes.count("pickup_code_invalid") == domain.MAX_PICKUP_FAILURES_PER_ORDER, codes
    assert codes.count("pickup_locked") == 12 - domain.MAX_PICKUP_FAILURES_PER_ORDER, codes
    assert Order.objects.get(pk=order.pk).pickup_failures == domain.MAX_PICKUP_FAILURES_PER_ORDER


def test_checkouts_while_order_holds_lapse_and_staff_try_to_take_them(network: Any) -> None:
    """Checkouts and counter sales of one SKU, while the holds of ready, paid orders lapse under
    the sweep, their customers come to collect, and staff try to release or commit those holds
    from outside: no unit leaves without a sale movement, and the books hold."""
    import time

    from omnipoint.inventory import services as inventory
    from omnipoint.inventory.models import (
        MovementKind,
        Reservation,
        ReservationState,
        StockLevel,
        StockMovement,
    )
    from omnipoint.orders.models import PickTask
    from omnipoint.orders.services import order_hand_over, task_advance
    from omnipoint.outlets.selectors import actor_get
    from omnipoint.payments.services import payment_capture
    from omnipoint.testing import user_of

    a, sku = network.a, network.skus[0]
    inventory.stock_receive(actor=SYSTEM, location_id=a.pk, sku_id=sku.pk, quantity=10)  # 20 at A
    for other in (network.b, network.w, network.c):  # the checkouts stay at A
        inventory.stock_adjust(actor=SYSTEM, location_id=other.pk, sku_id=sku.pk, delta=-10, reason="none")
    clerk = actor_get(user=user_of("outlet_clerk"))
    guest = AnonymousUser()  # a storefront guest, known by mobile only

    def place(mobile: str) -> Order:
        return order_place(
            actor=actor_for_user(user=guest),
            channel="web",
            method="pickup",
            payment_mode="at_outlet",
            pickup_outlet_id=a.pk,
            mobile=mobile,
            lines=[LineRequest(sku.pk, 1)],
        )

    lapsing = [place(f"1380000{i:04d}") for i in range(8)]
    for n, order in enumerate(lapsing):  # the odd ones lapse; every customer comes to collect
        task = PickTask.objects.get(order=order, purpose="pickup")
        for step in ("claim", "picked", "ready"):
            task_advance(actor=clerk, task_id=task.pk, step=step)
        payment_capture(actor=clerk, order_id=order.pk, method="at_outlet")
        for hold in Reservation.objects.filter(
            owner_kind="order", owner_ref__startswith=f"order:{order.pk}:"
        ):
            inventory.reservation_renew(
                actor=SYSTEM, reservation_id=hold.pk, ttl_seconds=1 if n % 2 else 3600
            )
    holds = list(
        Reservation.objects.filter(owner_kind="order", state=ReservationState.HELD).values_list(
            "pk", flat=True
        )
    )
    time.sleep(1.1)

    def sweep() -> int:
        return sum(inventory.reservations_expire(actor=SYSTEM) for _ in range(5))

    def collect(order: Order) -> Any:
        return order_hand_over(
            actor=clerk, outlet_id=a.pk, code=order.pickup_code, order_number=order.number
        ).pk

    def staff_takes(i: int) -> Any:
        take = inventory.reservation_release if i % 2 else inventory.reservation_commit
        return take(actor=clerk, reservation_id=holds[i % len(holds)])

    def counter() -> Any:
        return inventory.stock_sell(actor=clerk, location_id=a.pk, sku_id=sku.pk, quantity=1).pk

    workers: list[Any] = [sweep]
    workers += [lambda o=o: collect(o) for o in lapsing]
    workers += [lambda i=i: staff_takes(i) for i in range(6)]
    workers += [lambda i=i: place(f"1390000{i:04d}").pk for i in range(10)]
    workers += [counter for _ in range(6)]
    results = run_together(workers)

    staff = results[1 + len(lapsing) : 1 + len(lapsing) + 6]
    assert all(getattr(r, "code", None) == "reservation_owned" for r in staff), staff  # never once
    # A customer who comes too late finds the order cancelled (the sweep won), or the hold lapsed.
    late = {"order_not_ready", "order_wrong_state", "order_holds_lapsed", "reservation_expired"}
    others = results[: 1 + len(lapsing)] + results[1 + len(lapsing) + 6 :]
    assert all(getattr(e, "code", None) in late | {"insufficient_stock"} for e in raised(others)), raised(
        others
    )

    sold = StockMovement.objects.filter(location=a, sku=sku, kind=MovementKind.SALE)
    states = sorted(Order.objects.filter(pk__in=[o.pk for o in lapsing]).values_list("state", flat=True))
    assert states == ["cancelled"] * 4 + ["completed"] * 4, states
    for order in Order.objects.filter(pk__in=[o.pk for o in lapsing]):
        by_order = sold.filter(reference=f"order:{order.number}")
        assert sum(m.quantity for m in by_order) == (-1 if order.state == "completed" else 0)
    out = StockMovement.objects.filter(location=a, sku=sku, quantity__lt=0)
    assert set(out.values_list("kind", flat=True)) <= {MovementKind.SALE, MovementKind.ADJUSTMENT}
    assert not out.filter(kind=MovementKind.ADJUSTMENT).exists()  # A's stock was never adjusted down
    row = StockLevel.objects.get(location=a, sku=sku)
    assert row.on_hand == 20 + sum(m.quantity for m in sold)
    assert inventory_breaches() == []
