"""A month to settle, told through the real services and moved into last month: counter sales
at the franchise store C (the network's cable, and a concession air conditioner), a credited
sale of the concession's air conditioners at A and one unit returned, a bill paid at an agent
point K; and the four parties: the concession supplier at Shanghai (18 % off appliances), C as a
franchisee (10 %), K as an agent, the salesperson at A."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from omnipoint.billpay import sandbox
from omnipoint.billpay import services as billpay
from omnipoint.billpay.models import BillPayment
from omnipoint.billpay.tests.conftest import POWER, agent_outlet
from omnipoint.catalog.models import Category, Supplier
from omnipoint.clearing.domain import business_today, day_bounds
from omnipoint.clearing.tests.story import Story, counter_sale, move_to_day, story_start
from omnipoint.orders import services as orders
from omnipoint.orders.models import Order
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.models import Outlet
from omnipoint.outlets.selectors import actor_get
from omnipoint.settlement import domain, services
from omnipoint.settlement.domain import Period
from omnipoint.settlement.models import Party, Statement
from omnipoint.testing import user_of


@dataclass
class Month:
    story: Story
    period: Period
    agent: Outlet
    supplier: Party
    franchise: Party
    agent_party: Party
    seller: Party
    sale_a: Order


def _bill(agent: Outlet) -> None:
    from omnipoint.billpay.billers import biller_get

    power = biller_get(POWER)
    billpay.outlet_enrol(actor=SYSTEM, outlet_id=agent.pk)
    billpay.float_fund(actor=SYSTEM, outlet_id=agent.pk, amount=10_000_00, key="opening")
    account = power.account(0)
    payment = billpay.bill_pay(
        actor=SYSTEM, outlet_id=agent.pk, biller=POWER, account=account, amount=power.lookup(account).amount
    )
    row = sandbox.bill_confirm(bill_ref=payment.bill_ref)
    assert row is not None
    body, headers = sandbox.callback_build(row)
    assert billpay.callback_receive(actor=SYSTEM, biller=POWER, body=body, headers=headers) == "paid"


def parties(story: Story, agent: Outlet) -> tuple[Party, Party, Party, Party]:
    net = story.net
    supplier = services.party_add(
        actor=SYSTEM,
        kind="supplier",
        supplier_id=Supplier.objects.get(name="格力电器").pk,
        region_code="310000",
        rate="0.2",
    )
    services.party_rate_set(
        actor=SYSTEM,
        party_id=supplier.pk,
        category_id=Category.objects.get(code="appliances").pk,
        rate="0.18",
    )
    franchise = services.party_add(actor=SYSTEM, kind="franchise", outlet_id=net.c.pk, rate="0.1")
    agent_party = services.party_add(actor=SYSTEM, kind="agent", outlet_id=agent.pk)
    seller = services.party_add(actor=SYSTEM, kind="salesperson", staff_id=story.seller)
    return supplier, franchise, agent_party, seller


def build_month(settings) -> Month:
    settings.SANDBOX_BILLER_AUTOCONFIRM = False
    since = timezone.now() - timedelta(seconds=1)
    story = story_start(stock=20)
    counter_sale(story, "C", 2, 2, "cash")  # the network's cable at the franchise store
    counter_sale(story, "C", 0, 1, "cash")  # the concession's goods there: not the franchisee's
    sale_a = counter_sale(story, "A", 1, 2, "cash", credited=True)
    line = sale_a.lines.get()
    orders.order_return(
        actor=story.hq, order_id=sale_a.pk, outlet_id=story.net.a.pk, lines=[(line.sku_id, 1)]
    )
    agent = agent_outlet()
    _bill(agent)
    period = domain.previous_period(business_today(timezone.now()), "month")
    day = period.start + timedelta(days=9)
    move_to_day(since, day)
    at = day_bounds(day)[0] + timedelta(hours=12)
    Order.objects.filter(completed_at__gte=since).update(completed_at=at)
    BillPayment.objects.filter(created_at__gte=since).update(created_at=at, paid_at=at)
    supplier, franchise, agent_party, seller = parties(story, agent)
    return Month(story, period, agent, supplier, franchise, agent_party, seller, sale_a)


RATE_APPLIANCES, RATE_FRANCHISE = Decimal("0.18"), Decimal("0.1")


def build_settlement(w) -> None:  # type: ignore[no-untyped-def]
    """On the API tests' world: last month's statements of a Shanghai concession supplier
    (confirmed: st_sh), the agent point B (a draft: st_b) and the franchise store C (a draft:
    st_c), and a period not yet drawn up (period_new)."""
    if "st_b" in w.objects:
        return
    net = w.net
    supplier = services.party_add(
        actor=SYSTEM,
        kind="supplier",
        supplier_id=Supplier.objects.get(name="格力电器").pk,
        region_code="310000",
        rate="0.2",
    )
    agent = services.party_add(actor=SYSTEM, kind="agent", outlet_id=net.b.pk)
    franchise = services.party_add(actor=SYSTEM, kind="franchise", outlet_id=net.c.pk, rate="0.1")
    today = business_today(timezone.now())
    last = domain.previous_period(today, "month")
    services.statements_generate(actor=SYSTEM, period=last.code)
    st = {p.pk: s.pk for p in (supplier, agent, franchise) for s in p.statements.all()}
    services.statement_confirm(actor=SYSTEM, statement_id=st[supplier.pk])
    w.objects.update(
        st_sh=st[supplier.pk], st_b=st[agent.pk], st_c=st[franchise.pk], period=last.code,
        period_new=domain.previous_period(last.start, "month").code,
    )  # fmt: skip


def build_parties(w) -> None:  # type: ignore[no-untyped-def]
    """``build_settlement``'s world with its parties named (party_sh, party_b, party_c) and the
    Shanghai supplier's rate for appliances (``appliances``: the category)."""
    build_settlement(w)
    if "party_sh" in w.objects:
        return
    party = {n: Statement.objects.get(pk=getattr(w, n)).party_id for n in ("st_sh", "st_b", "st_c")}
    category = Category.objects.get(code="appliances").pk
    services.party_rate_set(actor=SYSTEM, party_id=party["st_sh"], category_id=category, rate="0.18")
    w.objects.update(
        party_sh=party["st_sh"], party_b=party["st_b"], party_c=party["st_c"], appliances=category
    )


def build_jobs(w) -> None:  # type: ignore[no-untyped-def]
    """``build_parties``' world with a job of hq_admin's run to its end (``job_done``: the CSV of
    B's statement) and one still queued (``job_queued``)."""
    from omnipoint.settlement.tasks import job_run

    build_parties(w)
    if "job_done" in w.objects:
        return
    hq = actor_get(user=user_of("hq_admin"))
    done = services.job_start(actor=hq, kind="export", statement_id=w.st_b, fmt="csv", lang="zh-hans")
    job_run.call_local(done.pk)
    queued = services.job_start(actor=hq, kind="export", statement_id=w.st_b, fmt="pdf", lang="zh-hans")
    w.objects.update(job_done=done.pk, job_queued=queued.pk)
