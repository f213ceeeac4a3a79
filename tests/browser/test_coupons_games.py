"""Coupons and the lucky wheel in a real browser, on a phone: a member signs in (mobile and the
demo code shown on screen), claims 满200减20 in the coupon centre, spins the wheel and wins a
coupon, then checks out an air conditioner and a cable with the claimed coupon: the summary
shows the promotion and the coupon line by line before placing, and the order page shows the
discount the order's lines carry."""

import re

import pytest
from tests.browser.conftest import shot
from tests.browser.offers import appliances_off, hq, threshold_coupon, window

from omnipoint.marketing import services as marketing
from omnipoint.marketing.models import Coupon, GamePlayer
from omnipoint.members.services import member_get_or_create, member_user_ensure
from omnipoint.orders.models import Order
from omnipoint.outlets.domain import SYSTEM

MOBILE = "13700000001"


def offers(network):  # type: ignore[no-untyped-def]
    appliances_off(network)
    threshold_coupon(
        code="welcome-200-20", name="新人券 满200减20", value=20_00, threshold=200_00, budget_count=1000
    )
    prize = threshold_coupon(
        code="wheel-100-10", name="转盘券 满100减10", value=10_00, threshold=100_00, claimable=False
    )
    return marketing.game_create(
        actor=hq(),
        name="幸运大转盘",
        kind="lucky_wheel",
        attempts_per_member=3,
        prizes=[
            marketing.PrizeSpec("满100减10券", "coupon", 1, 50, coupon_template_id=prize.pk),
            marketing.PrizeSpec("年度邮票册", "item", 0, 5),
        ],
        **window(),
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_claim_spin_and_check_out_with_a_coupon(phone, live_network, live_server, demo_mode):
    page, net, base = phone, live_network, live_server.url
    game = offers(net)
    member = member_user_ensure(
        actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile=MOBILE, name="李雷")
    )

    page.goto(f"{base}/shop/member/login/")
    page.fill("input[name=mobile]", MOBILE)
    page.get_by_test_id("get-code").click()
    code = page.get_by_test_id("demo-code").locator("strong").inner_text()
    page.fill("input[name=code]", code)
    page.get_by_test_id("sign-in").click()
    page.wait_for_url("**/shop/member/")

    # The coupon centre, from the footer: the conditions in plain words, then claim.
    page.get_by_test_id("coupon-centre-link").click()
    page.wait_for_url("**/shop/coupons/")
    card = page.get_by_test_id("template-welcome-200-20")
    assert "满200减20" in card.inner_text() and "适用商品满¥200减¥20。" in card.inner_text()
    page.get_by_test_id("claim-welcome-200-20").click()
    page.wait_for_url("**/shop/coupons/")
    assert "已领取「新人券 满200减20」" in page.locator(".messages").inner_text()
    assert "已领取" in page.get_by_test_id("template-welcome-200-20").inner_text()
    shot(page, "coupons-01-claimed")
    claimed = Coupon.objects.get(member=member, source="claim")

    # The lucky wheel: three attempts, one spin wins the coupon prize (the only one drawable).
    page.goto(f"{base}/shop/games/{game.pk}/")
    assert page.get_by_test_id("attempts-left").inner_text() == "剩余 3 次机会"
    page.get_by_test_id("play").click()
    page.wait_for_url(re.compile(r".*/shop/games/\d+/\?attempt=\d+$"))
    result = page.get_by_test_id("game-result")
    result.wait_for()
    assert "恭喜获得「满100减10券」" in result.inner_text()
    assert page.get_by_test_id("attempts-left").inner_text() == "剩余 2 次机会"
    page.wait_for_function("document.getAnimations().every(a => a.playState === 'finished')")  # stopped
    shot(page, "coupons-02-wheel-won")
    assert GamePlayer.objects.get(game=game, member=member).attempts == 1
    won = Coupon.objects.get(member=member, source="game")

    page.get_by_test_id("result-my-coupons").click()
    page.wait_for_url("**/shop/member/coupons/")
    mine = page.get_by_test_id("my-coupons").inner_text()
    assert claimed.code in mine and won.code in mine

    # An air conditioner (2匹, ¥200) and a cable (¥300) for pickup at outlet A.
    for sku in (net.skus[1], net.skus[2]):
        page.goto(f"{base}/shop/p/{sku.product_id}/?sku={sku.pk}")
        page.locator("form.buy button[type=submit]").click()
        page.wait_for_url("**/shop/cart/")
    page.goto(f"{base}/shop/checkout/")
    summary = page.get_by_test_id("order-summary")
    assert "促销「家电9折」：-¥20.00" in summary.inner_text()
    assert page.get_by_test_id("checkout-total").inner_text() == "¥480.00"

    page.get_by_test_id(f"coupon-{claimed.code}").check()
    page.get_by_test_id("apply-coupons").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("checkout-total").inner_text() == "¥460.00"
    applied = page.get_by_test_id("coupon-applied").inner_text()
    assert claimed.code in applied and "-¥20.00" in applied
    assert f"（{claimed.code}）" in summary.inner_text()  # spread over the lines it covers
    assert not Order.objects.exists()
    shot(page, "coupons-03-checkout-preview")

    page.locator("input[name=payment_mode][value=at_outlet]").check()
    page.get_by_test_id("place-order").click()
    page.wait_for_url("**/shop/orders/**")
    order = Order.objects.get()
    assert order.total == 460_00 and order.member_id == member.pk
    assert page.get_by_test_id("order-number").inner_text() == order.number
    shown = page.locator("ul.summary").inner_text()
    assert f"优惠券「新人券 满200减20」（{claimed.code}）" in shown and "促销「家电9折」" in shown
    assert "¥460.00" in page.locator(".sum").inner_text()
    shot(page, "coupons-04-order-with-discount")

    for line in order.lines.all():
        assert any(e["params"].get("coupon") == claimed.code for e in line.price_explanation)
    claimed.refresh_from_db()
    assert (claimed.state, claimed.order_id) == ("held", order.pk)
