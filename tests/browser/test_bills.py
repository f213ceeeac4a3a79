"""A bill paid in cash at a corner shop shows online, in a real browser at phone width: the
shop's owner takes a customer's electricity bill on the handheld console (the float goes down,
the rebate up, read on the agent's page); the customer signs in to the storefront, finds the
bill in their history, and pays their water bill online in the sandbox gateway. Screenshots in
Chinese, the last page once in English."""

import pytest
from huey.contrib.djhuey import HUEY
from tests.browser.conftest import customer_context, log_in, shot

from omnipoint.billpay.billers import biller_get
from omnipoint.billpay.models import BillPayment
from omnipoint.billpay.tests.conftest import build_bills
from omnipoint.core.money import Money
from omnipoint.ledger.checks import ledger_breaches

MOBILE = "13700000002"
POWER, WATER = "sbx-sh-electricity", "sbx-sh-water"


@pytest.fixture
def huey_immediate():
    """The gateway's notification and the biller's callback run at once (after commit), as
    the running demo's queue worker would a moment later."""
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


def agent_figures(page, base, outlet_id):  # type: ignore[no-untyped-def]
    page.goto(f"{base}/console/bills/agent/?outlet={outlet_id}")
    return page.get_by_test_id("float").inner_text(), page.get_by_test_id("rebate").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_cash_at_a_corner_shop_shows_online_and_the_water_bill_is_paid_by_the_gateway(
    phone, browser, live_network, live_server, settings, huey_immediate
):
    base = live_server.url
    settings.SITE_URL = base  # the gateway's page and the biller's callbacks reach this server
    settings.DEMO_MODE = True  # the sign-in code is shown on screen
    settings.SANDBOX_BILLER_AUTOCONFIRM, settings.SANDBOX_BILLER_FAULTS = True, {}
    bills = build_bills(live_network)
    power, water = biller_get(POWER), biller_get(WATER)
    account = power.account(0)
    amount = power.lookup(account).amount

    # The shop's owner, on the handheld: the float and rebate before, then the bill in cash.
    page = phone
    page.context.set_default_timeout(30_000)  # a shared machine: the live server is slow to answer
    log_in(page, base, "agent_clerk")
    float_before, rebate_before = agent_figures(page, base, bills.agent.pk)
    assert (float_before, rebate_before) == ("¥10000.00", "¥0.00")
    page.goto(f"{base}/console/bills/?outlet={bills.agent.pk}")
    page.select_option("select[name=biller]", POWER)
    page.fill("input[name=account]", account)
    page.get_by_role("button", name="查询账单").click()
    assert Money(amount).__str__() in page.locator("section.card").inner_text()
    page.fill("input[name=mobile]", MOBILE)
    shot(page, "bills-01-counter-phone")
    page.get_by_role("button", name=f"已收现金：缴费 {Money(amount)}").click()
    page.wait_for_url("**/console/bills/B*/")
    shot(page, "bills-02-receipt-phone")
    paid = BillPayment.objects.get()
    assert (paid.state, paid.outlet_id, paid.member.mobile) == ("paid", bills.agent.pk, MOBILE)
    float_after, rebate_after = agent_figures(page, base, bills.agent.pk)
    assert float_after == str(Money(10_000_00 - amount)) and rebate_after == str(Money(paid.rebate))
    assert paid.rebate > 0
    shot(page, "bills-03-agent-phone")

    # The customer, on their own phone: signs in, sees the shop's bill, pays water online.
    context = customer_context(browser)
    context.set_default_timeout(30_000)
    shop = context.new_page()
    shop.goto(f"{base}/shop/member/login/")
    shop.fill("input[name=mobile]", MOBILE)
    shop.get_by_test_id("get-code").click()
    shop.fill("input[name=code]", shop.get_by_test_id("demo-code").locator("strong").inner_text())
    shop.get_by_test_id("sign-in").click()
    shop.wait_for_url("**/shop/member/")
    shop.goto(f"{base}/shop/bills/")
    cash = shop.get_by_test_id("bill-electricity")
    assert "便民小卖部" in cash.inner_text() and cash.get_attribute("data-state") == "paid"
    shot(shop, "bills-04-history-phone")
    water_account = water.account(0)
    shop.select_option("select[name=biller]", WATER)
    shop.fill("input[name=account]", water_account)
    shop.get_by_role("button", name="查询账单").first.click()
    shop.get_by_test_id("pay-online").click()
    shop.wait_for_url("**/sandbox/pay/**")
    shot(shop, "bills-05-gateway-phone")
    shop.get_by_role("button", name="确认支付").click()
    shop.get_by_role("link", name="返回商户").click()
    shop.wait_for_url("**/shop/bills/?done=*")
    online = shop.get_by_test_id("bill-water")
    assert online.get_attribute("data-state") == "paid"
    shot(shop, "bills-06-paid-online-phone")
    shop.locator("button[name=language][value=en]").click()
    shop.wait_for_url("**/shop/bills/**")
    assert "Bill history" in shop.content()
    shot(shop, "bills-06-paid-online-phone-en")
    context.close()

    water_paid = BillPayment.objects.get(biller=WATER)
    assert (water_paid.mode, water_paid.state, water_paid.member_id) == (
        "member_online",
        "paid",
        paid.member_id,
    )
    assert ledger_breaches() == []
