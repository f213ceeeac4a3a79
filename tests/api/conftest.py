"""Shared by the API tests: the database snapshot a refused request must leave untouched, the
routes the OpenAPI schema publishes, and a check of the error envelope."""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from omnipoint.aftersales.models import TechnicianDay, TicketEvent
from omnipoint.aftersales.models import Ticket as ServiceTicket
from omnipoint.appointments.models import Booking as AppointmentBooking
from omnipoint.appointments.models import Closure, Offer, Opening, Service, Slot, Ticket
from omnipoint.billpay import sandbox as bill_sandbox
from omnipoint.billpay import services as billpay
from omnipoint.billpay.billers import biller_get
from omnipoint.billpay.models import BillerCallback, BillOutlet, BillPayment, SandboxBill
from omnipoint.catalog.models import PriceList, PriceListItem
from omnipoint.clearing import services as clearing
from omnipoint.clearing.domain import business_today
from omnipoint.clearing.models import ClearingFigure, ClearingRun, CounterShift
from omnipoint.core.models import ApiToken
from omnipoint.identity.models import Consent as IdentityConsent
from omnipoint.identity.models import Partner, Verification
from omnipoint.inventory import services
from omnipoint.inventory.models import (
    CycleCount,
    CycleCountLine,
    Reservation,
    ReservationLine,
    StockLevel,
    StockMovement,
    Transfer,
    TransferLine,
)
from omnipoint.ledger.models import Account, Posting
from omnipoint.loyalty.models import PointsLot
from omnipoint.marketing.models import (
    Coupon,
    CouponClaimCount,
    CouponTemplate,
    Game,
    GameAttempt,
    GamePlayer,
    Prize,
    Promotion,
)
from omnipoint.members.models import LoginCode, Member
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.models import Order, OrderEvent, OrderLine, OrderReturn, PickTask, PickupAttempt
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.models import Outlet
from omnipoint.outlets.selectors import actor_get
from omnipoint.parcels.models import Parcel, ParcelEvent, RateTable
from omnipoint.payments.models import OrderBalance, Payment, Refund, SandboxCharge, SandboxRefund
from omnipoint.reconciliation.models import Difference, ReconRun, Resolution, StatementLine
from omnipoint.settlement.models import Party, PartyRate, SettlementJob, SettlementLine, Statement
from omnipoint.showrooms.models import CommissionAccrual, CommissionReversal, CommissionRule, Showroom
from omnipoint.testing import user_of

SNAPSHOT_MODELS = [
    ApiToken,
    StockLevel,
    StockMovement,
    Reservation,
    ReservationLine,
    Transfer,
    TransferLine,
    CycleCount,
    CycleCountLine,
    Outlet,
    PriceListItem,
    Order,
    OrderLine,
    OrderEvent,
    OrderReturn,
    PickTask,
    PickupAttempt,
    Payment,
    OrderBalance,
    Refund,
    SandboxCharge,
    SandboxRefund,
    Member,
    LoginCode,
    Account,
    Posting,
    PointsLot,
    CouponTemplate,
    Coupon,
    CouponClaimCount,
    Promotion,
    Game,
    Prize,
    GamePlayer,
    GameAttempt,
    Showroom,
    CommissionRule,
    CommissionAccrual,
    CommissionReversal,
    ClearingRun,
    ClearingFigure,
    CounterShift,
    Service,
    Offer,
    Opening,
    Closure,
    Slot,
    AppointmentBooking,
    Ticket,
    BillOutlet,
    BillPayment,
    BillerCallback,
    SandboxBill,
    Partner,
    Verification,
    IdentityConsent,
    ReconRun,
    StatementLine,
    Difference,
    Resolution,
    Party,
    PartyRate,
    Statement,
    SettlementLine,
    SettlementJob,
    ServiceTicket,
    TicketEvent,
    TechnicianDay,
    RateTable,
    Parcel,
    ParcelEvent,
]
# Not in the snapshot on purpose: identity's Lookup (every question asked of a verification is
# recorded, a staff member's read too), PaymentNotification (every notification is logged, even a
# refused one: that is the audit trail) and IdempotencyRecord (the middleware's own cache).

# Apps (OpenAPI tags) exempt from the persona coverage test and fuzzed as expected failures:
# none. A new app gets its rows, its bad input and its fuzzing with its first endpoint.
UNDER_CONSTRUCTION: set[str] = set()

