"""What the persona rows of the appointments API act on (tests/api/test_personas.py), built on
the shop's world once per test: the passport service at A and C and broadband at A; the
shopper's booking at A (ap_bk_a) and the Nanjing member's at C (ap_bk_c), five hours ahead;
bookings starting in ten minutes for check-in (ap_now_a / ap_now_c); free slots to book and
move to; at each of A and C a waiting walk-in and a called ticket (ap_tk_a / ap_tk_c); the ID
card sent ahead for each of ap_bk_a and ap_bk_c (ap_up_a / ap_up_c)."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from omnipoint.appointments import services
from omnipoint.appointments.models import Booking, MaterialUpload, Slot
from omnipoint.members.models import Member
from omnipoint.outlets.domain import SYSTEM, MemberActor

from .conftest import make_services

# The smallest files the sniffing takes for what they are (a JPEG's start and end, a PDF's header
# and end marker), and one that only its name calls a photo.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
NOT_AN_IMAGE = b"<html><script>alert(1)</script></html>"


def _slots(outlet: Any, service: Any, hours: float, n: int) -> list[Slot]:
    at = timezone.now() + timedelta(hours=hours)
    return list(
        Slot.objects.filter(outlet=outlet, service=service, starts_at__gte=at).order_by("starts_at")[:n]
    )


def _soon(slot: Slot) -> None:
    start = timezone.now() + timedelta(minutes=10)
    Slot.objects.filter(pk=slot.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))


def build_appointments(w: Any) -> Any:
    if "ap_passport" in w.objects:
        return w
    o, net = w.objects, w.net
    passport, broadband = make_services(net)
    o["ap_passport"], o["ap_broadband"] = passport.pk, broadband.pk
    shopper = Member.objects.get(pk=o["shopper"])
    assert shopper.user_id is not None
    me = MemberActor(user_id=shopper.user_id, member_id=shopper.pk)
    for key, outlet, actor, member_id, channel in (
        ("a", net.a, me, None, "web"),
        ("c", net.c, SYSTEM, o["nanjing"], "hotline"),
    ):
        booked, now, free, free2 = _slots(outlet, passport, 5, 4)
        o[f"ap_bk_{key}"] = services.booking_create(
            actor=actor, slot_id=booked.pk, channel=channel, member_id=member_id
        ).booking.pk
        soon = services.booking_create(
            actor=actor, slot_id=now.pk, channel=channel, member_id=member_id
        ).booking
        _soon(now)
        o[f"ap_now_{key}"] = soon.code  # type: ignore[assignment]
        o[f"ap_free_{key}"], o[f"ap_free2_{key}"] = free.pk, free2.pk
        services.ticket_take(actor=SYSTEM, outlet_id=outlet.pk, service_id=passport.pk)
        services.ticket_take(actor=SYSTEM, outlet_id=outlet.pk, service_id=passport.pk)
        o[f"ap_tk_{key}"] = services.ticket_call_next(actor=SYSTEM, outlet_id=outlet.pk, counter="1").pk
    o["ap_up_a"] = services.material_upload(
        actor=me, booking_id=o["ap_bk_a"], item="id_card", content=JPEG, filename="id.jpg"
    ).pk
    # The Nanjing member booked by phone and has no login: their file as the shop would keep it.
    o["ap_up_c"] = MaterialUpload.objects.create(
        booking=Booking.objects.get(pk=o["ap_bk_c"]), item="id_card", version=1, content_type="application/pdf",
        size=len(PDF), sha256="0" * 64, content=PDF, uploaded_at=timezone.now(),
    ).pk  # fmt: skip
    return w
