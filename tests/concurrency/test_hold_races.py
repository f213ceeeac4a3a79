"""Holds raced (issue 7): a member's checkouts against their quantity limit, pickup-code guesses
against the clerk's limit, and checkout load while holds lapse and staff try to take order holds."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from omnipoint.catalog.models import Sku
from omnipoint.core.errors import DomainError
from omnipoint.inventory.checks import inventory_breaches
from omnipoint.orders.models import Order
from omnipoint.orders.services import LineRequest, order_place

from .threads import raised, run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def test_one_members_racing_checkouts_stay_within_the_members_limit(network: Any) -> None:
    sku = network.skus[0]
    Sku.objects.filter(pk=sku.pk).update(max_per_member=3)
    guest = get_user_model()()

    def checkout() -> int:
        return order_place(
            user=guest,
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
    from omnipoint.core.testing import user_of
    from omnipoint.orders import domain
    from omnipoint.orders.models import PickupAttempt
    from omnipoint.orders.services import order_hand_over
    from omnipoint.outlets.selectors import actor_get

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
        user=get_user_model()(),
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
