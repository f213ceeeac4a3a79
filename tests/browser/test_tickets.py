"""An installation ticket in a real browser (issue 11, must-show 1): an air conditioner ordered
for delivery with installation is delivered (through the services), which opens its ticket; the
clerk agrees the visit on the ticket's page; the technician, on the handheld at phone width,
goes on the way, arrives and completes it with the code the customer reads from their ticket
page; the customer sees it done online (screenshots in Chinese, the last also in English)."""

import pytest
from django.test import Client
from playwright.sync_api import expect
from tests.browser.conftest import PHONE, customer_context, log_in, shot

from omnipoint.aftersales.models import Ticket
from omnipoint.aftersales.tests.conftest import delivered, member, technicians

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_technician_completes_an_installation_on_the_handheld(browser, live_network, live_server, desktop):
    net, base = live_network, live_server.url
    technicians(net)
    customer = member("13800000019", "王芳")
    ticket = Ticket.objects.get(order=delivered(net, customer))
    client = Client()
    client.force_login(customer.user)
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}

    log_in(desktop, base, "outlet_clerk")
    desktop.goto(f"{base}/console/tickets/{ticket.pk}/")
    desktop.get_by_test_id("technician").select_option(label="师傅 tech_a (剩余名额: 6)")
    desktop.get_by_test_id("schedule").click()
    expect(desktop.get_by_test_id("ticket-state")).to_have_text("已预约")

    customer_phone = customer_context(browser)
    customer_phone.add_cookies([cookie])
    mine = customer_phone.new_page()
    mine.goto(f"{base}/shop/tickets/{ticket.number}/")
    code = mine.get_by_test_id("confirmation-code").inner_text()
    shot(mine, "ticket-scheduled-customer-phone")

    handheld = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    tech = handheld.new_page()
    log_in(tech, base, "tech_a")
    tech.goto(f"{base}/console/tickets/mine/")
    tech.get_by_test_id("visit-link").click()
    tech.get_by_test_id("step-depart").click()
    expect(tech.get_by_test_id("ticket-state")).to_have_text("师傅已出发")
    tech.get_by_test_id("step-arrive").click()
    expect(tech.get_by_test_id("ticket-state")).to_have_text("师傅已上门")
    tech.get_by_test_id("code").fill("000000" if code != "000000" else "111111")
    tech.get_by_test_id("step-complete").click()
    expect(tech.get_by_role("alert")).to_have_text("确认码不对，请向顾客核实。")
    expect(tech.get_by_test_id("ticket-state")).to_have_text("师傅已上门")
    shot(tech, "ticket-handheld-wrong-code-phone")
    tech.get_by_test_id("code").fill(code)
    tech.get_by_test_id("step-complete").click()
    expect(tech.get_by_test_id("ticket-state")).to_have_text("已完成")
    width = tech.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width  # the handheld page fits the phone
    shot(tech, "ticket-handheld-done-phone")
    handheld.close()

    mine.reload()
    expect(mine.get_by_test_id("ticket-state")).to_have_text("已完成")
    expect(mine.get_by_test_id("ticket-done")).to_be_visible()
    shot(mine, "ticket-done-customer-phone")
    customer_phone.close()

    english = browser.new_context(viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True)
    english.add_cookies([cookie])
    page = english.new_page()
    page.goto(f"{base}/shop/tickets/{ticket.number}/")
    expect(page.get_by_test_id("ticket-state")).to_have_text("Done")
    shot(page, "ticket-done-customer-phone-en")
    english.close()
    assert Ticket.objects.get(pk=ticket.pk).state == "done"
