"""The demo network: what `manage.py demo_seed` loads, on the database the settings select.

The full demo is seeded once for this module (inside a transaction rolled back at the end);
every test then looks at it from one angle.
"""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count

from omnipoint.catalog.models import PriceList, PriceListItem, ProductKind, Sku, Supplier
from omnipoint.catalog.selectors import price_get
from omnipoint.core.geo import haversine_km
from omnipoint.demo.services import (
    DEMO_MARKER_OUTLET,
    DEMO_PASSWORD,
    OPENING_REFERENCE,
    PERSONAS,
    demo_counts,
)
from omnipoint.inventory.checks import inventory_breaches
from omnipoint.inventory.models import MovementKind, StockLevel, StockMovement
from omnipoint.outlets.models import Outlet, OutletKind, Region, Staff


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Run the real command once; roll everything back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo_seed", stdout=out)
        # Run the deferred FK checks now, once, rather than in every test's teardown.
        connection.check_constraints()
        yield out.getvalue()
        transaction.set_rollback(True)


def test_seed_reports_what_it_loaded(demo, db):
    assert "demo network loaded" in demo
    assert "SKUs" in demo and "stock rows" in demo


def test_outlets_of_every_kind_in_shanghai_and_jiangsu(demo, db):
    outlets = Outlet.objects.all()
    assert outlets.count() >= 200
    assert outlets.filter(region_path__startswith="/31/").count() >= 50
    assert outlets.filter(region_path__startswith="/32/").count() >= 50
    assert set(outlets.values_list("kind", flat=True)) == set(OutletKind.values)
    assert outlets.filter(kind=OutletKind.WAREHOUSE).count() >= 3
    assert not outlets.filter(kind=OutletKind.WAREHOUSE, sells_at_counter=True).exists()
    assert outlets.filter(pickup_point=True).count() > 100
    assert outlets.filter(ships_from_store=True, delivery_radius_km__gt=0).exists()
    assert len(set(outlets.values_list("name", flat=True))) > 0.9 * outlets.count()


def test_every_outlet_sits_in_its_district(demo, db):
    for outlet in Outlet.objects.select_related("region"):
        region = outlet.region
        assert region.level == "district"
        assert outlet.region_path == region.path
        assert region.path.startswith(("/31/", "/32/"))
        assert haversine_km(outlet.lat, outlet.lng, region.lat, region.lng) <= 3.05, outlet.code
        assert outlet.address.startswith(("上海市", "江苏省")) and region.name in outlet.address
        assert outlet.opening_hours


def test_catalogue_has_every_category_with_unique_barcodes(demo, db):
    skus = Sku.objects.all()
    assert skus.count() >= 300
    barcodes = list(skus.values_list("barcode", flat=True))
    assert len(set(barcodes)) == len(barcodes)
    assert all(b and len(b) == 13 and b.isdigit() for b in barcodes)
    per_root = {
        root: skus.filter(product__category__code=root).count()
        + skus.filter(product__category__parent__code=root).count()
        for root in ("appliances", "3c", "agri", "imported", "stationery")
    }
    assert all(n >= 30 for n in per_root.values()), per_root
    assert skus.filter(product__name__contains="阳澄湖大闸蟹").exists()
    assert skus.filter(product__name="生肖邮票").exists()
    assert not skus.filter(product__name_en="").exists()
    assert Supplier.objects.filter(is_concession=True).count() >= 2
    assert skus.filter(product__supplier__is_concession=True).exists()


def test_prices_national_regional_and_by_channel(demo, db):
    national = PriceList.objects.get(region__isnull=True)
    assert national.items.filter(channel="").count() == Sku.objects.count()
    shanghai = PriceList.objects.get(region__code="310000")
    jiangsu = PriceList.objects.get(region__code="320000")
    assert shanghai.items.count() > 10 and jiangsu.items.count() > 10
    assert PriceListItem.objects.filter(channel="web").exists()
    assert PriceListItem.objects.filter(channel="pos").exists()

    override = shanghai.items.select_related("sku").first()
    pudong = Region.objects.get(code="310115")
    xuanwu = Region.objects.get(code="320102")
    assert price_get(sku_id=override.sku_id, region=pudong, channel="app").amount == override.amount
    if not jiangsu.items.filter(sku_id=override.sku_id).exists():
        national_amount = national.items.get(sku_id=override.sku_id, channel="").amount
        assert price_get(sku_id=override.sku_id, region=xuanwu, channel="app").amount == national_amount


def test_stock_at_every_location_and_books_balance(demo, db):
    physical = Sku.objects.filter(product__kind=ProductKind.PHYSICAL).count()
    rows = dict(Outlet.objects.annotate(n=Count("stock")).values_list("code", "n"))
    assert all(n > 0 for n in rows.values())
    for warehouse in Outlet.objects.filter(kind=OutletKind.WAREHOUSE):
        assert warehouse.stock.count() == physical
    assert StockLevel.objects.filter(safety_stock__gt=0).exists()
    assert not StockLevel.objects.filter(reserved__gt=0).exists()
    assert not StockMovement.objects.exclude(kind=MovementKind.RECEIPT, reference=OPENING_REFERENCE).exists()
    assert inventory_breaches() == []


def test_every_persona_can_log_in(demo, db, client):
    for persona in PERSONAS:
        assert client.login(username=persona.username, password=DEMO_PASSWORD), persona.username
        client.logout()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    assert get_user_model().objects.get(username="admin").is_superuser


def test_persona_nodes(demo, db):
    staff = {s.user.username: s for s in Staff.objects.select_related("user", "outlet", "region")}
    clerk_outlet = staff["outlet_clerk"].outlet
    assert clerk_outlet.code == DEMO_MARKER_OUTLET and clerk_outlet.pickup_point
    assert clerk_outlet.region.code == "310115"
    assert staff["outlet_manager"].outlet == clerk_outlet == staff["salesperson"].outlet
    assert staff["other_city_clerk"].outlet.region_path.startswith("/32/3201/")
    assert staff["district_manager"].region.code == "310115"
    assert staff["province_manager"].region.code == "310000"
    assert staff["hq_admin"].region is None and staff["hq_admin"].outlet is None


def test_second_run_changes_nothing(demo, db):
    before = demo_counts()
    out = StringIO()
    call_command("demo_seed", stdout=out)
    assert "already loaded" in out.getvalue()
    assert demo_counts() == before
