"""The demo's last few business days, so that the dashboards and the books have something to
show: counter sales and collected pickup orders across channels at a few outlets in Shanghai and
Jiangsu (some by three regular customers, who come back), the storefront funnel of each day, then each day
closed through the clearing service. Called once by the demo story (``demo.scenario``).

The orders are placed through the services now and then dated back to their day, as the clock
would have done (what clearing's test story does too): only this module's own orders, their
payments and ledger postings are moved, never the rest of the story, which happens today.
"""

import random
import secrets
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from omnipoint.catalog.selectors import prices_get
from omnipoint.clearing.domain import BUSINESS_TZ, business_today
from omnipoint.clearing.services import day_close
from omnipoint.core.channels import Channel
from omnipoint.funnel.domain import Step
from omnipoint.funnel.services import funnel_step
from omnipoint.inventory.models import StockLevel
from omnipoint.ledger.models import Posting
from omnipoint.members.models import Member
from omnipoint.members.services import member_get_or_create
from omnipoint.orders import services as orders
from omnipoint.orders.models import Method, Order, PickTask
from omnipoint.outlets.domain import GUEST, Actor, SystemActor
from omnipoint.outlets.models import Outlet, OutletKind
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.models import Payment
from omnipoint.payments.services import payment_capture

DEMO = SystemActor(task="demo_dashboards")
DAYS = 3  # the days before today that the demo tells and closes
OUTLETS = 4  # outlets that sell on those days, in as many districts
SEED = 20261207


def _outlets(home_code: str) -> list[Outlet]:
    """The clerk's outlet and another counter of its district (what the demo's outlet and
    district managers see), then the first counter outlet of another Shanghai district and of
    a Jiangsu one (what the city, province and HQ see besides)."""
    home = Outlet.objects.get(code=home_code)
    counters = (
        Outlet.objects.filter(is_active=True, sells_at_counter=True)
        .exclude(kind=OutletKind.WAREHOUSE)
        .exclude(pk=home.pk)
        .select_related("region")
        .order_by("code")
    )
    neighbour = counters.filter(region_path=home.region_path).first()
    elsewhere = counters.exclude(region_path=home.region_path)
    shanghai = elsewhere.filter(region_path__startswith=home.region_path[:4]).first()
    jiangsu = elsewhere.exclude(region_path__startswith=home.region_path[:4]).first()
    return [o for o in (home, neighbour, shanghai, jiangsu) if o is not None][:OUTLETS]


def _skus(outlet: Outlet, n: int = 6) -> list[int]:
    """SKUs with stock for a few sales at the counter and online, priced here."""
    ids = list(
        StockLevel.objects.sellable(4)
        .filter(location=outlet, sku__is_active=True, sku__product__is_active=True)
        .order_by("sku__code")
        .values_list("sku_id", flat=True)[: n * 3]
    )
    priced = prices_get(sku_ids=ids, region=outlet.region, channel=Channel.WEB)
    return [s for s in ids if s in priced][:n]


def _regulars() -> list[Member]:
    """The demo's regular customers: they buy at the counters and online, and come back."""
    return [
        member_get_or_create(actor=DEMO, mobile=mobile, name=name)
        for mobile, name in (("13800000101", "赵敏"), ("13800000102", "孙丽"), ("13800000103", "吴军"))
    ]


def _counter_sales(
    hq: Actor, outlet: Outlet, skus: list[int], regulars: list[Member], rng: random.Random
) -> list[Order]:
    """A counter sale or two in cash, one of them to a regular now and then."""
    placed = []
    for _ in range(rng.randint(1, 2)):
        sale = orders.order_place(
            actor=hq,
            channel=Channel.POS,
            method=Method.COUNTER,
            payment_mode="counter",
            origin_outlet_id=outlet.pk,
            member_id=rng.choice(regulars).pk if rng.random() < 0.5 else None,
            lines=[orders.LineRequest(sku_id=rng.choice(skus), quantity=rng.randint(1, 2))],
        )
        payment_capture(actor=hq, order_id=sale.pk, method="cash")
        placed.append(sale)
    return placed


