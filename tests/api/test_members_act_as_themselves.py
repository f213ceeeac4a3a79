"""A member acts only as themselves; staff channels may name a customer.

Before: a signed-in member could place an order naming another member (``member_id`` or their
``mobile``), and the order landed in the victim's history priced with the victim's tier and
coupons; a guest typing a member's mobile number got that member's tier price too.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from omnipoint.loyalty.models import Tier
from omnipoint.members.models import Member
from omnipoint.orders.models import Order

from .conftest import NANJING_MOBILE, SHOPPER_MOBILE, assert_error, snapshot

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


def body(w, **kw):
    return {
        "channel": "web",
        "method": "pickup",
        "payment_mode": "at_outlet",
        "pickup_outlet_id": w.a.pk,
        "lines": [{"sku_id": w.skus[2].pk, "quantity": 1}],
        **kw,
    }


def place(client, headers, data):
    return client.post(f"{V1}/orders", data, content_type="application/json", **headers)


@pytest.fixture
def gold(shop):
    """Every member is gold (no spend needed) and gold members get half price."""
    from omnipoint.marketing.services import promotion_create
    from omnipoint.outlets.selectors import actor_get
    from omnipoint.testing import user_of

    Tier.objects.create(code="gold", name="金卡", min_spend=0)
    now = timezone.now()
    promotion_create(
        actor=actor_get(user=user_of("hq_admin")), name="金卡半价", kind="discount", percent_off=Decimal(50),
        member_tiers=["gold"], starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1),
    )  # fmt: skip
    return shop


@pytest.mark.parametrize("web", ["web", "app", "wechat", "partner"])
def test_a_member_cannot_order_as_another_member(client, shop, web):
    w = shop
    me = w.net.auth("shopper")
    for other in (
        {"member_id": w.nanjing},
        {"mobile": NANJING_MOBILE},
        {"member_id": w.nanjing, "mobile": ""},
    ):
        before = snapshot()
        assert_error(place(client, me, body(w, channel=web, **other)), 403, "not_yourself")
        assert snapshot() == before, other
    mine = place(client, me, body(w, channel=web, mobile=SHOPPER_MOBILE, member_id=w.shopper))
    assert mine.status_code == 201, mine.content
    assert mine.json()["member_id"] == w.shopper


def test_only_staff_channels_name_a_member_by_id(client, shop, member_headers):
    w = shop
    for headers in (member_headers, w.net.auth("hq_admin")):
        before = snapshot()
        assert_error(place(client, headers, body(w, member_id=w.nanjing)), 403, "not_yourself")
        assert snapshot() == before
    hotline = place(client, w.net.auth("outlet_clerk"), body(w, channel="hotline", member_id=w.nanjing))
    assert hotline.status_code == 201 and hotline.json()["member_id"] == w.nanjing
    by_mobile = place(client, w.net.auth("outlet_clerk"), body(w, channel="hotline", mobile=NANJING_MOBILE))
    assert by_mobile.status_code == 201 and by_mobile.json()["member_id"] == w.nanjing


def test_a_guest_giving_a_members_mobile_gets_no_member_price(client, gold, member_headers):
    w = gold
    victim = place(client, w.net.auth("shopper"), body(w))
    assert victim.status_code == 201
    stranger = place(client, member_headers, body(w, mobile="13700000055"))  # a new number: no tier
    guest = place(client, member_headers, body(w, mobile=SHOPPER_MOBILE))
    assert guest.status_code == stranger.status_code == 201
    assert victim.json()["total"] < guest.json()["total"] == stranger.json()["total"]
    explained = [ln["price_explanation"] for ln in guest.json()["lines"]]
    assert not any("金卡半价" in str(e) for e in explained), explained


def test_the_storefront_checkout_orders_only_for_the_member_signed_in(client, gold):
    w = gold
    client.force_login(Member.objects.get(pk=w.shopper).user)
    client.post("/shop/cart/add/", {"sku_id": w.skus[2].pk, "quantity": "1"})
    page = client.get("/shop/checkout/")
    token = page.content.decode().split('name="token" value="')[1].split('"')[0]
    form = {
        "token": token,
        "name": "冒名",
        "method": "pickup",
        "pickup_outlet_id": w.a.pk,
        "payment_mode": "at_outlet",
    }
    before = Order.objects.count()
    refused = client.post("/shop/checkout/", form | {"mobile": NANJING_MOBILE})
    assert refused.status_code == 403 and "本人" in refused.content.decode()
    assert Order.objects.count() == before
    placed = client.post("/shop/checkout/", form | {"mobile": SHOPPER_MOBILE})
    assert placed.status_code == 302
    assert Order.objects.latest("pk").member_id == w.shopper