CODE = re.compile(r"^[a-z][a-z_]*$")


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row (every field) of the tables a write endpoint can touch. Plain SQL, one query per
    table: the persona tests take one after every request."""
    snap = {}
    with connection.cursor() as cursor:
        for model in SNAPSHOT_MODELS:
            meta = model._meta
            cols = ", ".join(connection.ops.quote_name(f.column) for f in meta.concrete_fields)
            table = connection.ops.quote_name(meta.db_table)
            order = connection.ops.quote_name(meta.pk.column)
            # Names from the models' own metadata, quoted: nothing here comes from outside.
            cursor.execute(f"SELECT {cols} FROM {table} ORDER BY {order}")  # noqa: S608
            snap[meta.label] = cursor.fetchall()  # app.Model: two apps may both have a Ticket
    return snap


def api_paths() -> set[tuple[str, str]]:
    """(METHOD, path template) of every operation the OpenAPI schema publishes."""
    from omnipoint.config.api import api

    return {
        (method.upper(), path)
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method in operations
    }


def assert_error(resp, status: int, code: str | None = None) -> dict[str, Any]:
    """A refusal is JSON with a stable machine code and a message a person can read."""
    assert resp.status_code == status, (resp.status_code, resp.content[:500])
    assert resp["Content-Type"].startswith("application/json"), resp["Content-Type"]
    body = resp.json()
    assert isinstance(body, dict) and set(body) <= {"code", "message", "details"}, body
    assert isinstance(body.get("code"), str) and CODE.match(body["code"]), body
    assert isinstance(body.get("message"), str) and len(body["message"].strip()) >= 3, body
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.fixture
def member_headers(db):
    """A logged-in account with no staff role (a shopper): no scope anywhere."""
    user = get_user_model().objects.create_user(username="member", password="omnipoint")
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, name='test')}"}


@dataclass
class World:
    """The persona network plus one object of each kind on either side of every boundary."""

    net: Any
    objects: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        if name in {"a", "b", "w", "c", "skus"}:
            return getattr(self.net, name)
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture
def world(network):
    a, b, w, c = network.a, network.b, network.w, network.c
    s0, s1 = network.skus[0].pk, network.skus[1].pk
    o: dict[str, int] = {}
    staff = {"actor": SYSTEM, "owner_kind": "staff"}  # holds staff may commit and release
    o["r_a"] = services.stock_reserve(**staff, owner_ref="cart:a", lines=[(a.pk, s0, 1)]).pk
    o["r_c"] = services.stock_reserve(**staff, owner_ref="cart:c", lines=[(c.pk, s0, 1)]).pk

    def transfer(src, dst, dispatched=False):
        t = services.transfer_create(actor=SYSTEM, source_id=src.pk, destination_id=dst.pk, lines=[(s1, 2)])
        if dispatched:
            services.transfer_dispatch(actor=SYSTEM, transfer_id=t.pk)
        return t.pk

    o["t_ab"], o["t_ca"], o["t_bw"] = transfer(a, b), transfer(c, a), transfer(b, w)
    o["ti_ab"], o["ti_ca"] = transfer(a, b, True), transfer(c, a, True)
    for name, outlet in (("k_a", a), ("k_c", c)):
        k = services.count_open(actor=SYSTEM, location_id=outlet.pk, sku_ids=[s0])
        services.count_record(actor=SYSTEM, count_id=k.pk, sku_id=s0, counted=9)
        o[name] = k.pk
    o["national"] = PriceList.objects.get(region__isnull=True).pk
    o["shanghai"] = PriceList.objects.get(region__code="310000").pk
    # The books: the day before yesterday closed, yesterday open; a clerk's open shift at A and C.
    today = business_today(timezone.now())
    clearing.day_close(actor=SYSTEM, day=today - timedelta(days=2))
    o["closed_day"], o["open_day"] = str(today - timedelta(days=2)), str(today - timedelta(days=1))  # type: ignore[assignment]
    for name, persona, outlet in (("shift_a", "outlet_clerk", a), ("shift_c", "other_city_clerk", c)):
        o[name] = clearing.shift_open(actor=actor_get(user=user_of(persona)), outlet_id=outlet.pk).pk
    _bills(o, a, c)
    return World(network, o)


POWER = "sbx-sh-electricity"


def _bills(o: dict[str, Any], a: Outlet, c: Outlet) -> None:
    """A and C take bills at the counter; a held payment at each (bill_a, bill_c), the biller's
    signed confirmation of bill_a ready to deliver, and an account with a bill due (acct_pay)."""
    power = biller_get(POWER)
    for outlet in (a, c):
        billpay.outlet_enrol(actor=SYSTEM, outlet_id=outlet.pk)
    for name, outlet, i in (("bill_a", a, 0), ("bill_c", c, 1)):
        account = power.account(i)
        amount = power.lookup(account).amount
        o[name] = billpay.bill_pay(
            actor=SYSTEM, outlet_id=outlet.pk, biller=POWER, account=account, amount=amount
        ).number
    row = bill_sandbox.bill_confirm(bill_ref=BillPayment.objects.get(number=o["bill_a"]).bill_ref)
    assert row is not None
    o["callback_a"] = bill_sandbox.callback_build(row)
    o["acct_pay"] = power.account(2)
    o["amount_pay"] = power.lookup(o["acct_pay"]).amount
    # one the shop's shopper can pay from their wallet (build_shop tops it up with ¥500)
    o["acct_phone"], o["amount_phone"] = next(
        (acct, bill.amount)
        for acct in map(power.account, range(3, 30))
        if (bill := power.lookup(acct)).amount <= 450_00
    )


# --- the shop: orders, payments, members, offers and showrooms on either side of the boundary ---

SHOPPER_MOBILE = "13800138000"  # a Shanghai member with a storefront login
NANJING_MOBILE = "13900139000"  # a Nanjing member who shops at the counter only
LOGIN_MOBILE = "13700000009"  # has a live one-time code


def _member_with_login(mobile: str, name: str) -> tuple[Member, str]:
    from omnipoint.members.services import member_get_or_create, member_user_ensure

    member = member_user_ensure(
        actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile=mobile, name=name)
    )
    assert member.user is not None
    return member, ApiToken.issue(member.user, name="test")


def build_shop(w: World) -> World:
    """Everything the commerce endpoints act on, once per test (idempotent within it):

    o_a / o_c: the shopper's pickup orders at A / C, to pay at the outlet (confirmed, a queued
    pick task each: t_a / t_c); ready_a: ready at A and paid (to hand over); ship_a: a delivery
    from A, on the road (to deliver); sale_a / sale_c: counter sales at A (the shopper) and C
    (the Nanjing member), paid cash (pay_a / pay_c) and completed; intent_c: an open online
    payment for o_c with the gateway's signed notification ready to deliver; offers owned by
    Shanghai (310100) and Nanjing (320100) and one network-wide; commission rules for both cities;
    a salesperson at A (with a showroom) and one at C.
    """
    if "o_a" in w.objects:
        return w
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from omnipoint.loyalty.models import EarnRule, TopupPackage
    from omnipoint.loyalty.services import wallet_topup
    from omnipoint.marketing import services as marketing
    from omnipoint.members.services import login_code_issue, member_get_or_create
    from omnipoint.orders import services as orders
    from omnipoint.outlets.selectors import actor_get
    from omnipoint.outlets.services import staff_create
    from omnipoint.payments import sandbox
    from omnipoint.payments import services as payments
    from omnipoint.showrooms import services as showrooms
    from omnipoint.testing import PASSWORD, user_of

    net, o = w.net, w.objects
    hq = actor_get(user=user_of("hq_admin"))
    clerk_a = actor_get(user=user_of("outlet_clerk"))
    clerk_c = actor_get(user=user_of("other_city_clerk"))
    s0, s2 = net.skus[0].pk, net.skus[2].pk

    shopper, token = _member_with_login(SHOPPER_MOBILE, "上海顾客")
    net.tokens["shopper"] = token
    nanjing = member_get_or_create(actor=SYSTEM, mobile=NANJING_MOBILE, name="南京顾客")
    o["shopper"], o["nanjing"] = shopper.pk, nanjing.pk
    for name, outlet in (("salesperson", w.a), ("sales_c", w.c)):
        staff = staff_create(
            actor=SYSTEM,
            username=name,
            password=PASSWORD,
            display_name=name,
            role="salesperson",
            outlet=outlet,
        )
        net.staff[name] = staff
        net.tokens[name] = ApiToken.issue(staff.user, name="test")
        o[name] = staff.pk
    o["showroom"] = showrooms.showroom_ensure(actor=SYSTEM, staff=net.staff["salesperson"]).code  # type: ignore[assignment]

    EarnRule.objects.create(name="base", points_per_yuan=Decimal(1))
    o["package"] = TopupPackage.objects.create(name="充100送10", pay_amount=100_00, bonus_amount=10_00).pk
    wallet_topup(actor=SYSTEM, member_id=shopper.pk, key="seed:shopper", amount=500_00)

    def pickup(outlet, **kw):  # type: ignore[no-untyped-def]
        return orders.order_place(
            actor=actor_for_user(user=shopper.user),
            channel="web",
            method="pickup",
            pickup_outlet_id=outlet.pk,
            payment_mode="at_outlet",
            lines=[orders.LineRequest(sku_id=s2, quantity=1)],
            **kw,
        )

    def counter(actor, persona, outlet, mobile):  # type: ignore[no-untyped-def]
        sale = orders.order_place(
            actor=actor_for_user(user=user_of(persona)),
            channel="pos",
            method="counter",
            payment_mode="counter",
            origin_outlet_id=outlet.pk,
            mobile=mobile,
            lines=[orders.LineRequest(sku_id=s0, quantity=2)],
        )
        pay = payments.payment_capture(actor=actor, order_id=sale.pk, method="cash")
        return sale, pay

    o_a, o_c, ready_a = pickup(w.a), pickup(w.c), pickup(w.a)
    o["o_a"], o["o_c"], o["ready_a"] = o_a.pk, o_c.pk, ready_a.pk
    o["t_a"] = o_a.tasks.get().pk
    o["t_c"] = o_c.tasks.get().pk
    task = ready_a.tasks.get()
    for step in ("picked", "ready"):
        orders.task_advance(actor=clerk_a, task_id=task.pk, step=step)
    payments.payment_capture(actor=clerk_a, order_id=ready_a.pk, method="at_outlet")
    ship_a = orders.order_place(
        actor=actor_for_user(user=shopper.user),
        channel="web",
        method="delivery",
        payment_mode="on_delivery",
        region_code="310101",
        address="南京东路 1 号",
        lat=w.a.lat,
        lng=w.a.lng,
        lines=[orders.LineRequest(sku_id=s2, quantity=1)],
    )
    task = ship_a.tasks.get()
    assert task.location_id == w.a.pk, ship_a.routing
    for step in ("picked", "handed_over"):
        orders.task_advance(actor=clerk_a, task_id=task.pk, step=step)
    o["ship_a"] = ship_a.pk
    (sale_a, pay_a), (sale_c, pay_c) = (
        counter(clerk_a, "outlet_clerk", w.a, SHOPPER_MOBILE),
        counter(clerk_c, "other_city_clerk", w.c, NANJING_MOBILE),
    )
    o["sale_a"], o["pay_a"], o["sale_c"], o["pay_c"] = sale_a.pk, pay_a.pk, sale_c.pk, pay_c.pk

    intent = payments.payment_start(actor=actor_for_user(user=shopper.user), order_id=o_c.pk, amount=1_00)
    charge = sandbox.charge_pay(ref=intent.provider_ref)
    o["notify"] = sandbox.notification_build(charge)  # type: ignore[assignment]
    o["login_code"], _ = login_code_issue(actor=SYSTEM, mobile=LOGIN_MOBILE)  # type: ignore[assignment]

    now = timezone.now()
    window = {"starts_at": now - timedelta(days=1), "ends_at": now + timedelta(days=30)}
    for key, region in (("sh", "310100"), ("nj", "320100"), ("hq", "")):
        o[f"tpl_{key}"] = marketing.coupon_template_create(
            actor=hq, code=f"tpl-{key}", name=f"满100减10 {key}", kind="threshold", value=10_00,
            threshold=100_00, region_code=region, claim_limit=5, **window,
        ).pk  # fmt: skip
        if region:
            o[f"promo_{key}"] = marketing.promotion_create(
                actor=hq, name=f"九五折 {key}", kind="discount", percent_off=Decimal(5), region_code=region,
                **window,
            ).pk  # fmt: skip
            o[f"game_{key}"] = marketing.game_create(
                actor=hq, name=f"刮刮乐 {key}", kind="scratch_card", region_code=region, attempts_per_member=3,
                prizes=[marketing.PrizeSpec(name="10 积分", kind="points", weight=1, stock=100, points=10)],
                **window,
            ).pk  # fmt: skip
            o[f"rule_{key}"] = showrooms.commission_rule_create(
                actor=hq, region_code=region, rate=Decimal("0.05")
            ).pk
    return w


@pytest.fixture
def shop(world) -> World:
    return build_shop(world)


def _appointment_materials() -> list[Any]:
    from omnipoint.appointments.models import MaterialReview, MaterialUpload

    return [MaterialUpload, MaterialReview]


SNAPSHOT_MODELS += _appointment_materials()  # materials sent ahead for a booking, and their checks
