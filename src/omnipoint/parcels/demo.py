"""The demo's parcels, told through the services as the platform: sent from the clerk's outlet
to other cities in every state (awaiting payment, accepted, on the road by the carrier's webhook,
delivered), and parcels for the demo members held at the clerk's outlet for collection (one
collected already). Called once by the demo story (``demo.scenario``)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from omnipoint.members.models import Member
from omnipoint.outlets.domain import SystemActor
from omnipoint.outlets.models import Outlet
from omnipoint.parcels import sandbox, services
from omnipoint.parcels.domain import Dimensions
from omnipoint.parcels.models import Parcel

DEMO = SystemActor(task="demo_parcels")

# (recipient, mobile, district, address, weight g, service): to other cities.
OUTGOING = [
    ("刘洋", "13900001001", "110105", "朝阳区建国路88号", 1200, "standard"),
    ("陈静", "13900001002", "440305", "南山区科技园南路2号", 800, "express"),
    ("赵磊", "13900001003", "510104", "锦江区春熙路9号", 3500, "standard"),
    ("孙丽", "13900001004", "330106", "西湖区文三路100号", 500, "express"),
]


def _party(name: str, mobile: str, district: str, address: str) -> services.Party:
    return services.Party(name=name, mobile=mobile, address=address, region_code=district)


def _send(
    outlet: Outlet, sender: services.Party, recipient: services.Party, grams: int, service: str
) -> Parcel:
    return services.parcel_accept(
        actor=DEMO, outlet_id=outlet.pk, sender=sender, recipient=recipient,
        size=Dimensions(grams, 30, 20, 15), service=service, declared_value=0,
    )  # fmt: skip


def _road(parcel: Parcel, hours_ago: int, kinds: list[str]) -> None:
    """The carrier's signed webhook (when the sandbox carrier is on), else scans at the origin."""
    start = timezone.now() - timedelta(hours=hours_ago)
    events = [
        {"event_id": f"demo-{parcel.number}-{i}", "number": parcel.number, "kind": kind,
         "occurred_at": (start + timedelta(hours=3 * i + 1)).isoformat(), "place": "上海邮区中心"}
        for i, kind in enumerate(kinds)
    ]  # fmt: skip
    if settings.SANDBOX_CARRIER:
        body, headers = sandbox.webhook_build(events)
        services.webhook_receive(actor=DEMO, carrier=sandbox.CODE, body=body, headers=headers)
        return
    for e in events:
        services.parcel_scan(actor=DEMO, outlet_id=parcel.origin_id, number=parcel.number, kind=e["kind"],
                             occurred_at=timezone.now() - timedelta(minutes=5))  # fmt: skip


@transaction.atomic
def demo_parcels_load(*, clerk_outlet_code: str, member_mobiles: list[str]) -> list[str]:
    """Returns the tracking numbers it made."""
    outlet = Outlet.objects.get(code=clerk_outlet_code)
    members = list(Member.objects.filter(mobile__in=member_mobiles).order_by("pk"))
    if not members:
        return []
    sender = _party(
        members[0].name or "王芳", members[0].mobile, outlet.region.code, outlet.address or "人民路1号"
    )
    made: list[Parcel] = []
    for i, (name, mobile, district, address, grams, service) in enumerate(OUTGOING):
        p = _send(outlet, sender, _party(name, mobile, district, address), grams, service)
        made.append(p)
        if i == 0:
            continue  # awaiting payment at the counter
        services.parcel_pay(actor=DEMO, number=p.number, method="cash")
        if i == 2:
            _road(p, 30, ["dispatched", "in_transit"])
        if i == 3:
            _road(p, 50, ["dispatched", "in_transit", "out_for_delivery", "delivered"])
    other = (
        Outlet.objects.exclude(pk=outlet.pk)
        .filter(is_active=True, sells_at_counter=True)
        .order_by("code")
        .first()
    )
    origin = other or outlet
    far = _party("周强", "13900002001", origin.region.code, origin.address or "中山路1号")
    for member in members:  # incoming, held at the clerk's outlet for the members
        p = _send(origin, far, _party(member.name or "顾客", member.mobile, outlet.region.code, "淮海中路100号"),
                  900, "standard")  # fmt: skip
        services.parcel_pay(actor=DEMO, number=p.number, method="cash")
        services.parcel_scan(actor=DEMO, outlet_id=outlet.pk, number=p.number, kind="arrived")
        made.append(p)
    collected = Parcel.objects.get(pk=made[-1].pk)
    services.parcel_collect(
        actor=DEMO, outlet_id=outlet.pk, number=collected.number, code=collected.pickup_code
    )
    return [p.number for p in made]
