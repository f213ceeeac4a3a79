"""Loading the demo into a database without it: conflicts, the small size, --reset, and the
story, which needs the network under it."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from omnipoint.catalog.models import Sku
from omnipoint.core.errors import ConflictError, PermissionDeniedError
from omnipoint.demo.scenario import demo_scenario_load
from omnipoint.demo.services import demo_network_load, demo_reset
from omnipoint.demo.story import scenario_highlights
from omnipoint.inventory.checks import inventory_breaches
from omnipoint.ledger.checks import ledger_breaches
from omnipoint.members.models import Member
from omnipoint.orders.models import Order
from omnipoint.outlets.domain import SYSTEM, Actor, Scope
from omnipoint.outlets.models import Outlet, Region


def test_existing_persona_user_refuses_and_writes_nothing(db):
    get_user_model().objects.create_user(username="outlet_clerk", password="x")
    with pytest.raises(ConflictError):
        demo_network_load(actor=SYSTEM, size="small")
    assert not Outlet.objects.exists() and not Sku.objects.exists()


def test_only_the_platform_loads_or_empties_the_demo(db):
    hq = Actor(1, 1, "hq_admin", Scope(region_path="/"), frozenset({"staff.manage"}), "hq")
    with pytest.raises(PermissionDeniedError):
        demo_network_load(actor=hq, size="small")
    with pytest.raises(PermissionDeniedError):
        demo_reset(actor=hq)
    assert not Outlet.objects.exists() and Region.objects.exists()


def test_small_demo_and_reset_give_the_same_network(db):
    first = demo_network_load(actor=SYSTEM, size="small")
    assert first.created and first.counts["outlets"] > 0 and inventory_breaches() == []
    demo_reset(actor=SYSTEM)
    assert not Outlet.objects.exists() and Region.objects.filter(code="310115").exists()
    again = demo_network_load(actor=SYSTEM, size="small")
    assert again.counts == first.counts


def test_the_story_needs_the_network(db):
    with pytest.raises(ConflictError):
        demo_scenario_load()
    assert not Member.objects.exists()


def test_the_story_on_the_small_network(db):
    demo_network_load(actor=SYSTEM, size="small")
    first = demo_scenario_load()
    days_before = Order.objects.filter(created_at__lt=timezone.now() - timedelta(hours=1))
    assert days_before.exists() and not days_before.exclude(state="completed").exists()
    assert (
        first.created and first.counts["orders"] == 10 + days_before.count()
    )  # 6, 4 air conditioners to install, and the days before
    assert inventory_breaches() == [] and ledger_breaches() == []
    h = scenario_highlights()
    assert len(h.members) == 5 and len(h.ready_pickups) == 1 and h.open_tasks == 3 and h.showroom_path
    again = demo_scenario_load()
    assert not again.created and again.counts == first.counts
