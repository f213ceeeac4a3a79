"""The demo network: what `manage.py demo_seed` loads, on the database the settings select.

The full demo is seeded once for this module (inside a transaction rolled back at the end);
every test then looks at it from one angle.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from omnipoint.catalog.models import PriceList, PriceListItem, ProductKind, Sku, Supplier
from omnipoint.catalog.selectors import price_get
from omnipoint.core.geo import haversine_km
from omnipoint.demo.management.commands.demo_serve import Command as ServeCommand
from omnipoint.demo.plan import DEMO_MARKER_OUTLET, DEMO_PASSWORD, OPENING_REFERENCE, PERSONAS
from omnipoint.demo.selectors import demo_counts
from omnipoint.demo.story import DEMO_MEMBERS, scenario_counts
from omnipoint.inventory.checks import inventory_breaches
from omnipoint.inventory.models import (
    MovementKind,
    Reservation,
    ReservationState,
    StockLevel,
    StockMovement,
    Transfer,
)
from omnipoint.ledger.checks import ledger_breaches
from omnipoint.ledger.models import Account
from omnipoint.loyalty import selectors as loyalty
from omnipoint.loyalty.models import EarnRule, PointsLot, Tier, TopupPackage
from omnipoint.marketing.models import Coupon, CouponTemplate, Game, Promotion
from omnipoint.members.models import Member
from omnipoint.orders.models import Method, Order, OrderLine, OrderState, PickTask, TaskState
from omnipoint.orders.selectors import task_queue
from omnipoint.orders.services import order_hand_over
from omnipoint.outlets.models import Outlet, OutletKind, Region, Staff
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.models import Payment
from omnipoint.showrooms.models import CommissionAccrual, Showroom


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
    physical = Sku.objects.filter(product__kind=ProductKind.GOODS).count()
    rows = dict(Outlet.objects.annotate(n=Count("stock")).values_list("code", "n"))
    assert all(n > 0 for n in rows.values())
    for warehouse in Outlet.objects.filter(kind=OutletKind.WAREHOUSE):
        assert warehouse.stock.count() == physical
    assert StockLevel.objects.filter(safety_stock__gt=0).exists()
    # Beyond the opening stock, only the story's orders moved or hold stock (besides the sales of
    # the days before today that the demo closed, all completed: dashboards.demo).
    earlier = Order.objects.filter(created_at__lt=timezone.now() - timedelta(hours=1)).values_list(
        "number", flat=True
    )
    later = StockMovement.objects.exclude(kind=MovementKind.RECEIPT, reference=OPENING_REFERENCE).exclude(
        reference__in=[f"order:{n}" for n in earlier]
    )
    assert set(later.values_list("kind", flat=True)) == {MovementKind.SALE, MovementKind.TRANSFER_OUT}
    assert later.count() <= 10
    holders = Reservation.objects.filter(state=ReservationState.HELD).values_list("owner_ref", flat=True)
    assert holders and all(ref.startswith("order:") for ref in holders)
    assert StockLevel.objects.filter(reserved__gt=0).count() <= 5
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
    before = demo_counts(), scenario_counts(), _books()
    out = StringIO()
    call_command("demo_seed", stdout=out)
    assert "demo network already loaded" in out.getvalue()
    assert "demo story already loaded" in out.getvalue()
    assert (demo_counts(), scenario_counts(), _books()) == before


def _books() -> tuple[object, ...]:
    """What a second seed must leave exactly as it was: balances, stock, order and task states."""
    return (
        list(Account.objects.order_by("code").values_list("code", "debits_posted", "credits_posted")),
        list(
            StockLevel.objects.filter(reserved__gt=0).order_by("pk").values_list("pk", "on_hand", "reserved")
        ),
        list(Order.objects.order_by("pk").values_list("number", "state", "payment_state", "pickup_code")),
        list(PickTask.objects.order_by("pk").values_list("pk", "state")),
        list(Showroom.objects.values_list("code", flat=True)),
    )


# --- the story: loyalty, members, offers, orders, showroom --------------------------------------


def _member(mobile: str) -> Member:
    return Member.objects.get(mobile=mobile)


def test_seed_reports_the_story_with_what_to_try(demo, db):
    assert "demo story loaded" in demo
    for m in DEMO_MEMBERS:
        assert m.mobile in demo
    ready = Order.objects.get(state=OrderState.READY, pickup_outlet__code=DEMO_MARKER_OUTLET)
    assert f"pickup code     {ready.pickup_code}" in demo and ready.number in demo
    showroom = Showroom.objects.get(staff__user__username="salesperson")
    assert f"/shop/s/{showroom.code}/" in demo


def test_serve_banner_reads_the_story_from_the_database(demo, db):
    banner = ServeCommand()._banner("127.0.0.1", 8767)
    for m in DEMO_MEMBERS:
        assert m.mobile in banner
    ready = Order.objects.get(state=OrderState.READY, pickup_outlet__code=DEMO_MARKER_OUTLET)
    assert ready.pickup_code in banner
    code = Showroom.objects.get(staff__user__username="salesperson").code
    assert f"http://127.0.0.1:8767/shop/s/{code}/" in banner
    assert "http://127.0.0.1:8767/shop/member/login/" in banner
    # Handed over, the order is no longer offered: the banner follows the database.
    clerk = actor_get(user=get_user_model().objects.get(username="outlet_clerk"))
    order_hand_over(actor=clerk, outlet_id=ready.pickup_outlet_id, code=ready.pickup_code)
    assert ready.pickup_code not in ServeCommand()._banner("127.0.0.1", 8767)


def test_loyalty_tiers_rules_and_packages(demo, db):
    tiers = list(Tier.objects.values_list("name", "min_spend", "points_multiplier"))
    assert [t[0] for t in tiers] == ["普通会员", "银卡", "金卡"]
    assert [t[1] for t in tiers] == sorted(t[1] for t in tiers) and tiers[0][1] == 0
    assert [t[2] for t in tiers] == sorted(t[2] for t in tiers) and tiers[-1][2] > 1
    rules = EarnRule.objects.filter(is_active=True)
    assert rules.filter(channel="", category__isnull=True, bonus=False, points_per_yuan=1).exists()
    assert rules.filter(channel="pos", bonus=True).exists()
    assert rules.filter(category__code="agri").exists()
    packages = set(TopupPackage.objects.values_list("name", "pay_amount", "bonus_amount"))
    assert packages == {("充100送10", 100_00, 10_00), ("充500送60", 500_00, 60_00)}


def test_members_earned_points_and_topped_up_with_a_bonus(demo, db):
    assert Member.objects.filter(mobile__in=[m.mobile for m in DEMO_MEMBERS]).count() == len(DEMO_MEMBERS)
    wang = _member("13800000001")
    sale = Order.objects.get(member=wang, method=Method.COUNTER)
    assert (sale.state, sale.payment_state, sale.origin_outlet.code) == (
        "completed",
        "paid",
        DEMO_MARKER_OUTLET,
    )
    # 1 point per yuan, 2 on farm produce, and the counter's bonus on everything.
    agri = sum(ln.amount for ln in sale.lines.all() if ln.sku.product.category.code == "agri")
    assert loyalty.points_balance(member=wang) == (sale.total + agri) // 100 + sale.total // 100
    assert PointsLot.objects.filter(member=wang).count() >= 2
    assert loyalty.wallet_balance(member=wang) == {"principal": 100_00, "bonus": 10_00, "total": 110_00}
    li = _member("13800000002")
    paid = Order.objects.get(member=li)
    assert Payment.objects.get(order_id=paid.pk).method == "wallet" and paid.payment_state == "paid"
    assert loyalty.wallet_balance(member=li)["total"] == 560_00 - paid.total
    assert loyalty.member_tier(member=_member("13800000003")).code == "silver"


def test_offers_live_with_budgets_and_prizes(demo, db):
    now = timezone.now()
    live = Promotion.objects.filter(is_active=True, starts_at__lte=now, ends_at__gt=now)
    assert set(live.values_list("name", flat=True)) == {"家电满2000减200", "进口商品9折"}
    welcome = CouponTemplate.objects.get(code="welcome-200-20")
    assert (welcome.kind, welcome.threshold, welcome.value, welcome.claimable) == (
        "threshold",
        200_00,
        20_00,
        True,
    )
    assert welcome.budget_count and welcome.budget_amount and welcome.issued_count == 1
    assert Coupon.objects.get(template=welcome).member == _member("13800000001")
    game = Game.objects.get(kind="lucky_wheel")
    assert game.starts_at <= now < game.ends_at
    assert {p.kind for p in game.prizes.all()} == {"coupon", "points", "item"}
    assert all(p.remaining == p.stock > 0 for p in game.prizes.all())
    # Checkout applied them: the air conditioner got 满2000减200, the imported line 9折.
    discounted = OrderLine.objects.filter(discount__gt=0).select_related("sku__product__category__parent")
    roots = {(ln.sku.product.category.parent or ln.sku.product.category).code for ln in discounted}
    assert roots == {"appliances", "imported"}


def test_the_clerks_queue_has_work_in_every_state(demo, db):
    clerk = actor_get(user=get_user_model().objects.get(username="outlet_clerk"))
    queue = list(task_queue(actor=clerk))
    assert {t.state for t in queue} == {TaskState.QUEUED, TaskState.READY, TaskState.WAITING}
    assert all(t.location.code == DEMO_MARKER_OUTLET and t.purpose == "pickup" for t in queue)
    queued = next(t.order for t in queue if t.state == TaskState.QUEUED)
    assert (queued.payment_mode, queued.payment_state) == ("at_outlet", "unpaid")
    waiting = next(t.order for t in queue if t.state == TaskState.WAITING)
    transfer = Transfer.objects.get(reservation__owner_ref__startswith=f"order:{waiting.pk}:")
    assert transfer.destination.code == DEMO_MARKER_OUTLET and transfer.state == "in_transit"
    assert transfer.source.code != DEMO_MARKER_OUTLET


def test_a_delivery_shipped_from_a_store(demo, db):
    order = Order.objects.get(method=Method.DELIVERY)
    assert order.state == OrderState.SHIPPED and order.payment_mode == "on_delivery"
    task = order.tasks.get()
    assert task.purpose == "ship" and task.state == TaskState.HANDED_OVER
    assert task.location.kind != OutletKind.WAREHOUSE and task.location.ships_from_store


def test_the_showroom_credited_its_salesperson(demo, db):
    staff = Staff.objects.get(user__username="salesperson")
    assert Showroom.objects.get(staff=staff).is_active
    order = Order.objects.get(salesperson=staff)
    assert (order.channel, order.state) == ("showroom", "completed")
    accrual = CommissionAccrual.objects.get(order_id=order.pk)
    assert accrual.staff == staff and accrual.amount > 0
    account = Account.objects.get(code=f"staff:{staff.pk}:commission")
    assert account.credits_posted - account.debits_posted == accrual.amount


def test_the_books_hold_after_the_story(demo, db):
    assert inventory_breaches() == []
    assert ledger_breaches() == []
    out = StringIO()
    call_command("check_inventory", stdout=out)
    call_command("check_ledger", stdout=out)
    assert "inventory OK" in out.getvalue() and "ledger OK" in out.getvalue()
