"""The demo's appointments, told through the services as the platform: five services, offered
at the clerk's outlet and a few other Shanghai outlets on a Monday-to-Saturday timetable, a
closure a week ahead, bookings for the demo members (one checked in and waiting) and a walk-in.
Called once by the demo story (``demo.scenario``)."""

from datetime import time, timedelta

from django.utils import timezone

from omnipoint.appointments import services
from omnipoint.appointments.domain import Opening
from omnipoint.appointments.models import Service, Slot
from omnipoint.members.models import Member
from omnipoint.outlets.domain import SystemActor
from omnipoint.outlets.models import Outlet

DEMO = SystemActor(task="demo_appointments")

SERVICES = [
    ("exit_entry", "出入境证件代办", "Exit-entry documents", 20, "post", "A",
     [("id_card", "居民身份证原件", "Resident identity card (original)"), ("photo", "近期证件照", "A recent ID photo"),
      ("form", "申请表", "Application form")]),
    ("social_card", "社保卡办理", "Social security card", 15, "counter", "B",
     [("id_card", "居民身份证原件", "Resident identity card (original)"), ("photo", "近期证件照", "A recent ID photo")]),
    ("broadband", "宽带报装", "Broadband installation", 30, "counter", "C",
     [("id_card", "居民身份证原件", "Resident identity card (original)"), ("address", "装机地址证明", "Proof of address")]),
    ("bank_account", "银行开户", "Open a bank account", 30, "counter", "D",
     [("id_card", "居民身份证原件", "Resident identity card (original)"), ("mobile", "本人手机", "Your own mobile phone")]),
    ("home_survey", "家电上门测量", "Home survey for appliances", 30, "counter", "E", []),
]  # fmt: skip

WEEK = [
    Opening(d, start, end, 2)
    for d in range(6)
    for start, end in ((time(9), time(12)), (time(13, 30), time(17)))
]


def _offer_everything(outlets: list[Outlet]) -> list[Service]:
    made = []
    for code, name, name_en, minutes, handover, prefix, materials in SERVICES:
        made.append(
            services.service_create(
                actor=DEMO,
                code=code,
                name=name,
                name_en=name_en,
                duration_min=minutes,
                handover=handover,
                queue_prefix=prefix,
                materials=[{"code": c, "name": n, "name_en": e} for c, n, e in materials],
            )  # fmt: skip
        )
    for i, outlet in enumerate(outlets):
        for service in made[: 5 - i]:
            services.offer_set(actor=DEMO, outlet_id=outlet.pk, service_id=service.pk, openings=WEEK)
    return made


def demo_appointments_load(*, clerk_outlet_code: str) -> int:
    """Returns the number of bookings made. Safe to skip when the services exist."""
    if Service.objects.exists():
        return 0
    home = Outlet.objects.get(code=clerk_outlet_code)
    others = list(
        Outlet.objects.filter(region_path__startswith="/31/", sells_at_counter=True, is_active=True)
        .exclude(pk=home.pk)
        .order_by("code")[:3]
    )
    made = _offer_everything([home, *others])
    services.closure_add(
        actor=DEMO, outlet_id=home.pk, day=timezone.localdate() + timedelta(days=7), reason="设备检修"
    )
    members = list(Member.objects.filter(user__isnull=False).order_by("mobile")[:3])
    free = Slot.objects.filter(outlet=home, is_open=True, starts_at__gt=timezone.now() + timedelta(hours=3))
    booked = 0
    for member, service in zip(members, made, strict=False):
        slot = free.filter(service=service).order_by("starts_at").first()
        if slot is not None:
            services.booking_create(actor=DEMO, slot_id=slot.pk, channel="hotline", member_id=member.pk)
            booked += 1
    services.ticket_take(actor=DEMO, outlet_id=home.pk, service_id=made[0].pk)
    return booked
