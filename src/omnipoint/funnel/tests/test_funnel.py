"""The storefront funnel: a visitor counts once per step per day, from the shop's own pages, and
a database that refuses the insert does not fail the page."""

from datetime import date
from unittest import mock

import pytest
from django.db import DatabaseError

from omnipoint.core.errors import ValidationError
from omnipoint.funnel.models import FunnelEvent
from omnipoint.funnel.selectors import funnel_by_day, funnel_total
from omnipoint.funnel.services import funnel_step
from omnipoint.outlets.domain import GUEST
from omnipoint.testing import build_network

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)


def test_a_visitor_counts_once_a_day_per_step_under_their_district():
    for visitor, path in (("v1", "/31/3101/310115/"), ("v2", "/32/3201/320102/")):
        for _ in range(2):
            funnel_step(actor=GUEST, visitor=visitor, step="visit", region_path=path, day=DAY)
    funnel_step(actor=GUEST, visitor="v1", step="cart", region_path="/31/3101/310115/", day=DAY)
    funnel_step(
        actor=GUEST, visitor="v1", step="visit", region_path="/31/3101/310115/", day=date(2026, 12, 2)
    )
    assert FunnelEvent.objects.count() == 4
    shanghai = funnel_by_day(first=DAY, last=date(2026, 12, 2), region_path="/31/")
    assert [(f.visits, f.carts, f.orders) for f in shanghai.values()] == [(1, 1, 0), (1, 0, 0)]
    assert funnel_total(first=DAY, last=DAY).visits == 2


def test_a_bad_step_is_refused_and_a_refusing_database_is_not_the_pages_problem():
    with pytest.raises(ValidationError):
        funnel_step(actor=GUEST, visitor="v1", step="checkout", day=DAY)
    with mock.patch.object(FunnelEvent.objects, "bulk_create", side_effect=DatabaseError("down")):
        funnel_step(actor=GUEST, visitor="v1", step="visit", day=DAY)
    assert FunnelEvent.objects.count() == 0


def test_the_shop_records_a_visit_a_cart_and_an_order_once_each(client):
    net = build_network()
    for _ in range(3):
        assert client.get("/shop/").status_code == 200
    assert list(FunnelEvent.objects.values_list("step", flat=True)) == ["visit"]
    client.post("/shop/cart/add/", {"sku_id": net.skus[0].pk, "quantity": 1})
    client.post("/shop/cart/add/", {"sku_id": net.skus[0].pk, "quantity": 1})
    assert sorted(FunnelEvent.objects.values_list("step", flat=True)) == ["cart", "visit"]
    assert FunnelEvent.objects.values("visitor").distinct().count() == 1
