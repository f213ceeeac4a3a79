"""The explanations of a price, a promotion, a coupon and a routing decision, in a real
browser, in Chinese and then in English: one order's stored reasons (data, not sentences)
read naturally in each language on the console's order page, and a SKU's price reasons on
the storefront's product page. Screenshots: test-results/explain-*.png."""

import pytest
from tests.browser.conftest import log_in, shot
from tests.browser.offers import appliances_off, threshold_coupon

from omnipoint.marketing import services as marketing
from omnipoint.members.selectors import actor_for_user
from omnipoint.members.services import member_get_or_create, member_user_ensure
from omnipoint.orders import services as orders
from omnipoint.outlets.domain import SYSTEM

pytestmark = pytest.mark.browser


def _order(network):  # type: ignore[no-untyped-def]
    """A member's pickup at outlet b of an air conditioner and a cable, 10% off appliances and
    a 满200减20 coupon: the cable is short at b, so it comes by transfer."""
    appliances_off(network)
    threshold_coupon(code="save-200-20", name="满200减20", value=20_00, threshold=200_00)
    member = member_user_ensure(
        actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile="13700000002", name="韩梅梅")
    )
    coupon = marketing.coupon_claim(actor=SYSTEM, member=member, template_code="save-200-20")
    return orders.order_place(
        actor=actor_for_user(user=member.user),
        channel="web",
        method="pickup",
        pickup_outlet_id=network.b.pk,
        payment_mode="at_outlet",
        lines=[orders.LineRequest(network.skus[0].pk, 1), orders.LineRequest(network.skus[2].pk, 1)],
        coupon_codes=[coupon.code],
    )


def _in(page, live_server, language: str) -> None:  # type: ignore[no-untyped-def]
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])


def test_an_orders_explanations_read_in_chinese_and_in_english(live_server, live_network, desktop):
    order = _order(live_network)
    page = desktop
    log_in(page, live_server.url, "hq_admin")
    page.goto(f"{live_server.url}/console/orders/{order.pk}/")
    explained = page.locator("ul.explain").all_inner_texts()
    reasons = page.locator("ul.reasons").inner_text()
    shown = "\n".join(explained)
    assert "价目表「" in shown and "各渠道同价" in shown
    assert "促销「家电9折」：-¥" in shown and "优惠券「满200减20」（" in shown
    assert "为自提留货" in reasons or "调拨" in reasons
    assert "price list" not in shown and "line(s)" not in reasons
    shot(page, "explain-01-console-order-zh")

    _in(page, live_server, "en")
    page.goto(f"{live_server.url}/console/orders/{order.pk}/")
    shown = "\n".join(page.locator("ul.explain").all_inner_texts())
    reasons = page.locator("ul.reasons").inner_text()
    assert "price list “" in shown and "the same price on every channel" in shown
    assert "Promotion “家电9折”: -¥" in shown and "Coupon “满200减20” (" in shown
    assert "for pickup" in reasons or "transfer" in reasons
    shot(page, "explain-02-console-order-en")


def test_a_price_explains_itself_on_the_storefront_in_both_languages(live_server, live_network, phone):
    product = live_network.skus[0].product
    page = phone
    page.goto(f"{live_server.url}/shop/p/{product.pk}/")
    page.locator("details.explain summary").click()
    reasons = page.get_by_test_id("price-reasons").inner_text()
    assert "价目表「" in reasons and "各渠道同价" in reasons
    shot(page, "explain-03-shop-price-zh")

    _in(page, live_server, "en")
    page.goto(f"{live_server.url}/shop/p/{product.pk}/")
    page.locator("details.explain summary").click()
    reasons = page.get_by_test_id("price-reasons").inner_text()
    assert "price list “" in reasons and "the same price on every channel" in reasons
    shot(page, "explain-04-shop-price-en")
