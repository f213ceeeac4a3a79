"""The demo's tickets, told through the services: a technician at the clerk's outlet (who signs
in to the handheld) and the district's team; air conditioners sold at the counter to be
installed, whose tickets open by themselves, then one left open (overdue for its response), one
scheduled, one with the technician on site, one done with the customer's code; and a repair a
member asked for online. That customer (``CUSTOMER``) signs in to the shop with their mobile and
picks the visit of their two open tickets among the slots offered, the district's technician
having tomorrow off. Called once by the demo story (``demo.scenario``)."""

from datetime import timedelta

from django.utils import timezone

from omnipoint.aftersales import services
from omnipoint.aftersales.models import Ticket
from omnipoint.catalog.domain import ProductKind
from omnipoint.inventory.models import StockLevel
from omnipoint.members.models import Member
from omnipoint.members.services import member_get_or_create, member_user_ensure
from omnipoint.orders import services as orders
from omnipoint.outlets.domain import MemberActor, SystemActor
from omnipoint.outlets.models import Outlet, Staff
from omnipoint.outlets.selectors import actor_get
from omnipoint.outlets.services import staff_create
from omnipoint.payments.services import payment_capture

DEMO = SystemActor(task="demo_tickets")
TECHNICIAN = "technician"  # the demo's technician login (the personas' password)
BUYERS = [
    ("13900000101", "赵先生"),
    ("13900000102", "钱女士"),
    ("13900000103", "孙先生"),
    ("13900000104", "李女士"),
]
CUSTOMER = BUYERS[0][0]  # has a shop login: their tickets wait for them to pick a visit
ADDRESSES = ["浦东新区世纪大道 100 号 1201 室", "浦东新区陆家嘴环路 88 弄 5 号 302", "浦东新区东方路 66 号 8 楼",
             "浦东新区张杨路 500 号 1503"]  # fmt: skip


def _appliance_sku(home: Outlet) -> int:
    """An air conditioner (else any appliance, else any goods) the outlet has on its shelf."""
    held = StockLevel.objects.filter(location=home, on_hand__gte=5, sku__product__kind=ProductKind.GOODS)
    for codes in (["air-conditioners"], ["appliances", "fridges", "washers", "tvs"], None):
        found = held.filter(sku__product__category__code__in=codes) if codes else held
        sku_id = found.order_by("sku__code").values_list("sku_id", flat=True).first()
        if sku_id:
            return sku_id
    raise LookupError("no goods in stock at the demo outlet")


def _sold_to_install(home: Outlet, members: list[Member]) -> list[Ticket]:
    clerk_staff = Staff.objects.filter(outlet=home, role="outlet_clerk").select_related("user").first()
    assert clerk_staff is not None, "the demo network has a clerk at its outlet"
    clerk, sku_id = actor_get(user=clerk_staff.user), _appliance_sku(home)
    made = []
    for buyer in members:
        sale = orders.order_place(
            actor=clerk, channel="pos", method="counter", payment_mode="counter", origin_outlet_id=home.pk,
            member_id=buyer.pk, lines=[orders.LineRequest(sku_id=sku_id, quantity=1, installation=True)],
        )  # fmt: skip
        payment_capture(actor=clerk, order_id=sale.pk, method="cash")  # completes: its ticket opens
        made += list(Ticket.objects.filter(order=sale))
    return made


def demo_tickets_load(*, clerk_outlet_code: str, password: str) -> int:
    """Returns the number of tickets made. Safe to skip when tickets exist."""
    if Ticket.objects.exists():
        return 0
    home = Outlet.objects.select_related("region").get(code=clerk_outlet_code)
    tech = staff_create(actor=DEMO, username=TECHNICIAN, password=password, display_name="装维师傅 马师傅",
                        role="technician", outlet=home)  # fmt: skip
    team = staff_create(actor=DEMO, username="district_technician", password=password,
                        display_name="区县装维 周师傅", role="district_technician", region=home.region)  # fmt: skip
    today = timezone.localdate()
    services.technician_day_set(actor=DEMO, technician_id=team.pk, day=today + timedelta(days=1), capacity=0,
                                note="休息")  # fmt: skip
    members = [
        member_get_or_create(actor=DEMO, mobile=mobile, name=name) for mobile, name in BUYERS
    ]  # their own customers: the story's members keep the orders and points it tells of
    members[0] = member_user_ensure(actor=DEMO, member=members[0])
    tickets = _sold_to_install(home, members)
    for i, (t, address) in enumerate(zip(tickets[1:], ADDRESSES, strict=False)):
        services.ticket_schedule(actor=DEMO, ticket_id=t.pk, technician_id=tech.pk, day=today,
                                 window="am" if i % 2 else "pm", address=address)  # fmt: skip
    steps = {1: ["depart", "arrive"], 2: ["depart", "arrive", "complete"]}
    for i, t in enumerate(tickets[1:]):
        for step in steps.get(i, []):
            code = Ticket.objects.get(pk=t.pk).confirmation_code if step == "complete" else ""
            services.ticket_step(
                actor=DEMO, ticket_id=t.pk, step=step, code=code, note="已试机" if code else ""
            )
    if tickets:  # the first still waits for a call: back-dated, so the manager's overdue list shows one
        Ticket.objects.filter(pk=tickets[0].pk).update(respond_by=timezone.now() - timedelta(hours=2))
    if tickets:  # a repair asked for by the buyer online (or by phone, when they have no login yet)
        me = members[0]
        asker = MemberActor(user_id=me.user_id, member_id=me.pk) if me.user_id else DEMO
        tickets.append(services.ticket_open(actor=asker, order_id=tickets[0].order_id, kind="repair",
                                            description="制冷效果差，有异响"))  # fmt: skip
    return len(tickets)
