"""Promotions and coupons at checkout, through the orders API: the explanation on the lines,
coupons held, redeemed and released with their order, and bad coupons refused unchanged."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from omnipoint.core.explain import render
from omnipoint.inventory.models import StockLevel
from omnipoint.loyalty.models import Tier
from omnipoint.marketing.models import Coupon, CouponTemplate
from omnipoint.marketing.services import coupon_claim
from omnipoint.orders.models import Order, OrderLine
from omnipoint.orders.services import order_cancel, order_return
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.services import payment_capture
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db
P = "/api/v1/marketing/promotions"
T = "/api/v1/marketing/coupon-templates"


def tpl(api, network, window, **body):  # type: ignore[no-untyped-def]
    body = {
        "code": "save20",
        "name": "满200减20",
        "kind": "threshold",
        "value": 20_00,
        "threshold": 200_00,
    } | body
    r = api.post(T, window | body, network.auth("hq_admin"))
    assert r.status_code == 201, r.json()
    return CouponTemplate.objects.get(pk=r.json()["id"])


def appliances_10pct(api, network, window, **body):  # type: ignore[no-untyped-def]
    cat = network.skus[0].product.category_id
    body = {"name": "家电9折", "kind": "discount", "percent_off": "10", "category_ids": [cat]} | body
    r = api.post(P, window | body, network.auth("hq_admin"))
    assert r.status_code == 201, r.json()
    return r.json()


def place(api, network, customer, *codes, channel="web", **body):  # type: ignore[no-untyped-def]
    body = {
        "channel": channel,
        "method": "pickup",
        "payment_mode": "online",
        "pickup_outlet_id": network.a.pk,
        "lines": [
            {"sku_id": network.skus[1].pk, "quantity": 1},
            {"sku_id": network.skus[2].pk, "quantity": 1},
        ],
        "coupon_codes": list(codes),
    } | body
    return api.post("/api/v1/orders", body, customer["auth"])


def snapshot():  # type: ignore[no-untyped-def]
    return (
        Order.objects.count(),
        list(Coupon.objects.order_by("pk").values_list("state", "order_id", "discount")),
        list(CouponTemplate.objects.order_by("pk").values_list("issued_count", "discount_committed")),
        list(StockLevel.objects.order_by("pk").values_list("reserved", flat=True)),
    )


def test_order_with_a_promotion_and_a_coupon_explains_each_line(api, network, customer, window):
    appliances_10pct(api, network, window)
    coupon = coupon_claim(
        actor=SYSTEM, member=customer["member"], template_code=tpl(api, network, window).code
    )
    r = place(api, network, customer, coupon.code.lower())
    assert r.status_code == 201, r.json()
    order = r.json()
    ac, cable = order["lines"]  # 200.00 appliance, 300.00 cable
    # 10% off the appliance (20.00); then 满200减20 over 180 + 300, in proportion: 7.50 and 12.50
    assert (ac["discount"], ac["amount"]) == (27_50, 172_50)
    assert (cable["discount"], cable["amount"]) == (12_50, 287_50)
    assert order["total"] == 460_00 == ac["amount"] + cable["amount"]
    first = ac["price_explanation"][0]
    assert (first["kind"], first["params"]) == ("price_list_network", {"price_list": "全国价"})
    assert [e["text"] for e in ac["price_explanation"][-2:]] == [
        "促销「家电9折」：-¥20.00",
        f"优惠券「满200减20」（{coupon.code}）：-¥7.50",
    ]
    assert cable["price_explanation"][-1] == {
        "kind": "coupon",
        "params": {"coupon": coupon.code, "name": "满200减20", "discount_fen": 12_50},
        "text": f"优惠券「满200减20」（{coupon.code}）：-¥12.50",
    }
    coupon.refresh_from_db()
    assert (coupon.state, coupon.order_id, coupon.discount) == ("held", order["id"], 20_00)
    detail = api.get(f"/api/v1/orders/{order['id']}", network.auth("hq_admin")).json()
    assert detail["events"][0]["data"]["coupons"] == {coupon.code: 20_00}

    order_cancel(actor=SYSTEM, order_id=order["id"], reason="changed my mind")
    coupon.refresh_from_db()
    assert (coupon.state, coupon.order_id, coupon.discount) == ("issued", None, 0)
    again = place(api, network, customer, coupon.code)  # released: usable again
    assert again.status_code == 201 and again.json()["total"] == 460_00


def test_a_channel_promotion_breaks_same_price_only_on_its_channel(api, network, customer, window):
    appliances_10pct(api, network, window, channel="app")
    web = place(api, network, customer).json()
    app = place(api, network, customer, channel="app").json()
    assert web["total"] == 500_00 and app["total"] == 480_00
    promotion = {"kind": "promotion", "params": {"promotion": "家电9折", "discount_fen": 20_00}}
    assert promotion in [
        {"kind": e["kind"], "params": e["params"]} for e in app["lines"][0]["price_explanation"]
    ]


def test_bad_coupons_are_refused_and_change_nothing(api, network, customer, other_customer, window):
    ok = coupon_claim(actor=SYSTEM, member=customer["member"], template_code=tpl(api, network, window).code)
    app_only = coupon_claim(
        actor=SYSTEM,
        member=customer["member"],
        template_code=tpl(api, network, window, code="app5", channels=["app"]).code,
    )
    theirs = coupon_claim(actor=SYSTEM, member=other_customer["member"], template_code="save20")
    late = coupon_claim(
        actor=SYSTEM, member=customer["member"], template_code=tpl(api, network, window, code="late").code
    )
    Coupon.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    used = place(api, network, customer, ok.code)
    assert used.status_code == 201
    before = snapshot()
    cases = [
        (["NOSUCHCODE"], 404, "coupon_not_found"),
        ([theirs.code], 404, "coupon_not_found"),  # another member's coupon is not yours to use
        ([late.code], 422, "coupon_expired"),
        ([app_only.code], 422, "coupon_not_applicable"),
        ([ok.code], 409, "coupon_not_available"),  # held by the first order
    ]
    for codes, status, code in cases:
        r = place(api, network, customer, *codes)
        assert (r.status_code, r.json()["code"]) == (status, code), r.json()
    r = place(api, network, customer, app_only.code)
    assert r.json()["details"]["reason"] == {
        "kind": "offer_channel_only",
        "params": {"channels": ["app"], "channel": "web"},
    }
    small = place(
        api,
        network,
        customer,
        app_only.code,
        channel="app",
        lines=[{"sku_id": network.skus[0].pk, "quantity": 1}],
    )
    assert small.status_code == 422 and "needs eligible items worth ¥200.00" in small.json()["message"]
    assert snapshot() == before


def test_coupon_is_redeemed_when_paid_and_a_return_refunds_what_was_charged(api, network, customer, window):
    coupon = coupon_claim(
        actor=SYSTEM,
        member=customer["member"],
        template_code=tpl(api, network, window, budget_amount=100_00).code,
    )
    r = api.post(
        "/api/v1/orders",
        {
            "channel": "pos",
            "method": "counter",
            "payment_mode": "counter",
            "origin_outlet_id": network.a.pk,
            "member_id": customer["member"].pk,
            "lines": [{"sku_id": network.skus[2].pk, "quantity": 2}],
            "coupon_codes": [coupon.code],
        },
        network.auth("outlet_clerk"),
    )
    assert r.status_code == 201, r.json()
    order = r.json()
    assert order["total"] == 580_00 and order["lines"][0]["discount"] == 20_00
    assert CouponTemplate.objects.get().discount_committed == 20_00
    clerk = actor_get(user=user_of("outlet_clerk"))
    payment_capture(actor=clerk, order_id=order["id"], method="cash")
    coupon.refresh_from_db()
    assert coupon.state == "redeemed" and Order.objects.get(pk=order["id"]).state == "completed"
    back = order_return(
        actor=clerk, order_id=order["id"], outlet_id=network.a.pk, lines=[(network.skus[2].pk, 1)]
    )
    assert back.amount == 290_00  # half of the 580.00 charged, not the 300.00 list price
    back = order_return(
        actor=clerk, order_id=order["id"], outlet_id=network.a.pk, lines=[(network.skus[2].pk, 1)]
    )
    assert back.amount == 290_00
    assert OrderLine.objects.get(order_id=order["id"]).amount == 580_00


def test_placement_with_promotions_stays_within_the_query_budget(api, network, customer, window):
    appliances_10pct(api, network, window)
    coupon = coupon_claim(
        actor=SYSTEM, member=customer["member"], template_code=tpl(api, network, window).code
    )
    with CaptureQueriesContext(connection) as ctx:
        r = place(api, network, customer, coupon.code)
    assert r.status_code == 201, r.json()
    assert len(ctx.captured_queries) <= 25, "\n".join(q["sql"][:120] for q in ctx.captured_queries)


def test_an_order_discounted_to_nothing_is_paid_and_confirmed_at_once(api, network, customer, window):
    appliances_10pct(
        api,
        network,
        window,
        name="全免",
        percent_off="100",
        category_ids=[network.skus[1].product.category_id, network.skus[2].product.category_id],
    )
    r = place(api, network, customer)
    assert r.status_code == 201, r.json()
    assert (r.json()["total"], r.json()["state"], r.json()["payment_state"]) == (0, "confirmed", "paid")


def test_a_tier_refusal_names_the_tiers_as_members_read_them(api, network, customer, window):
    Tier.objects.create(code="gold", name="金卡", min_spend=10_000_00)
    Tier.objects.create(code="silver", name="银卡", min_spend=1_000_00)
    gold = coupon_claim(
        actor=SYSTEM,
        member=customer["member"],
        template_code=tpl(api, network, window, code="gold5", member_tiers=["gold", "silver"]).code,
    )
    r = place(api, network, customer, gold.code)
    assert r.status_code == 422
    why = r.json()["details"]["reason"]
    assert why == {"kind": "offer_tier_only", "params": {"tiers": ["银卡", "金卡"]}}  # lowest tier first
    with translation.override("zh-hans"):
        assert render(why) == "仅限银卡、金卡等级会员"
