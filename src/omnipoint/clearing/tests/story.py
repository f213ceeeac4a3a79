"""Business days told through the real services, for the clearing tests: counter sales paid in
cash, from the wallet or with points, pickup orders paid at the outlet, partial refunds, returns
at other outlets and counter top-ups; then the day's facts are moved into a past business day
(what the clock would have done), and a naive computation of the figures from the raw rows."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from omnipoint.clearing.domain import Cell, Measure, business_today, day_bounds
from omnipoint.ledger.domain import AccountKind as K
from omnipoint.ledger.models import Posting, PostingState
from omnipoint.loyalty import services as loyalty
from omnipoint.loyalty.models import EarnRule, PointsLot
from omnipoint.marketing import services as marketing
from omnipoint.members.selectors import actor_for_user
from omnipoint.members.services import member_get_or_create
from omnipoint.orders import services as orders
from omnipoint.orders.models import Order, OrderReturn
from omnipoint.outlets.domain import SYSTEM, Actor
from omnipoint.outlets.models import Outlet
from omnipoint.outlets.selectors import actor_get
from omnipoint.outlets.services import staff_create
from omnipoint.payments import services as payments
from omnipoint.payments.models import Payment, Refund
from omnipoint.showrooms import services as showrooms
from omnipoint.testing import Network, build_network, user_of

MOBILE = "13800138000"


@dataclass
class Story:
    net: Network
    hq: Actor
    member_id: int
    seller: int  # a salesperson at A, credited with some counter sales (commission)
    coupons: int  # a template of 5-yuan coupons (a promotion takes 5 % off in Shanghai too)
    sales: list[int] = field(default_factory=list)  # completed counter sales, for returns
    paid: list[int] = field(default_factory=list)  # payments, for refunds

    def outlet(self, code: str) -> Outlet:
        return {"A": self.net.a, "B": self.net.b, "C": self.net.c}[code]


def story_start(*, stock: int = 50) -> Story:
    net = build_network(stock=stock)
    EarnRule.objects.create(name="base", points_per_yuan=Decimal(1))
    member = member_get_or_create(actor=SYSTEM, mobile=MOBILE, name="顾客")
    loyalty.wallet_topup(actor=SYSTEM, member_id=member.pk, key="seed:wallet", amount=50_000_00)
    loyalty.points_award(actor=SYSTEM, member_id=member.pk, points=10**7, key="seed:points")
    hq = actor_get(user=user_of("hq_admin"))
    seller = staff_create(
        actor=SYSTEM,
        username="seller",
        password="x" * 12,
        display_name="导购",
        role="salesperson",
        outlet=net.a,
    )
    showrooms.commission_rule_create(actor=hq, rate=Decimal("0.05"))
    window = {
        "starts_at": timezone.now() - timedelta(days=30),
        "ends_at": timezone.now() + timedelta(days=30),
    }
    marketing.promotion_create(
        actor=hq, name="九五折", kind="discount", percent_off=Decimal(5), region_code="310100", **window
    )
    template = marketing.coupon_template_create(
        actor=hq, code="five-off", name="立减5元", kind="fixed", value=5_00, claim_limit=1000, **window
    )
    return Story(net, hq, member.pk, seller.pk, template.pk)


def counter_sale(
    s: Story, outlet: str, sku: int, qty: int, tender: str, credited: bool = False, coupon: bool = False
) -> Order:
    """A counter sale, paid in full (cash, wallet, points, or wallet and cash), credited to the
    salesperson when ``credited``, with a coupon of the member's when ``coupon``."""
    code = (
        marketing.coupon_issue(actor=s.hq, template_id=s.coupons, member_id=s.member_id).code
        if coupon
        else None
    )
    sale = orders.order_place(
        actor=actor_for_user(user=user_of("hq_admin")),
        channel="pos",
        method="counter",
        payment_mode="counter",
        origin_outlet_id=s.outlet(outlet).pk,
        member_id=s.member_id,
        salesperson_id=s.seller if credited else None,
        coupon_codes=[code] if code else None,
        lines=[orders.LineRequest(sku_id=s.net.skus[sku].pk, quantity=qty)],
    )
    if tender in ("wallet", "points", "split"):
        method = "points" if tender == "points" else "wallet"
        part = {"amount": 1_00} if tender != "wallet" else {}
        s.paid.append(
            payments.payment_tender(
                actor=actor_for_user(user=user_of("hq_admin")), order_id=sale.pk, method=method, **part
            ).pk
        )
    if tender != "wallet":
        s.paid.append(payments.payment_capture(actor=s.hq, order_id=sale.pk, method="cash").pk)
    s.sales.append(sale.pk)
    return sale


