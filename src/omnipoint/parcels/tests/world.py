"""Parcels on the test network (omnipoint.testing): made through the services as the platform.

p_a: accepted and paid in cash at A (黄浦, Shanghai) for Nanjing; p_c: the same at C (Nanjing) for
Shanghai; unpaid_a: accepted at A, not paid; held_b: paid at A and arrived at B (held there, its
pickup code in held_b_code); webhook_a: the sandbox carrier's signed webhook for p_a, ready."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from omnipoint.outlets.domain import SystemActor
from omnipoint.parcels import sandbox, services
from omnipoint.parcels.domain import Dimensions
from omnipoint.parcels.models import Parcel

SETUP = SystemActor(task="tests")
SENDER_MOBILE = "13800138000"  # the shop's shopper (tests/api/conftest.py), when the shop is built
RECIPIENT_MOBILE = "13911112222"


def party(name: str, mobile: str, region: str) -> services.Party:
    return services.Party(name=name, mobile=mobile, address="人民路1号", region_code=region)


def accept(outlet_id: int, *, dest: str = "320102", weight: int = 1200, service: str = "standard",
           sender_mobile: str = SENDER_MOBILE, recipient_mobile: str = RECIPIENT_MOBILE, pay: bool = True) -> Parcel:  # fmt: skip
    parcel = services.parcel_accept(
        actor=SETUP, outlet_id=outlet_id, sender=party("张三", sender_mobile, "310101"),
        recipient=party("李四", recipient_mobile, dest), size=Dimensions(weight, 30, 20, 10), service=service,
        declared_value=0,
    )  # fmt: skip
    if pay:
        parcel = services.parcel_pay(actor=SETUP, number=parcel.number, method="cash")
    return parcel


def accept_body(w: Any, **kw: Any) -> dict[str, Any]:
    """A good body for POST /parcels at outlet A."""
    body = {
        "outlet_id": w.a.pk, "service": "standard",
        "sender": {"name": "张三", "mobile": SENDER_MOBILE, "address": "人民路1号", "region_code": "310101"},
        "recipient": {"name": "李四", "mobile": RECIPIENT_MOBILE, "address": "中山路2号", "region_code": "320102"},
        "weight_g": 1200, "length_cm": 30, "width_cm": 20, "height_cm": 10, "declared_value": 0,
    }  # fmt: skip
    return {**body, **kw}


def event(
    number: str, kind: str, event_id: str, *, minutes_ago: int = 0, outlet_code: str = ""
) -> dict[str, str]:
    when = timezone.now() - timedelta(minutes=minutes_ago)
    return {"event_id": event_id, "number": number, "kind": kind, "occurred_at": when.isoformat(),
            "outlet_code": outlet_code, "place": "南京转运中心"}  # fmt: skip


def build_parcels(w: Any) -> Any:
    """Idempotent within a test."""
    if "p_a" in w.objects:
        return w
    o = w.objects
    o["p_a"] = accept(w.a.pk).number
    o["p_c"] = accept(w.c.pk, dest="310101").number
    o["unpaid_a"] = accept(w.a.pk, pay=False).number
    held = accept(w.a.pk, dest="310115")
    services.parcel_scan(actor=SETUP, outlet_id=w.b.pk, number=held.number, kind="arrived")
    held.refresh_from_db()
    o["held_b"], o["held_b_code"] = held.number, held.pickup_code
    o["webhook_a"] = sandbox.webhook_build([event(o["p_a"], "in_transit", "evt-world-1")])
    return w


def rates_body(w: Any = None, *, local_first_fen: int = 8_00) -> dict[str, Any]:
    """A good body for PUT /parcels/rates: the default table, its local standard price changed."""
    from omnipoint.parcels.domain import DEFAULT_TABLE

    steps = [
        {"service": s, "zone": z, "first_g": v.first_g, "first_fen": v.first_fen, "step_g": v.step_g,
         "step_fen": v.step_fen}
        for (s, z), v in sorted(DEFAULT_TABLE.steps.items())
    ]  # fmt: skip
    for step in steps:
        if (step["service"], step["zone"]) == ("standard", "local"):
            step["first_fen"] = local_first_fen
    return {"steps": steps, "zones": [{"from_province": "31", "to_province": "32", "zone": "local"}],
            "insurance_per_mille": 5, "insurance_min_fen": 1_00}  # fmt: skip
