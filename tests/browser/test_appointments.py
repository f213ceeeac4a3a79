"""Appointments in a real browser (issue 11): a member books a passport appointment at a nearby
outlet from the storefront on a phone and gets the QR; at the outlet the clerk checks the code
in, which gives queue number A001, and calls it; the calling screen (a TV page, here at phone
width) shows A001 without a reload; the clerk serves it and the member sees it done."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser.conftest import PHONE, customer_context, log_in, shot

from omnipoint.appointments.models import Booking, Slot
from omnipoint.appointments.tests.conftest import make_services, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_book_online_check_in_and_call_at_the_counter(browser, live_network, live_server, desktop):
    net, base = live_network, live_server.url
    passport, _ = make_services(net)
    customer = member("13800000009", "王芳")
    client = Client()
    client.force_login(customer.user)
    context = customer_context(browser, at=net.a)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    phone = context.new_page()

    phone.goto(f"{base}/shop/appointments/?lat={net.a.lat}&lng={net.a.lng}")
    phone.get_by_test_id("service-passport").click()
    phone.get_by_test_id("choose-SH-A").click()
    phone.get_by_test_id("slot").first.click()
    expect(phone.get_by_test_id("booking-qr").locator("svg")).to_be_visible()
    code = phone.get_by_test_id("booking-code").inner_text()
    shot(phone, "appointments-booked-phone")
    booking = Booking.objects.get(code=code)
    assert booking.member == customer and Slot.objects.get(pk=booking.slot_id).booked == 1
    start = timezone.now() + timedelta(minutes=5)  # the customer arrives a little early
    Slot.objects.filter(pk=booking.slot_id).update(starts_at=start, ends_at=start + timedelta(hours=2))

    log_in(desktop, base, "outlet_clerk")
    screen = desktop.context.new_page()
    screen.set_viewport_size(PHONE)
    screen.goto(f"{base}/console/appointments/screen/{net.a.pk}/")
    screen.evaluate("window.__loaded = true")
    expect(screen.get_by_text("暂无叫号")).to_be_visible()

    desktop.goto(f"{base}/console/appointments/")
    desktop.get_by_test_id("check-in-code").fill(code)
    desktop.get_by_role("button", name="签到取号").click()
    expect(desktop.get_by_text("已签到，号码 A001。")).to_be_visible()
    desktop.get_by_test_id("call-next").click()
    expect(desktop.get_by_test_id("called-A001")).to_be_visible()

    expect(screen.get_by_test_id("now-calling")).to_have_text("A001", timeout=10_000)
    assert screen.evaluate("window.__loaded") is True  # updated in place, not reloaded
    box = screen.get_by_test_id("now-calling").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    shot(screen, "appointments-calling-screen-phone")

    desktop.get_by_test_id("called-A001").get_by_role("button", name="已办结").click()
    expect(desktop.get_by_text("A001 已办结。")).to_be_visible()
    phone.reload()
    expect(phone.get_by_test_id("booking-state")).to_have_text("已办结")
    context.close()
