"""A parcel sent at the counter and tracked online: the clerk accepts and prices it, takes the
cash, opens its label (the very drawing the PDF prints, shown as an image, and the PDF read back),
scans it out; the carrier's signed webhooks arrive out of order; the parcel arrives at a Pudong
outlet; the customer tracks it at phone width (Chinese and English, names masked); the city
manager hands it over by its pickup code, a wrong code refused first. Screenshots."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from pypdf import PdfReader
from tests.browser.conftest import PHONE, customer_context, log_in, shot

from omnipoint.parcels import sandbox
from omnipoint.parcels.models import Parcel

WIDER = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40)).slice(0, 8)"""
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _webhook(number: str, accepted) -> None:  # type: ignore[no-untyped-def]
    """Two events, the later one sent first; signed as the carrier signs them."""
    now = accepted + timedelta(milliseconds=2)  # after the acceptance, before the arrival scan
    late = {
        "event_id": "b-2",
        "number": number,
        "kind": "in_transit",
        "occurred_at": now.isoformat(),
        "place": "上海邮区中心",
    }
    early = {"event_id": "b-1", "number": number, "kind": "dispatched",
             "occurred_at": (now - timedelta(milliseconds=1)).isoformat(), "place": "黄浦揽投部"}  # fmt: skip
    for events in ([late], [early], [late]):  # the second "late" is a duplicate: applied once
        body, headers = sandbox.webhook_build(events)
        resp = Client().post(f"/api/v1/parcels/webhooks/{sandbox.CODE}", body, content_type="application/json",
                             HTTP_X_CARRIER_SIGNATURE=headers[sandbox.SIGNATURE_HEADER])  # fmt: skip
        assert resp.status_code == 200, resp.content


def test_a_parcel_from_the_counter_to_collection(live_server, live_network, browser):
    net, base = live_network, live_server.url
    clerk = browser.new_context(viewport=PHONE, locale="zh-CN")
    clerk.set_default_timeout(15_000)
    page = clerk.new_page()
    log_in(page, base, "outlet_clerk")
    page.goto(f"{base}/console/parcels/")
    form = {
        "sender_name": "张三", "sender_mobile": "13800138000", "sender_address": "人民路1号",
        "recipient_name": "李四", "recipient_mobile": "13911112222", "recipient_region": "310115",
        "recipient_address": "世纪大道100号", "weight_g": "1500", "length_cm": "30", "width_cm": "20",
        "height_cm": "10",
    }  # fmt: skip
    for name, value in form.items():
        page.fill(f"[data-testid=accept-form] [name={name}]", value)
    page.click("[data-testid=accept-form] button[type=submit]")
    page.wait_for_selector("[data-testid=pay]")
    number = page.url.rstrip("/").rsplit("/", 1)[1]
    parcel = Parcel.objects.get(number=number)
    assert page.inner_text("[data-testid=parcel-total]") == f"¥{parcel.total / 100:.2f}"
    page.click("[data-testid=pay] button[value=cash]")
    page.wait_for_selector("[data-testid=label-link]")
    assert page.inner_text("[data-testid=parcel-state]") == "已收寄"
    page.click("[data-testid=label-link]")
    image = page.wait_for_selector("[data-testid=label-image]")
    page.wait_for_function("() => document.querySelector('[data-testid=label-image]').naturalWidth > 0")
    assert image.bounding_box()["height"] > image.bounding_box()["width"] > 300  # type: ignore[index]
    shot(page, "parcel-label-zh")
    pdf = page.request.get(base + page.get_attribute("[data-testid=label-pdf]", "href"))  # type: ignore[operator]
    assert pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()
    assert "李四" in text and number[2:5] in text

    parcel.refresh_from_db()
    _webhook(number, parcel.paid_at)
    manager = browser.new_context(viewport=PHONE, locale="zh-CN")
    handheld = manager.new_page()
    log_in(handheld, base, "city_manager")
    handheld.goto(f"{base}/console/parcels/scan/")
    handheld.select_option("select[name=outlet]", str(net.b.pk))
    handheld.fill("input[name=number]", number.lower())
    handheld.select_option("select[name=kind]", "arrived")
    handheld.click("form.card button[type=submit]")
    handheld.wait_for_selector("text=已记录")
    parcel.refresh_from_db()
    assert (parcel.state, parcel.hold_outlet_id, len(parcel.pickup_code)) == ("arrived", net.b.pk, 6)

    for lang in ("zh", "en"):
        customer = (
            customer_context(browser)
            if lang == "zh"
            else browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US")
        )
        customer.set_default_timeout(15_000)
        phone = customer.new_page()
        phone.goto(f"{base}/shop/parcels/")
        phone.fill("[data-testid=track-form] input[name=number]", number.lower())
        phone.click("[data-testid=track-form] button[type=submit]")
        phone.wait_for_selector("[data-testid=tracking]")
        timeline = phone.inner_text("[data-testid=track-timeline]")
        assert phone.inner_text("[data-testid=track-recipient]") == "李* 139****2222"
        assert parcel.pickup_code not in phone.content()
        if lang == "zh":
            assert phone.inner_text("[data-testid=track-state]") == "已到达网点"
            assert (
                timeline.index("已到达网点")
                < timeline.index("在途")
                < timeline.index("已发出")
                < timeline.index("已收寄")
            )
        else:
            assert phone.inner_text("[data-testid=track-state]") == "Arrived at the outlet"
        wider = phone.evaluate(WIDER)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], wider
        shot(phone, f"parcel-tracking-{lang}")
        customer.close()

    handheld.goto(f"{base}/console/parcels/collect/?outlet={net.b.pk}&number={number}")
    wrong = "000000" if parcel.pickup_code != "000000" else "111111"
    handheld.fill("input[name=code]", wrong)
    handheld.click("[data-testid=collect-form] button[type=submit]")
    handheld.wait_for_selector("text=取件码不正确")
    assert Parcel.objects.get(pk=parcel.pk).state == "arrived"
    handheld.fill("input[name=code]", parcel.pickup_code)
    handheld.click("[data-testid=collect-form] button[type=submit]")
    handheld.wait_for_selector(f"text={number}")
    assert Parcel.objects.get(pk=parcel.pk).state == "collected"
    shot(handheld, "parcel-collected-zh")
    clerk.close()
    manager.close()
