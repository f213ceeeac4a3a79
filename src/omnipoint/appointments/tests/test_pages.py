"""The console desk, the calling screen and the shop's booking pages, through the test client."""

import pytest
from django.test import Client
from django.urls import reverse

from omnipoint.appointments.models import Booking, Ticket
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db


def staff_client(persona: str) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user_of(persona))
    return c


def test_a_member_books_on_the_shop_and_the_clerk_calls_at_the_desk(appts):
    shop = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    shop.force_login(appts.member.user)
    a = appts.net.a
    page = shop.get(
        reverse("appointments_shop:service", args=[appts.passport.pk]), {"lat": a.lat, "lng": a.lng}
    )
    assert page.status_code == 200 and "黄浦旗舰店" in page.content.decode()
    slots_url = reverse("appointments_shop:slots", args=[appts.passport.pk, a.pk])
    assert "余 2 个" in shop.get(slots_url).content.decode()
    slot = appts.slot()
    resp = shop.post(slots_url, {"slot": slot.pk, "client_key": "form-1"})
    booking = Booking.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse(
        "appointments_shop:booking", args=[booking.code]
    )
    shown = shop.get(resp["Location"]).content.decode()
    assert booking.code in shown and "<svg" in shown
    assert shop.post(slots_url, {"slot": slot.pk, "client_key": "form-1"}).status_code == 302  # replayed
    assert Booking.objects.count() == 1

    appts.move(slot, minutes=5)
    clerk = staff_client("outlet_clerk")
    desk = reverse("appointments_console:desk")
    assert clerk.get(desk).status_code == 200
    clerk.post(reverse("appointments_console:check_in"), {"outlet": a.pk, "code": booking.code})
    assert Ticket.objects.get().label == "A001"
    clerk.post(reverse("appointments_console:call"), {"outlet": a.pk, "counter": "2"})
    board = clerk.get(reverse("appointments_console:screen_board", args=[a.pk])).content.decode()
    assert "A001" in board and "请到 2 号窗口" in board
    wrong = clerk.post(reverse("appointments_console:check_in"), {"outlet": a.pk, "code": "NOPE1234"})
    assert wrong.status_code == 404 and "本网点没有此预约码的预约" in wrong.content.decode()


def test_the_desk_and_screen_are_scoped(appts):
    other = staff_client("other_city_clerk")
    assert other.get(reverse("appointments_console:screen", args=[appts.net.a.pk])).status_code == 404
    assert other.get(reverse("appointments_console:desk")).status_code == 200
    shop = Client()
    shop.force_login(appts.other.user)
    assert shop.get(reverse("appointments_shop:booking", args=["NOPE1234"])).status_code == 404


def test_the_clerk_ticks_materials_and_books_by_phone(appts):
    clerk = staff_client("outlet_clerk")
    slot = appts.slot()
    url = reverse("appointments_console:book") + f"?outlet={appts.net.a.pk}&service={appts.passport.pk}"
    assert clerk.get(url).status_code == 200
    resp = clerk.post(url, {"mobile": "13911112222", "slot": slot.pk, "channel": "hotline",
                            "outlet": appts.net.a.pk, "service": appts.passport.pk})  # fmt: skip
    booking = Booking.objects.get()
    assert resp.status_code == 302 and booking.member.mobile == "13911112222" and booking.channel == "hotline"
    page = reverse("appointments_console:booking", args=[booking.pk])
    clerk.post(page, {"action": "materials", "material": ["id_card"], "note": "照片待补"})
    booking.refresh_from_db()
    assert (booking.materials_checked, booking.materials_note) == (["id_card"], "照片待补")


def test_a_member_moves_and_cancels_on_the_shop_but_not_someone_elses(appts):
    from omnipoint.appointments import services

    booking = services.booking_create(actor=appts.me(), slot_id=appts.slot().pk, channel="web").booking
    later = appts.slot(hours=12)
    shop = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    shop.force_login(appts.member.user)
    page = shop.get(reverse("appointments_shop:booking", args=[booking.code])).content.decode()
    assert "改约" in page
    slots_url = reverse("appointments_shop:slots", args=[appts.passport.pk, appts.net.a.pk])
    assert 'name="move"' in shop.get(slots_url, {"move": booking.code}).content.decode()
    resp = shop.post(slots_url, {"slot": later.pk, "move": booking.code})
    booking.refresh_from_db()
    assert resp.status_code == 302 and booking.slot_id == later.pk
    stranger = Client()
    stranger.force_login(appts.other.user)
    assert stranger.get(reverse("appointments_shop:booking", args=[booking.code])).status_code == 404
    stranger.post(reverse("appointments_shop:cancel", args=[booking.code]))
    assert Booking.objects.get(pk=booking.pk).state == "booked"
    shop.post(reverse("appointments_shop:cancel", args=[booking.code]))
    assert Booking.objects.get(pk=booking.pk).state == "cancelled"


def test_a_manager_sets_a_timetable_and_a_closure_in_the_console(appts):
    from datetime import timedelta

    from django.utils import timezone

    from omnipoint.appointments.models import Closure, Offer

    url = reverse("appointments_console:setup") + f"?outlet={appts.net.a.pk}"
    manager = staff_client("outlet_manager")
    assert "每周时间表" in manager.get(url).content.decode()
    resp = manager.post(url, {"action": "timetable", "service": appts.broadband.pk, "weekday": ["0", "2"],
                              "start": "09:00", "end": "13:00", "capacity": "3"})  # fmt: skip
    assert resp.status_code == 302
    offer = Offer.objects.get(outlet=appts.net.a, service=appts.broadband)
    assert sorted(offer.openings.values_list("weekday", "capacity")) == [(0, 3), (2, 3)]
    bad = manager.post(url, {"action": "timetable", "service": appts.broadband.pk, "weekday": ["1"],
                             "start": "13:00", "end": "09:00", "capacity": "3"})  # fmt: skip
    assert bad.status_code == 422 and "结束时间早于开始时间" in bad.content.decode()
    day = timezone.localdate() + timedelta(days=4)
    manager.post(url, {"action": "closure", "day": day.isoformat(), "reason": "检修", "service": ""})
    assert Closure.objects.filter(outlet=appts.net.a, day=day, service__isnull=True).exists()
    assert staff_client("outlet_clerk").get(url).status_code == 403
    assert staff_client("other_city_clerk").get(url).status_code == 404
