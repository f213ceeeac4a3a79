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
