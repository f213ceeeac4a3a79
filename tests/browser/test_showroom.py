"""A salesperson's showroom in a real browser: share, order through it, commission, return.

The salesperson at outlet A opens the console and copies their share link; a customer opens it
on a phone, orders an air conditioner for pickup at A, paying there; the outlet completes the
order (services: prepare, take payment, hand over); the salesperson sees the order and its
commission on the console; a return reverses the commission and the console shows it.
"""

from decimal import Decimal

import pytest
from tests.browser.conftest import customer_context, log_in, shot

from omnipoint.ledger.checks import ledger_breaches
from omnipoint.orders.models import Order
from omnipoint.orders.services import order_return
from omnipoint.outlets.selectors import actor_get
from omnipoint.showrooms import services
from omnipoint.showrooms.tests.conftest import add_salespeople, complete
from omnipoint.testing import user_of


@pytest.fixture
def customer_phone(browser, live_network):  # type: ignore[no-untyped-def]
    context = customer_context(browser, scale=2)
    yield context.new_page()
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_share_order_commission_and_reversal(desktop, customer_phone, live_network, live_server):
    network, base, phone = live_network, live_server.url, customer_phone
    sales = add_salespeople(network)
    services.commission_rule_create(actor=actor_get(user=user_of("hq_admin")), rate=Decimal("0.1"))

    # The salesperson finds their share link on the console.
    log_in(desktop, base, "sales_a")
    desktop.get_by_role("link", name="我的展厅").click()
    desktop.wait_for_url(f"{base}/console/showroom/")
    link = desktop.get_by_test_id("share-link").input_value()
    assert link.startswith(f"{base}/shop/s/") and link.endswith("/")
    assert desktop.get_by_test_id("share-qr").locator("svg").is_visible()
    desktop.get_by_test_id("copy-link").click()
    assert desktop.get_by_test_id("copy-link").inner_text() == "已复制"
    assert desktop.get_by_test_id("net").inner_text() == "¥0.00"
    shot(desktop, "showroom-01-console-share")

    # The customer opens it on their phone and orders through it.
    phone.goto(link)
    assert "sales_a 王" in phone.get_by_test_id("showroom-salesperson").inner_text()
    assert phone.get_by_test_id("showroom-outlet").inner_text() == network.a.name
    assert phone.get_by_test_id("showroom-qr").locator("svg").is_visible()
    shot(phone, "showroom-02-phone-showroom")
    phone.locator(".card a", has_text="空调").click()
    phone.wait_for_url("**/shop/p/**")
    phone.get_by_role("button", name="加入购物车").click()
    phone.wait_for_url("**/shop/cart/")
    phone.goto(f"{base}/shop/checkout/")
    phone.locator(f"input[name=pickup_outlet_id][value='{network.a.pk}']").check()
    phone.locator("input[name=payment_mode][value=at_outlet]").check()
    phone.fill("input[name=name]", "韩梅梅")
    phone.fill("input[name=mobile]", "13900001111")
    phone.get_by_test_id("place-order").click()
    phone.wait_for_url("**/shop/orders/**")
    number = phone.get_by_test_id("order-number").inner_text()
    order = Order.objects.get(number=number)
    assert (order.channel, order.salesperson_id, order.pickup_outlet_id) == (
        "showroom",
        sales.a.pk,
        network.a.pk,
    )
    shot(phone, "showroom-03-phone-order")

    # The outlet prepares it; the customer pays at the counter and collects it.
    complete(order, clerk_user=user_of("outlet_clerk"))

    desktop.reload()
    row = desktop.locator(f"tr[data-order='{number}']")
    assert row.get_by_test_id("order-commission").inner_text() == "¥9.50"  # 10% of ¥95.00
    assert desktop.get_by_test_id("accrued").inner_text() == "¥9.50"
    assert desktop.get_by_test_id("net").inner_text() == "¥9.50"
    shot(desktop, "showroom-04-console-commission")

    # The customer brings it back: the commission is reversed.
    order_return(
        actor=actor_get(user=user_of("outlet_clerk")),
        order_id=order.pk,
        outlet_id=network.a.pk,
        lines=[(network.skus[0].pk, 1)],
    )
    desktop.reload()
    assert row.get_by_test_id("order-reversed").inner_text() == "−¥9.50"
    assert desktop.get_by_test_id("reversed").inner_text() == "¥9.50"
    assert desktop.get_by_test_id("net").inner_text() == "¥0.00"
    shot(desktop, "showroom-05-console-reversed")
    assert ledger_breaches() == []
