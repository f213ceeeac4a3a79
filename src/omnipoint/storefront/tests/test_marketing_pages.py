"""Coupons, promotions and games on the storefront, through the Django test client: the coupon
centre and its refusals, my coupons, checkout with coupons (preview, placing, refusals that
change nothing), the lucky wheel's attempts and prize stock, and promotion badges."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from omnipoint.core.models import IdempotencyRecord
from omnipoint.inventory.models import StockLevel
from omnipoint.loyalty.models import Tier
from omnipoint.loyalty.selectors import points_balance
from omnipoint.marketing import services as marketing
from omnipoint.marketing.models import Coupon, CouponTemplate, Game, GameAttempt, GamePlayer, Prize
from omnipoint.members.services import member_get_or_create, member_user_ensure
from omnipoint.orders.models import Order
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db

MOBILE = "13700000001"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "http://testserver"


def hq():
    return actor_get(user=user_of("hq_admin"))


def window(days: int = 30) -> dict[str, object]:
    now = timezone.now()
    return {"starts_at": now - timedelta(days=1), "ends_at": now + timedelta(days=days)}


def template(code: str = "save20", **kw) -> CouponTemplate:
    args = {
        "code": code,
        "name": "满200减20",
        "kind": "threshold",
        "value": 20_00,
        "threshold": 200_00,
    } | window()
    return marketing.coupon_template_create(actor=hq(), **(args | kw))


def appliances_promotion(network, **kw):
    args = {
        "name": "家电9折",
        "kind": "discount",
        "percent_off": Decimal("10"),
        "category_ids": [network.skus[0].product.category_id],
    } | window()
    return marketing.promotion_create(actor=hq(), **(args | kw))


def member(mobile: str = MOBILE, name: str = "李雷"):
    return member_user_ensure(
        actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile=mobile, name=name)
    )


@pytest.fixture
def signed_in(client, network):
    m = member()
    client.force_login(m.user)
    return m


def text(response) -> str:
    return response.content.decode()


def token_of(response) -> str:
    match = re.search(rb'name="token" value="([^"]+)"', response.content)
    assert match
    return match.group(1).decode()


def stock_snapshot():
    return sorted(StockLevel.objects.values_list("location_id", "sku_id", "on_hand", "reserved"))


def fill_cart(client, network, *items):
    for index, quantity in items:
        r = client.post("/shop/cart/add/", {"sku_id": network.skus[index].pk, "quantity": str(quantity)})
        assert r.status_code == 302


def checkout_form(client, network, **form):
    page = client.get("/shop/checkout/")
    assert page.status_code == 200
    return page, {
        "token": token_of(page),
        "name": "李雷",
        "mobile": MOBILE,
        "method": "pickup",
        "payment_mode": "at_outlet",
        "pickup_outlet_id": str(network.a.pk),
    } | form


# --- the coupon centre ------------------------------------------------------------------------


def test_coupon_centre_shows_terms_and_a_member_claims_once(client, network):
    template("save20", claim_limit=1, budget_count=100)
    template("staff-only-x", claimable=False)
    page = client.get("/shop/coupons/")
    assert page.status_code == 200
    body = text(page)
    assert "满200减20" in body and "适用商品满¥200减¥20。" in body and "全场通用。" in body
    assert "每位会员限领 1 张。" in body and "剩余 100 张。" in body
    assert "template-staff-only-x" not in body and "template-save20" in body  # not claimable

    refused = client.post("/shop/coupons/claim/", {"template_code": "save20"})  # not signed in
    assert refused.status_code == 403 and "请先登录会员。" in text(refused)
    assert not Coupon.objects.exists()

    m = member()
    client.force_login(m.user)
    done = client.post("/shop/coupons/claim/", {"template_code": "save20"})
    assert done.status_code == 302
    coupon = Coupon.objects.get()
    assert (coupon.member_id, coupon.state, coupon.source) == (m.pk, "issued", "claim")
    after = text(client.get("/shop/coupons/"))
    assert "已领取「满200减20」" in after and "已领取" in after

    again = client.post("/shop/coupons/claim/", {"template_code": "save20"})
    assert again.status_code == 409 and "每位会员限领 1 张" in text(again)
    assert Coupon.objects.count() == 1
    assert CouponTemplate.objects.get(code="save20").issued_count == 1


def test_a_tier_limited_coupon_names_its_tiers_not_their_codes(client, network):
    Tier.objects.create(code="gold", name="金卡", min_spend=10_000_00)
    template("gold-only", member_tiers=["gold"])
    body = text(client.get("/shop/coupons/"))
    assert "仅限会员等级：金卡。" in body and "gold" not in body.replace("gold-only", "")


def test_claim_refused_when_the_budget_is_gone(client, network):
    template("last", budget_count=1, claim_limit=5)
    marketing.coupon_claim(actor=SYSTEM, member=member("13900000009", "韩梅梅"), template_code="last")
    m = member()
    client.force_login(m.user)
    assert "已领完" in text(client.get("/shop/coupons/"))
    refused = client.post("/shop/coupons/claim/", {"template_code": "last"})
    assert refused.status_code == 409 and "此券已领完。" in text(refused)
    assert not Coupon.objects.filter(member=m).exists()
    unknown = client.post("/shop/coupons/claim/", {"template_code": "no-such"})
    assert unknown.status_code == 404 and "此券已停止发放。" in text(unknown)


def test_my_coupons_by_state(client, network, signed_in):
    t = template("mine", claim_limit=3)
    issued, used, expired = (
        marketing.coupon_claim(actor=SYSTEM, member=signed_in, template_code="mine") for _ in range(3)
    )
    Coupon.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    fill_cart(client, network, (1, 1))  # 200 yuan
    _page, form = checkout_form(client, network, coupon=used.code)
    assert client.post("/shop/checkout/", form).status_code == 302

    page = client.get("/shop/member/coupons/")
    body = text(page)
    assert page.status_code == 200 and issued.code in body and used.code not in body
    assert "未使用 (1)" in body and "已使用 (1)" in body and "已过期 (1)" in body
    assert used.code in text(client.get("/shop/member/coupons/", {"tab": "used"}))
    assert expired.code in text(client.get("/shop/member/coupons/", {"tab": "expired"}))
    assert t.name in body
    assert client.get("/shop/member/").status_code == 200  # the member centre links here
    client.logout()
    assert client.get("/shop/member/coupons/").status_code == 302  # to the sign-in page


# --- checkout -------------------------------------------------------------------------------


def test_checkout_with_a_coupon_previews_the_discount_and_the_lines_carry_it(client, network, signed_in):
    appliances_promotion(network)
    coupon = marketing.coupon_claim(actor=SYSTEM, member=signed_in, template_code=template("save20").code)
    fill_cart(client, network, (1, 1), (2, 1))  # AC 2P 200 yuan, cable 300 yuan (national prices)

    page, form = checkout_form(client, network)
    body = text(page)
    assert f'value="{coupon.code}"' in body  # the member's coupon to pick
    assert "促销「家电9折」：-¥20.00" in body  # the promotion applies by itself
    assert "¥480.00" in body

    preview = client.post("/shop/checkout/", form | {"coupon": coupon.code, "action": "preview"})
    assert preview.status_code == 200
    body = text(preview)
    assert f"优惠券「满200减20」（{coupon.code}）" in body
    assert "¥460.00" in body  # 500 - 20 (promotion) - 20 (coupon)
    assert not Order.objects.exists()  # a preview places nothing
    assert Coupon.objects.get(pk=coupon.pk).state == "issued"

    placed = client.post("/shop/checkout/", form | {"token": token_of(preview), "coupon": coupon.code})
    assert placed.status_code == 302
    order = Order.objects.get()
    assert order.total == 460_00
    lines = {ln.sku_id: ln for ln in order.lines.all()}
    ac, cable = lines[network.skus[1].pk], lines[network.skus[2].pk]
    assert {
        "kind": "promotion",
        "params": {"promotion": "家电9折", "discount_fen": 20_00},
    } in ac.price_explanation
    assert any(e["kind"] == "coupon" and e["params"]["coupon"] == coupon.code for e in ac.price_explanation)
    assert any(
        e["kind"] == "coupon" and e["params"]["coupon"] == coupon.code for e in cable.price_explanation
    )
    assert ac.discount + cable.discount == 40_00
    held = Coupon.objects.get(pk=coupon.pk)
    assert (held.state, held.order_id, held.discount) == ("held", order.pk, 20_00)

    shown = text(client.get(f"/shop/orders/{order.number}/"))
    assert "¥460.00" in shown and f"（{coupon.code}）" in shown and "促销「家电9折」" in shown


def test_a_typed_code_works_and_bad_coupons_are_refused_changing_nothing(client, network, signed_in):
    cat = network.skus[0].product.category_id
    only_appliances = marketing.coupon_claim(
        actor=SYSTEM, member=signed_in, template_code=template("ac-only", category_ids=[cat]).code
    )
    late = marketing.coupon_claim(actor=SYSTEM, member=signed_in, template_code=template("late").code)
    Coupon.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    stranger = marketing.coupon_claim(
        actor=SYSTEM, member=member("13900000009", "韩梅梅"), template_code=template("x").code
    )
    fill_cart(client, network, (2, 1))  # only a cable: 300 yuan

    page, form = checkout_form(client, network)
    assert re.search(r"本单不可用：\s*本单没有适用的商品", text(page))  # the hint beside the coupon

    def refused(code: str, status: int, words: str) -> None:
        before = (
            stock_snapshot(),
            sorted(Coupon.objects.values_list("pk", "state", "order_id")),
            IdempotencyRecord.objects.count(),
        )
        token = token_of(client.get("/shop/checkout/"))
        r = client.post("/shop/checkout/", form | {"token": token, "coupon_code": code.lower()})
        assert r.status_code == status, text(r)[:300]
        assert words in text(r)
        assert not Order.objects.exists()
        after = (
            stock_snapshot(),
            sorted(Coupon.objects.values_list("pk", "state", "order_id")),
            IdempotencyRecord.objects.count(),
        )
        assert after == before

    refused(only_appliances.code, 422, f"优惠券 {only_appliances.code} 不能用于本单：本单没有适用的商品")
    refused(late.code, 422, f"优惠券 {late.code} 已过期")
    refused(stranger.code, 404, f"优惠券 {stranger.code} 不是您的优惠券")

    # Used on one order, the same coupon is refused on the next.
    ok = marketing.coupon_claim(actor=SYSTEM, member=signed_in, template_code=template("ok").code)
    token = token_of(client.get("/shop/checkout/"))
    assert client.post("/shop/checkout/", form | {"token": token, "coupon_code": ok.code}).status_code == 302
    assert Order.objects.get().total == 280_00
    fill_cart(client, network, (2, 1))
    before = stock_snapshot()
    token = token_of(client.get("/shop/checkout/"))
    r = client.post("/shop/checkout/", form | {"token": token, "coupon_code": ok.code})
    assert r.status_code == 409 and f"优惠券 {ok.code} 已用于其他订单" in text(r)
    assert Order.objects.count() == 1 and stock_snapshot() == before


# --- games ----------------------------------------------------------------------------------


def wheel(*prizes: marketing.PrizeSpec, attempts: int = 3, no_prize_weight: int = 0) -> Game:
    return marketing.game_create(
        actor=hq(),
        name="幸运大转盘",
        kind="lucky_wheel",
        prizes=list(prizes),
        attempts_per_member=attempts,
        no_prize_weight=no_prize_weight,
        **window(),
    )


def test_playing_counts_attempts_and_never_awards_beyond_stock(client, network):
    prize_tpl = template("wheel10", claimable=False, value=10_00, threshold=100_00, name="满100减10")
    game = wheel(marketing.PrizeSpec("满100减10券", "coupon", 1, 1, coupon_template_id=prize_tpl.pk))
    url = f"/shop/games/{game.pk}/"

    page = client.get(url)
    assert page.status_code == 200 and "登录后参与" in text(page)
    assert client.post(f"{url}play/").status_code == 403  # not signed in
    assert not GameAttempt.objects.exists()

    m = member()
    client.force_login(m.user)
    assert "剩余 3 次机会" in text(client.get(url))
    results = []
    for left in (2, 1, 0):
        r = client.post(f"{url}play/")
        assert r.status_code == 302
        shown = client.get(r["Location"])
        assert f"剩余 {left} 次机会" in text(shown)
        results.append(text(shown))
    assert "恭喜获得「满100减10券」" in results[0] and "--turn:" in results[0]
    assert "这次没有中奖" in results[1] and "这次没有中奖" in results[2]  # its only one is gone

    r = client.post(f"{url}play/")
    assert r.status_code == 409 and "您的抽奖次数已用完。" in text(r)
    assert GamePlayer.objects.get(game=game, member=m).attempts == 3
    assert GameAttempt.objects.filter(game=game).count() == 3
    assert Prize.objects.get(game=game).remaining == 0
    assert Game.objects.get(pk=game.pk).awarded_count == 1
    won = Coupon.objects.get(member=m)
    assert won.source == "game" and won.code in text(client.get("/shop/member/coupons/"))


def test_a_points_prize_goes_to_the_members_points(client, network, signed_in):
    game = wheel(marketing.PrizeSpec("500积分", "points", 1, 10, points=500), attempts=1)
    r = client.post(f"/shop/games/{game.pk}/play/")
    assert "恭喜获得 500 积分，已存入您的积分。" in text(client.get(r["Location"]))
    assert points_balance(member=signed_in) == 500
    other = client.get(f"/shop/games/{game.pk}/", {"attempt": "999999"})  # not an attempt of theirs
    assert other.status_code == 200 and "恭喜" not in text(other)
    assert client.get("/shop/games/").status_code == 200
    assert client.get("/shop/games/999999/").status_code == 404


# --- promotion badges -------------------------------------------------------------------------


def test_promotion_badges_on_cards_product_page_and_nearby_offers(client, network):
    appliances_promotion(network)
    marketing.promotion_create(
        actor=hq(),
        name="家电满200减30",
        kind="threshold",
        threshold=200_00,
        amount_off=30_00,
        category_ids=[network.skus[0].product.category_id],
        **window(),
    )
    ac, cable = network.skus[0].product, network.skus[2].product
    home = text(client.get("/shop/"))
    assert "9折" in home and "满200减30" in home

    product = text(client.get(f"/shop/p/{ac.pk}/"))
    assert 'data-testid="product-promotions"' in product and "满200减30" in product and "家电9折" in product
    assert 'data-testid="product-promotions"' not in text(client.get(f"/shop/p/{cable.pk}/"))

    nearby = text(client.get("/shop/nearby/"))  # outlet A is within 1 km of 黄浦区's centre
    assert 'data-testid="outlet-promotions"' in nearby and "9折 · 家电9折" in nearby


def test_in_english_when_chosen(client, network, signed_in):
    template("save20", kind="percentage", percent_off=Decimal("15"), max_discount=30_00, value=0, threshold=0)
    client.post("/i18n/setlang/", {"language": "en", "next": "/shop/coupons/"})
    body = text(client.get("/shop/coupons/"))
    assert "15% off" in body and "At most ¥30 off." in body and "Up to 1 per member." in body
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/shop/coupons/"})
    assert "8.5折" in text(client.get("/shop/coupons/"))
