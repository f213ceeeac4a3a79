"""Loading the demo into a database without it: conflicts, the small size and --reset."""

import pytest
from django.contrib.auth import get_user_model

from omnipoint.catalog.models import Sku
from omnipoint.core.errors import ConflictError
from omnipoint.demo.services import demo_network_load, demo_reset
from omnipoint.inventory.checks import inventory_breaches
from omnipoint.outlets.models import Outlet, Region


def test_existing_persona_user_refuses_and_writes_nothing(db):
    get_user_model().objects.create_user(username="outlet_clerk", password="x")
    with pytest.raises(ConflictError):
        demo_network_load(size="small")
    assert not Outlet.objects.exists() and not Sku.objects.exists()


def test_small_demo_and_reset_give_the_same_network(db):
    first = demo_network_load(size="small")
    assert first.created and first.counts["outlets"] > 0 and inventory_breaches() == []
    demo_reset()
    assert not Outlet.objects.exists() and Region.objects.filter(code="310115").exists()
    again = demo_network_load(size="small")
    assert again.counts == first.counts
