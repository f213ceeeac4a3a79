"""The demo's story on top of the network: loyalty rules, members with points and wallets, offers,
a showroom, and orders in every state at the clerk's outlet.

Unlike the network (bulk rows), everything here goes through the apps' own services, as a
customer, a clerk or a manager would cause it: stock moves only by reservations and their
commits, money and points only by ledger postings, coupons only by issuance. So the stock books
and the ledger hold (``check_inventory``, ``check_ledger``) and every page shows real history.
It is a few dozen service calls: well under a second.

What the data is chosen from (SKUs in stock at an outlet, the store nearest an address) is
read from the network in a fixed order, so the same network always gets the same story. The
order numbers, pickup codes and showroom code are drawn at random, as in production: the seed
summary and demo_serve's banner read them from the database.
"""

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from omnipoint.aftersales.demo import demo_tickets_load
from omnipoint.appointments.demo import demo_appointments_load
from omnipoint.billpay.demo import demo_billpay_load
from omnipoint.catalog.models import Category, ProductKind, Sku
from omnipoint.catalog.selectors import prices_get
from omnipoint.core.channels import Channel
from omnipoint.core.errors import ConflictError
from omnipoint.dashboards.demo import demo_dashboards_load
from omnipoint.demo.plan import DEMO_PASSWORD, PERSONA_OUTLET
from omnipoint.demo.selectors import demo_is_loaded
from omnipoint.demo.story import (
    APPLIANCES,
    CLERK,
    COVERING_PERSONAS,
    DEMO_MEMBERS,
    SALESPERSON,
    WELCOME_COUPON,
    WHEEL_COUPON,
    WHEEL_GAME,
    ScenarioSummary,
    scenario_counts,
    scenario_is_loaded,
)
from omnipoint.identity.demo import demo_identity_load
from omnipoint.inventory.models import StockLevel
from omnipoint.loyalty import services as loyalty
from omnipoint.loyalty.models import EarnRule, Tier, TopupPackage
from omnipoint.marketing import services as marketing
from omnipoint.marketing.models import CouponKind, GameKind, PrizeKind
from omnipoint.marketing.models import PromotionKind as PK
from omnipoint.members.models import Member
from omnipoint.members.services import member_get_or_create
from omnipoint.orders import services as orders
from omnipoint.orders.models import Method, Order, PickTask
from omnipoint.outlets.domain import GUEST, SYSTEM, Actor
from omnipoint.outlets.models import Outlet, OutletKind, Staff
from omnipoint.outlets.selectors import actor_get
from omnipoint.parcels.demo import demo_parcels_load
from omnipoint.payments.services import payment_capture, payment_tender
from omnipoint.settlement.demo import demo_settlement_load
from omnipoint.showrooms.services import commission_rule_create, showroom_ensure, showroom_update

# --- writes ----------------------------------------------------------------------------------


@transaction.atomic
def demo_scenario_load() -> ScenarioSummary:
    """Load the story unless it is there. Needs the demo network; safe to run again."""
    if scenario_is_loaded():
        return ScenarioSummary(created=False, counts=scenario_counts())
    if not demo_is_loaded():
        raise ConflictError("load the demo network first", code="demo_not_loaded")
    story = _Story()
    story.loyalty_rules()
    story.offers()
    story.showroom()
    story.members_and_orders()
    demo_appointments_load(clerk_outlet_code=PERSONA_OUTLET)
    first = DEMO_MEMBERS[0]
    demo_identity_load(clerk_username="outlet_clerk", member_mobile=first.mobile, member_name=first.name)
    demo_billpay_load(clerk_outlet_code=PERSONA_OUTLET, member_mobile=DEMO_MEMBERS[0].mobile)
    demo_settlement_load()
    demo_tickets_load(clerk_outlet_code=PERSONA_OUTLET, password=DEMO_PASSWORD)
    demo_parcels_load(clerk_outlet_code=PERSONA_OUTLET, member_mobiles=[m.mobile for m in DEMO_MEMBERS[:2]])
    demo_dashboards_load(clerk_outlet_code=PERSONA_OUTLET)
    return ScenarioSummary(created=True, counts=scenario_counts())


def _actor(username: str) -> Actor:
    return actor_get(user=get_user_model().objects.get(username=username))