def pickup_paid_at_outlet(s: Story, channel: str, outlet: str, sku: int) -> Order:
    """On the handheld it is keyed at the next outlet along (it counts there), by phone nowhere."""
    keyed_at = {"A": "B", "B": "C", "C": "A"}[outlet] if channel == "pda" else None
    order = orders.order_place(
        actor=actor_for_user(user=user_of("hq_admin")),
        channel=channel,
        method="pickup",
        payment_mode="at_outlet",
        pickup_outlet_id=s.outlet(outlet).pk,
        origin_outlet_id=s.outlet(keyed_at).pk if keyed_at else None,
        member_id=s.member_id,
        lines=[orders.LineRequest(sku_id=s.net.skus[sku].pk, quantity=1)],
    )
    s.paid.append(payments.payment_capture(actor=s.hq, order_id=order.pk, method="at_outlet").pk)
    return order


def refund_part(s: Story, pick: int) -> None:
    """One yuan back from a payment that still has it."""
    open_ = [p for p in Payment.objects.filter(pk__in=s.paid).order_by("pk") if p.refundable >= 1_00]
    if open_:
        payments.payment_refund(
            actor=s.hq, payment_id=open_[pick % len(open_)].pk, amount=1_00, reason="test"
        )


def return_one(s: Story, pick: int, outlet: str) -> None:
    """One unit of a completed counter sale brought back at ``outlet``; a sale a partial refund
    already gave back too much of to refund a whole unit is passed over (the return would be
    refused, rightly: 409 ``refund_exceeds_payment``)."""
    for order in Order.objects.filter(pk__in=s.sales, state="completed").order_by("pk"):
        line = order.lines.order_by("pk").first()
        left = sum(p.refundable for p in Payment.objects.filter(order_id=order.pk))
        unit = -(-line.amount // line.quantity) if line else 0
        if line and line.returned_quantity < line.quantity and left >= unit and pick <= 0:
            orders.order_return(
                actor=s.hq, order_id=order.pk, outlet_id=s.outlet(outlet).pk, lines=[(line.sku_id, 1)]
            )
            return
        pick -= 1


def topup_at_counter(s: Story, outlet: str, key: str) -> None:
    loyalty.wallet_topup_at_counter(
        actor=s.hq, member_id=s.member_id, outlet_id=s.outlet(outlet).pk, client_key=key, amount=50_00
    )


def points_lapse(s: Story, key: str) -> None:
    """A small award of points outside any order, whose date has passed, swept away."""
    lot = loyalty.points_award(actor=SYSTEM, member_id=s.member_id, points=30, key=f"lapse:{key}")
    PointsLot.objects.filter(pk=lot.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    loyalty.points_expire(actor=SYSTEM)


def topup_online(s: Story, amount: int) -> None:
    """A top-up the member paid online: no outlet, the web channel."""
    topup = loyalty.topup_online_open(actor=SYSTEM, member_id=s.member_id, amount=amount)
    loyalty.topup_online_paid(actor=SYSTEM, number=topup.number)


def move_to_day(since: datetime, day: date, *, hour: int = 12) -> None:
    """Everything recorded from ``since`` on happened at ``hour`` o'clock of ``day`` instead."""
    at = day_bounds(day)[0] + timedelta(hours=hour)
    Order.objects.filter(created_at__gte=since).update(created_at=at)
    Payment.objects.filter(created_at__gte=since).update(created_at=at)
    Payment.objects.filter(succeeded_at__gte=since).update(succeeded_at=at)
    Refund.objects.filter(created_at__gte=since).update(created_at=at)
    OrderReturn.objects.filter(created_at__gte=since).update(created_at=at)
    Posting.objects.filter(created_at__gte=since).update(created_at=at)


def days_ago(n: int) -> date:
    return business_today(timezone.now()) - timedelta(days=n)


# --- the naive computation: every raw row of the day, one at a time, in Python ----------------


def _order_outlet(order: Order) -> int | None:
    if order.origin_outlet_id or order.pickup_outlet_id:
        return order.origin_outlet_id or order.pickup_outlet_id
    first = order.lines.order_by("pk").first()
    return first.location_id if first else None


_WALLET = (K.MEMBER_WALLET_PRINCIPAL, K.MEMBER_WALLET_BONUS)


def _posting_measure(p: Posting) -> str | None:
    debit, credit = p.debit.kind, p.credit.kind
    table = [
        (debit == K.POINTS_ISSUED, Measure.POINTS_ISSUED),
        (credit == K.POINTS_CLAWED_BACK, Measure.POINTS_CLAWED_BACK),
        (credit == K.POINTS_REDEEMED, Measure.POINTS_SPENT),
        (debit == K.POINTS_REDEEMED, Measure.POINTS_RETURNED),
        (credit == K.POINTS_EXPIRED, Measure.POINTS_EXPIRED),
        (debit == K.WALLET_CASH_IN, Measure.TOPUP_PRINCIPAL),
        (debit == K.WALLET_BONUS_EXPENSE, Measure.TOPUP_BONUS),
        (credit == K.WALLET_SPENT and debit in _WALLET, Measure.WALLET_SPENT),
        (debit == K.WALLET_SPENT and credit in _WALLET, Measure.WALLET_RETURNED),
        (debit == K.COMMISSION_EXPENSE, Measure.COMMISSION_ACCRUED),
        (credit == K.COMMISSION_EXPENSE, Measure.COMMISSION_REVERSED),
    ]
    return next((m for hit, m in table if hit), None)


def _posting_place(p: Posting, measure: str) -> tuple[int | None, str, str]:
    reference = p.refund_of.reference if p.refund_of_id and p.refund_of else p.reference
    order = Order.objects.filter(number=reference[6:]).first() if reference.startswith("order:") else None
    topup = measure in (Measure.TOPUP_PRINCIPAL, Measure.TOPUP_BONUS)
    if order is not None:
        return _order_outlet(order), order.channel, ""
    if p.reference.startswith("outlet:"):
        outlet = Outlet.objects.filter(code=p.reference[7:]).first()
        return (outlet.pk if outlet else None), "pos", "cash" if topup else ""
    return None, "web" if topup else "", "online" if topup else ""


def naive_figures(day: date) -> dict[Cell, int]:
    start, end = day_bounds(day)
    out: dict[Cell, int] = defaultdict(int)

    def add(at: int | None, channel: str, method: str, measure: str, value: int) -> None:
        out[Cell(at, channel, method, measure)] += value

    for order in Order.objects.filter(created_at__gte=start, created_at__lt=end):
        at = _order_outlet(order)
        add(at, order.channel, "", Measure.ORDERS, 1)
        for line in order.lines.all():
            add(at, order.channel, "", Measure.LINES, 1)
            add(at, order.channel, "", Measure.UNITS, line.quantity)
            add(at, order.channel, "", Measure.GROSS, line.unit_price * line.quantity)
            add(at, order.channel, "", Measure.DISCOUNT, line.discount)
            coupons = sum(
                e["params"]["discount_fen"]
                for e in line.price_explanation
                if isinstance(e, dict) and e.get("kind") == "coupon"
            )
            add(at, order.channel, "", Measure.DISCOUNT_COUPONS, coupons)
            add(at, order.channel, "", Measure.DISCOUNT_PROMOTIONS, line.discount - coupons)
            add(at, order.channel, "", Measure.SALES, line.amount)
    for p in Payment.objects.filter(state="succeeded", succeeded_at__gte=start, succeeded_at__lt=end):
        paid_for = Order.objects.get(pk=p.order_id)
        at = _order_outlet(paid_for)
        for measure, value in ((Measure.PAID_COUNT, 1), (Measure.PAID, p.amount), (Measure.NET, p.amount)):
            add(at, paid_for.channel, p.method, measure, value)
    returned_at = {r.pk: ret.outlet_id for ret in OrderReturn.objects.all() for r in ret.refunds.all()}
    for r in Refund.objects.filter(state="succeeded", created_at__gte=start, created_at__lt=end):
        order = Order.objects.get(pk=r.payment.order_id)
        at = returned_at.get(r.pk) or _order_outlet(order)
        for measure, value in (
            (Measure.REFUND_COUNT, 1),
            (Measure.REFUNDED, r.amount),
            (Measure.NET, -r.amount),
        ):
            add(at, order.channel, r.payment.method, measure, value)
    moved = (PostingState.POSTED, PostingState.POST_PENDING)
    for p in Posting.objects.filter(kind__in=moved, created_at__gte=start, created_at__lt=end):
        measure = _posting_measure(p)
        if measure is None:
            continue
        at, channel, method = _posting_place(p, measure)
        add(at, channel, method, measure, p.amount)
        if measure == Measure.TOPUP_PRINCIPAL:
            add(at, channel, method, Measure.TOPUP_COUNT, 1)
    return {k: v for k, v in out.items() if v}


def points_for(amount_fen: int) -> int:
    return amount_fen * settings.POINTS_PER_YUAN // 100


def stored(day: date, corrects: date, levels: tuple[str, ...] = ("outlet", "unassigned")) -> dict[Cell, int]:
    from omnipoint.clearing.models import ClearingFigure

    rows: Any = ClearingFigure.objects.filter(day=day, corrects=corrects, level__in=levels)
    return {Cell(r.outlet_id, r.channel, r.method, r.measure): r.value for r in rows}