def _collected(hq: Actor, outlet: Outlet, sku: int, member: Member, channel: str) -> Order:
    """A regular's pickup order from the web or the app, paid and collected at the outlet: done,
    so it leaves no task in any queue and no stock held."""
    order = orders.order_place(
        actor=GUEST,
        channel=channel,
        method=Method.PICKUP,
        payment_mode="at_outlet",
        pickup_outlet_id=outlet.pk,
        mobile=member.mobile,
        customer_name=member.name,
        lines=[orders.LineRequest(sku_id=sku, quantity=1)],
    )
    payment_capture(actor=hq, order_id=order.pk, method="at_outlet")
    task = PickTask.objects.get(order=order, purpose="pickup")
    for step in ("claim", "picked", "ready"):
        orders.task_advance(actor=hq, task_id=task.pk, step=step)
    order.refresh_from_db()
    return orders.order_hand_over(
        actor=hq, outlet_id=outlet.pk, code=order.pickup_code, order_number=order.number
    )


def _day_orders(
    hq: Actor, outlets: list[Outlet], stock: dict[int, list[int]], regulars: list[Member], rng: random.Random
) -> list[Order]:
    """A day: counter sales at every outlet, and two regulars' pickups from the web and the app."""
    placed = [o for outlet in outlets for o in _counter_sales(hq, outlet, stock[outlet.pk], regulars, rng)]
    for channel, outlet in zip((Channel.WEB, Channel.APP), rng.sample(outlets, k=2), strict=False):
        placed.append(_collected(hq, outlet, rng.choice(stock[outlet.pk]), rng.choice(regulars), channel))
    return placed


def _date_back(placed: list[Order], day: date, rng: random.Random) -> None:
    """What the clock would have done: the orders, their payments and postings on ``day``."""
    for order in placed:
        at = datetime.combine(day, time(rng.randint(9, 19), rng.randint(0, 59)), tzinfo=BUSINESS_TZ)
        Order.objects.filter(pk=order.pk).update(created_at=at)
        Payment.objects.filter(order_id=order.pk).update(created_at=at, succeeded_at=at)
        Posting.objects.filter(reference=f"order:{order.number}").update(created_at=at)


def _funnel(day: date, outlets: list[Outlet], orders_placed: int, rng: random.Random) -> None:
    """The storefront's visitors that day: most browse, some put something in the cart, the
    ones who ordered online ordered."""
    for _ in range(orders_placed * rng.randint(6, 9)):
        visitor, path = secrets.token_hex(8), rng.choice(outlets).region_path
        funnel_step(actor=DEMO, visitor=visitor, step=Step.VISIT, region_path=path, day=day)
        if rng.random() < 0.35:
            funnel_step(actor=DEMO, visitor=visitor, step=Step.CART, region_path=path, day=day)
            if rng.random() < 0.45:
                funnel_step(actor=DEMO, visitor=visitor, step=Step.ORDER, region_path=path, day=day)


def demo_dashboards_load(*, clerk_outlet_code: str) -> int:
    """Tell and close the demo's last ``DAYS`` days; answers how many orders they hold."""
    rng = random.Random(SEED)
    hq = actor_get(user=get_user_model().objects.get(username="hq_admin"))
    outlets = [o for o in _outlets(clerk_outlet_code) if _skus(o)]
    stock = {o.pk: _skus(o) for o in outlets}
    regulars = _regulars()
    today = business_today(timezone.now())
    count = 0
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        placed = _day_orders(hq, outlets, stock, regulars, rng)
        _date_back(placed, day, rng)
        _funnel(day, outlets, sum(o.channel != Channel.POS for o in placed), rng)
        count += len(placed)
    for back in range(DAYS, 0, -1):
        day_close(actor=DEMO, day=today - timedelta(days=back))
    return count