class _Story:
    def __init__(self) -> None:
        self.now = timezone.now()
        self.outlet = Outlet.objects.select_related("region").get(code=PERSONA_OUTLET)
        self.clerk = _actor(CLERK)
        self.hq = _actor("hq_admin")
        self.members = {
            m.mobile: member_get_or_create(actor=SYSTEM, mobile=m.mobile, name=m.name) for m in DEMO_MEMBERS
        }
        self.used: set[int] = set()  # SKUs already in a story order: each order shows another

    # -- configuration: tiers, earning rules, packages, offers, showroom ----------------------

    def loyalty_rules(self) -> None:
        for code, name, min_spend, multiplier in (
            ("normal", "普通会员", 0, "1.00"),
            ("silver", "银卡", 2000_00, "1.20"),
            ("gold", "金卡", 10000_00, "1.50"),
        ):
            Tier.objects.get_or_create(
                code=code,
                defaults={"name": name, "min_spend": min_spend, "points_multiplier": Decimal(multiplier)},
            )
        agri = Category.objects.get(code="agri")
        for name, per_yuan, extra in (
            ("基础积分 每消费1元积1分", "1", {}),
            ("线下消费加赠 每1元再积1分", "1", {"channel": Channel.POS, "bonus": True}),
            ("农产品双倍积分 每1元积2分", "2", {"category": agri}),
        ):
            EarnRule.objects.get_or_create(
                name=name, defaults={"points_per_yuan": Decimal(per_yuan), **extra}
            )
        for name, pay, bonus in (("充100送10", 100_00, 10_00), ("充500送60", 500_00, 60_00)):
            TopupPackage.objects.get_or_create(name=name, defaults={"pay_amount": pay, "bonus_amount": bonus})

    def offers(self) -> None:
        start, end = self.now - timedelta(days=1), self.now + timedelta(days=365)
        appliances = list(Category.objects.filter(code__in=APPLIANCES).values_list("pk", flat=True))
        marketing.promotion_create(
            actor=self.hq,
            name="家电满2000减200",
            kind=PK.THRESHOLD,
            starts_at=start,
            ends_at=end,
            threshold=2000_00,
            amount_off=200_00,
            category_ids=appliances,
        )
        marketing.promotion_create(
            actor=self.hq,
            name="进口商品9折",
            kind=PK.DISCOUNT,
            starts_at=start,
            ends_at=end,
            percent_off=Decimal("10"),
            category_ids=[Category.objects.get(code="imported").pk],
        )
        marketing.coupon_template_create(
            actor=self.hq,
            code=WELCOME_COUPON,
            name="新人券 满200减20",
            kind=CouponKind.THRESHOLD,
            value=20_00,
            threshold=200_00,
            starts_at=start,
            ends_at=end,
            claim_limit=1,
            budget_count=1000,
            budget_amount=1000 * 20_00,
        )
        wheel = marketing.coupon_template_create(
            actor=self.hq,
            code=WHEEL_COUPON,
            name="转盘券 满100减10",
            kind=CouponKind.THRESHOLD,
            value=10_00,
            threshold=100_00,
            starts_at=start,
            ends_at=end,
            claimable=False,
            budget_count=200,
        )
        marketing.game_create(
            actor=self.hq,
            name=WHEEL_GAME,
            kind=GameKind.LUCKY_WHEEL,
            starts_at=start,
            ends_at=self.now + timedelta(days=90),
            attempts_per_member=3,
            no_prize_weight=50,
            prizes=[
                marketing.PrizeSpec("满100减10券", PrizeKind.COUPON, 30, 200, coupon_template_id=wheel.pk),
                marketing.PrizeSpec("500积分", PrizeKind.POINTS, 15, 100, points=500),
                marketing.PrizeSpec("年度邮票册", PrizeKind.ITEM, 5, 5),
            ],
        )

    def showroom(self) -> None:
        commission_rule_create(actor=self.hq, rate=Decimal("0.02"))
        commission_rule_create(
            actor=self.hq, category_id=Category.objects.get(code="appliances").pk, rate=Decimal("0.03")
        )
        staff = Staff.objects.get(user__username=SALESPERSON)
        showroom_ensure(actor=SYSTEM, staff=staff)
        showroom_update(
            actor=_actor(SALESPERSON),
            title="孙小明的家电展厅",
            greeting="您好，我是陆家嘴邮政营业所的导购孙小明。看中哪款，下单到店自提，我帮您安排试用和安装。",
        )

    # -- members and their orders -------------------------------------------------------------

    def members_and_orders(self) -> None:
        wang, li, zhang, liu, chen = self.members.values()
        packages = dict(TopupPackage.objects.values_list("name", "pk"))

        # 王芳 buys at the counter: points at the base rate, double on farm produce, and the
        # offline bonus; tops up 充100送10 in cash; claims the welcome coupon; a parcel is on its way.
        sale = self._place(
            actor=self.clerk,
            channel=Channel.POS,
            method=Method.COUNTER,
            payment_mode="counter",
            origin_outlet_id=self.outlet.pk,
            member_id=wang.pk,
            lines=[(self._sku(self.outlet, ["agri"]), 1), (self._sku(self.outlet, ["3c"]), 1)],
        )
        payment_capture(actor=self.clerk, order_id=sale.pk, method="cash")
        loyalty.wallet_topup_at_counter(
            actor=self.clerk,
            member_id=wang.pk,
            outlet_id=self.outlet.pk,
            client_key="demo-topup-wang",
            package_id=packages["充100送10"],
        )
        marketing.coupon_claim(actor=SYSTEM, member=wang, template_code=WELCOME_COUPON)
        self._delivery_from_a_store(wang)

        # 李强 tops up 充500送60 and pays a pickup order from the wallet at the counter; the
        # clerk picks it and puts it on the shelf: ready, its pickup code in the banner.
        loyalty.wallet_topup_at_counter(
            actor=self.clerk,
            member_id=li.pk,
            outlet_id=self.outlet.pk,
            client_key="demo-topup-li",
            package_id=packages["充500送60"],
        )
        ready = self._pickup(li, [(self._sku(self.outlet, ["3c", "stationery"], max_price=300_00), 1)])
        payment_tender(actor=self.clerk, order_id=ready.pk, method="wallet")
        self._advance(ready, self.clerk, ["claim", "picked", "ready"])

        # 张伟 orders an air conditioner in the salesperson's showroom (家电满2000减200), pays
        # at the outlet and collects it: completed, the salesperson's commission accrued, 银卡.
        salesperson = Staff.objects.get(user__username=SALESPERSON)
        bought = self._pickup(
            zhang, [(self._sku(self.outlet, ["air-conditioners"]), 1)], salesperson_id=salesperson.pk
        )
        payment_capture(actor=self.clerk, order_id=bought.pk, method="at_outlet")
        self._advance(bought, self.clerk, ["claim", "picked", "ready"])
        bought.refresh_from_db()
        orders.order_hand_over(
            actor=self.clerk, outlet_id=self.outlet.pk, code=bought.pickup_code, order_number=bought.number
        )

        # 刘洋 will pay when collecting (进口商品9折 on one line): a new task in the work queue.
        self._pickup(liu, [(self._sku(self.outlet, ["imported"]), 1), (self._sku(self.outlet, ["agri"]), 2)])

        # 陈静 wants what this outlet lacks: it comes by transfer from another outlet, which has
        # picked and dispatched it; the pickup task waits until the clerk receives the goods.
        travelling = self._pickup(chen, [(self._sku_elsewhere(), 1)])
        for task in PickTask.objects.filter(order=travelling, purpose="transfer").select_related("location"):
            self._advance_task(task, ["claim", "picked", "handed_over"])

    def _delivery_from_a_store(self, member: Member) -> None:
        """A home delivery next to a ship-from-store outlet of the district: it ships from there."""
        stores = Outlet.objects.filter(
            region=self.outlet.region, ships_from_store=True, delivery_radius_km__gt=0, is_active=True
        ).exclude(kind=OutletKind.WAREHOUSE)
        store, sku = self.outlet, None
        for candidate in stores.order_by("code"):
            sku = self._find_sku(candidate, ["3c", "stationery", "agri"])
            if sku is not None:
                store = candidate
                break
        if sku is None:  # a network without a shipping store here: whoever ships nearest
            sku = self._sku(self.outlet, ["3c"])
        order = self._place(
            actor=GUEST,
            channel=Channel.APP,
            method=Method.DELIVERY,
            payment_mode="on_delivery",
            mobile=member.mobile,
            customer_name=member.name,
            region_code=store.region.code,
            address=f"{store.address}旁 金杨新村3号楼502室",
            lat=store.lat,
            lng=store.lng,
            lines=[(sku, 1)],
        )
        for task in PickTask.objects.filter(order=order, purpose="ship").select_related("location"):
            self._advance_task(task, ["claim", "picked", "packed", "handed_over"])

    # -- helpers ------------------------------------------------------------------------------

    def _place(self, *, lines: Sequence[tuple[int, int]], **kwargs: object) -> Order:
        self.used |= {sku_id for sku_id, _ in lines}
        return orders.order_place(
            lines=[orders.LineRequest(sku_id=s, quantity=q) for s, q in lines],
            **kwargs,  # type: ignore[arg-type]
        )

    def _pickup(
        self, member: Member, lines: Sequence[tuple[int, int]], salesperson_id: int | None = None
    ) -> Order:
        return self._place(
            actor=GUEST,
            channel=Channel.SHOWROOM if salesperson_id else Channel.WEB,
            method=Method.PICKUP,
            payment_mode="at_outlet",
            pickup_outlet_id=self.outlet.pk,
            mobile=member.mobile,
            customer_name=member.name,
            salesperson_id=salesperson_id,
            lines=lines,
        )

    def _advance(self, order: Order, actor: Actor, steps: list[str]) -> None:
        task = PickTask.objects.get(order=order, purpose="pickup")
        for step in steps:
            orders.task_advance(actor=actor, task_id=task.pk, step=step)

    def _advance_task(self, task: PickTask, steps: list[str]) -> None:
        """Steps at another location, by the narrowest persona whose scope covers it."""
        loc = task.location
        actor = next(
            a
            for a in (_actor(p) for p in COVERING_PERSONAS)
            if a.scope.covers_outlet(outlet_id=loc.pk, region_path=loc.region_path)
        )
        for step in steps:
            orders.task_advance(actor=actor, task_id=task.pk, step=step)

    def _sku(self, location: Outlet, categories: list[str], *, max_price: int | None = None) -> int:
        sku = self._find_sku(location, categories, max_price=max_price)
        if sku is None:
            raise ConflictError(
                f"no {categories} in stock at {location.code} for the demo", code="demo_stock"
            )
        return sku

    def _find_sku(
        self, location: Outlet, categories: list[str], *, quantity: int = 2, max_price: int | None = None
    ) -> int | None:
        """The first SKU (by code) of these categories free for online orders at ``location``
        (``quantity`` of it) and in no other order of the story yet."""
        ids = list(
            StockLevel.objects.sellable(quantity)
            .filter(
                location=location,
                sku__is_active=True,
                sku__product__is_active=True,
                sku__product__category__code__in=categories,
            )
            .exclude(sku_id__in=self.used)
            .order_by("sku__code")
            .values_list("sku_id", flat=True)
        )
        if max_price is not None and ids:
            prices = prices_get(sku_ids=ids, region=location.region, channel=Channel.WEB)
            ids = [s for s in ids if s in prices and prices[s].amount <= max_price]
        return ids[0] if ids else None

    def _sku_elsewhere(self) -> int:
        """A SKU this outlet lacks and another location of its district has."""
        here = StockLevel.objects.sellable().filter(location=self.outlet)
        nearby = (
            StockLevel.objects.sellable()
            .filter(location__region_path=self.outlet.region_path, location__is_active=True)
            .exclude(location=self.outlet)
        )
        sku = (
            Sku.objects.filter(
                is_active=True,
                product__is_active=True,
                product__kind=ProductKind.GOODS,
                product__category__code__in=["agri", "stationery", "3c", "imported"],
                pk__in=nearby.values("sku_id"),
            )
            .exclude(pk__in=here.values("sku_id"))
            .exclude(pk__in=self.used)
            .order_by("code")
            .values_list("pk", flat=True)
            .first()
        )
        if sku is None:
            raise ConflictError(f"{self.outlet.code} lacks nothing its district has", code="demo_stock")
        return sku
