"""Every console table fits a 360 px handheld: nothing is cut off behind a sideways scroll."""

import pytest
from tests.browser.conftest import log_in, shot

from omnipoint.inventory.services import count_open, transfer_create
from omnipoint.members.selectors import actor_for_user
from omnipoint.members.services import member_get_or_create
from omnipoint.orders.services import LineRequest, order_place
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.services import payment_capture
from omnipoint.testing import user_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NARROW = {"width": 360, "height": 780}

# Each table's width beyond the box it sits in (0 when it fits), by page.
OVERFLOW = """() => [...document.querySelectorAll('table')].map(t => {
  const box = t.parentElement.getBoundingClientRect().width;
  return [t.className || t.parentElement.className, Math.round(t.scrollWidth - box)];
}).filter(([, over]) => over > 1)"""


def test_every_console_table_fits_360_px(live_server, live_network, browser):
    net, base = live_network, live_server.url
    clerk = actor_get(user=user_of("outlet_clerk"))
    member = member_get_or_create(actor=SYSTEM, mobile="13700000001", name="李雷")
    sale = order_place(
        actor=actor_for_user(user=user_of("outlet_clerk")), channel="pos", method="counter", payment_mode="counter",
        origin_outlet_id=net.a.pk, mobile=member.mobile,
        lines=[LineRequest(net.skus[0].pk, 1), LineRequest(net.skus[2].pk, 2)],
    )  # fmt: skip
    payment_capture(actor=clerk, order_id=sale.pk, method="cash")
    transfer = transfer_create(
        actor=actor_get(user=user_of("outlet_manager")), source_id=net.a.pk, destination_id=net.b.pk,
        lines=[(net.skus[2].pk, 2)],
    )  # fmt: skip
    count = count_open(actor=SYSTEM, location_id=net.a.pk)

    context = browser.new_context(viewport=NARROW, locale="zh-CN")
    page = context.new_page()
    pages = {
        "outlet_manager": [
            "/console/",
            f"/console/stock/?q={net.skus[2].code}",
            "/console/transfers/",
            f"/console/transfers/{transfer.pk}/",
            "/console/counts/",
            f"/console/counts/{count.pk}/",
            "/console/orders/",
            f"/console/orders/{sale.pk}/",
            f"/console/pos/{sale.pk}/receipt/",
            f"/console/returns/{sale.number}/",
        ],
        "city_manager": [f"/console/members/{member.pk}/", "/console/showroom/"],
    }
    cut = {}
    for persona, urls in pages.items():
        log_in(page, base, persona)
        for url in urls:
            page.goto(base + url)
            over = page.evaluate(OVERFLOW)
            if over:
                cut[url] = over
        context.clear_cookies()
    log_in(page, base, "outlet_clerk")  # the counter's basket and a sale to pay
    page.goto(f"{base}/console/pos/")
    for sku, qty in ((net.skus[2], "12"), (net.skus[0], "3")):
        page.fill("input[name=q]", sku.code)
        page.fill("input[name=qty]", qty)
        page.press("input[name=q]", "Enter")
    cut["/console/pos/"] = page.evaluate(OVERFLOW) or None
    shot(page, "narrow-basket-360")
    page.fill(f"input[aria-label='数量 {net.skus[2].code}']", "1")
    page.press(f"input[aria-label='数量 {net.skus[2].code}']", "Enter")
    page.fill("input[name=customer]", member.card_code)
    page.click("form.checkout button[type=submit]")
    page.wait_for_url("**/console/pos/*/")
    cut["/console/pos/<sale>/"] = page.evaluate(OVERFLOW) or None
    shot(page, "narrow-pay-360")
    page.goto(f"{base}/console/orders/")
    shot(page, "narrow-orders-360")
    context.close()
    assert {url: over for url, over in cut.items() if over} == {}
