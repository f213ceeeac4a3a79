"""The counter, as a clerk uses it: a refused checkout goes back to the basket and names each
short SKU; short cash is refused unless it is meant as a part payment; the SKU picker shows
variant, price and stock; the member's card, coupons, wallet and points work at the counter
through the same services as the API; the sandbox QR is confirmed by the gateway."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from tests.console.test_console_orders import login, snapshot

from omnipoint.catalog.models import Sku
from omnipoint.inventory.models import StockLevel
from omnipoint.loyalty import selectors as loyalty_selectors
from omnipoint.loyalty import services as loyalty
from omnipoint.loyalty.models import TopupPackage
from omnipoint.marketing.models import Coupon
from omnipoint.marketing.services import coupon_issue, coupon_template_create
from omnipoint.members.services import member_get_or_create
from omnipoint.orders.models import Order, OrderState
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments import sandbox
from omnipoint.payments.models import Payment
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db


def basket(client: Client, *lines: tuple[str, int]) -> None:
    for code, qty in lines:
        assert client.post("/console/pos/", {"q": code, "qty": str(qty)}).status_code == 302


def checkout(client: Client, **fields: str) -> Order:
    response = client.post("/console/pos/checkout/", fields)
    assert response.status_code == 302, response.content.decode()[:500]
    return Order.objects.order_by("-pk").first()  # type: ignore[return-value]


# --- a refused checkout ---------------------------------------------------------------------


def test_a_refused_checkout_goes_back_to_the_basket_and_names_each_short_sku(client, network):
    login(client, "outlet_clerk")
    cable, ac = network.skus[2], network.skus[0]
    on_hand = {s.code: StockLevel.objects.get(location=network.a, sku=s).on_hand for s in (cable, ac)}
    basket(
        client,
        (cable.code, on_hand[cable.code] + 1),
        (ac.code, on_hand[ac.code] + 2),
        (network.skus[1].code, 1),
    )
    before = snapshot()

    response = client.post("/console/pos/checkout/", follow=True)
    assert response.redirect_chain == [("/console/pos/", 302)]  # off the checkout's URL
    assert response.status_code == 409
    error = response.context["error"]
    assert f"{cable.code}：可用 {on_hand[cable.code]}，需要 {on_hand[cable.code] + 1}" in error
    assert f"{ac.code}：可用 {on_hand[ac.code]}，需要 {on_hand[ac.code] + 2}" in error
    assert network.skus[1].code not in error  # enough of it
    assert snapshot() == before
    assert len(response.context["lines"]) == 3  # the basket is kept to be corrected

    html = response.content.decode()
    forms = re.findall(r"<form\b[^>]*>", html)
    assert forms and all('action="' in f for f in forms), forms  # no button posts to the checkout again
    assert client.get("/console/pos/").status_code == 200  # said once


def test_the_api_names_every_short_line(client, network):
    """The refusal carries the short lines (the API's details), not only the first."""
    from omnipoint.core.models import ApiToken

    token = ApiToken.issue(user_of("outlet_clerk"))
    cable, ac = network.skus[2], network.skus[0]
    body = {
        "channel": "pos",
        "method": "counter",
        "payment_mode": "counter",
        "origin_outlet_id": network.a.pk,
        "lines": [{"sku_id": cable.pk, "quantity": 999}, {"sku_id": ac.pk, "quantity": 999}],
    }
    r = client.post(
        "/api/v1/orders", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert r.status_code == 409 and r.json()["code"] == "insufficient_stock"
    assert sorted(ln["sku_code"] for ln in r.json()["details"]["lines"]) == sorted([cable.code, ac.code])


# --- cash -----------------------------------------------------------------------------------


def test_short_cash_is_refused_and_changes_nothing(client, network):
    login(client, "outlet_clerk")
    basket(client, (network.skus[2].code, 1))  # ¥300
    order = checkout(client)
    before = snapshot()
    response = client.post(f"/console/pos/{order.pk}/cash/", {"given": "200"})
    assert response.status_code == 422
    assert "¥200.00" in response.context["error"] and "¥300.00" in response.context["error"]
    assert snapshot() == before


def test_short_cash_taken_as_a_part_payment_then_the_rest_gives_the_right_change(client, network):
    login(client, "outlet_clerk")
    basket(client, (network.skus[2].code, 1))  # ¥300
    order = checkout(client)
    assert client.post(f"/console/pos/{order.pk}/cash/", {"given": "200", "partial": "1"}).status_code == 302
    assert client.get(f"/console/pos/{order.pk}/").context["remaining"] == 100_00
    assert client.post(f"/console/pos/{order.pk}/cash/", {"given": "150"}).status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    receipt = client.get(f"/console/pos/{order.pk}/receipt/").context
    assert (receipt["cash_given"], receipt["change"]) == (350_00, 50_00)
    assert sorted(Payment.objects.filter(order_id=order.pk).values_list("amount", flat=True)) == [
        100_00,
        200_00,
    ]


# --- the SKU picker -------------------------------------------------------------------------


def test_the_sku_picker_shows_variant_price_and_stock_here(client, network):
    Sku.objects.filter(pk=network.skus[0].pk).update(attributes={"colour": "白", "size": "1匹"})
    StockLevel.objects.filter(location=network.a, sku=network.skus[1]).update(on_hand=0, reserved=0)
    response = login(client, "outlet_clerk").post("/console/pos/", {"q": "空调", "qty": "1"})
    assert response.status_code == 200
    rows = {m["sku"].code: m for m in response.context["matches"]}
    a_stock = StockLevel.objects.get(location=network.a, sku=network.skus[0]).available
    assert (rows[network.skus[0].code]["price"], rows[network.skus[0].code]["available"]) == (95_00, a_stock)
    assert rows[network.skus[1].code]["available"] == 0
    html = response.content.decode()
    assert "白 / 1匹" in html and "¥95.00" in html and f"库存 {a_stock}" in html


# --- the member at the counter: card, coupons, wallet, points --------------------------------


@pytest.fixture
def member(network):
    member = member_get_or_create(actor=SYSTEM, mobile="13700000001", name="李雷")
    clerk = actor_get(user=user_of("outlet_clerk"))
    package = TopupPackage.objects.create(name="充100", pay_amount=100_00, bonus_amount=0)
    loyalty.wallet_topup_at_counter(
        actor=clerk, member_id=member.pk, outlet_id=network.a.pk, client_key="till-1", package_id=package.pk
    )
    loyalty.points_award(
        actor=SYSTEM, member_id=member.pk, points=5000, key="gift-1"
    )  # ¥50 at 100 points a yuan
    return member


def test_the_member_card_names_the_customer(client, network, member):
    login(client, "outlet_clerk")
    basket(client, (network.skus[2].code, 1))
    order = checkout(client, customer=member.card_code.lower())
    assert order.member_id == member.pk
    page = client.get(f"/console/pos/{order.pk}/")
    assert page.context["member"].wallet == 100_00 and page.context["member"].points == 5000


def test_an_unknown_card_is_refused_on_the_basket(client, network, member):
    login(client, "outlet_clerk")
    basket(client, (network.skus[2].code, 1))
    before = snapshot()
    response = client.post("/console/pos/checkout/", {"customer": "M000"}, follow=True)
    assert response.status_code == 404 and response.context["customer"] == "M000"
    assert snapshot() == before


def test_a_coupon_wallet_and_points_pay_a_counter_sale(client, network, member):
    hq = actor_get(user=user_of("hq_admin"))
    now = timezone.now()
    template = coupon_template_create(
        actor=hq, code="POS20", name="柜台立减", kind="fixed", value=20_00,
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=30),
    )  # fmt: skip
    coupon = coupon_issue(actor=hq, template_id=template.pk, member_id=member.pk)
    login(client, "outlet_clerk")
    basket(client, (network.skus[2].code, 1))  # ¥300
    order = checkout(client, customer=member.mobile, coupons=coupon.code)
    assert order.total == 280_00 and Coupon.objects.get(pk=coupon.pk).state == "held"

    assert client.post(f"/console/pos/{order.pk}/tender/wallet/", {"amount": "80"}).status_code == 302
    assert client.post(f"/console/pos/{order.pk}/tender/points/", {"amount": "5000"}).status_code == 302
    assert client.post(f"/console/pos/{order.pk}/cash/", {"given": "200"}).status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    assert sorted(Payment.objects.filter(order_id=order.pk).values_list("method", "amount")) == [
        ("cash", 150_00),
        ("points", 50_00),
        ("wallet", 80_00),
    ]
    assert loyalty_selectors.wallet_balance(member=member)["total"] == 20_00
    assert Coupon.objects.get(pk=coupon.pk).state == "redeemed"


def test_more_than_the_wallet_holds_is_refused_and_changes_nothing(client, network, member):
    login(client, "outlet_clerk")
    basket(client, (network.skus[2].code, 1))
    order = checkout(client, customer=member.card_code)
    before = snapshot()
    response = client.post(f"/console/pos/{order.pk}/tender/wallet/", {"amount": "150"})
    assert response.status_code == 409 and response.context["error"]
    assert snapshot() == before and loyalty_selectors.wallet_balance(member=member)["total"] == 100_00


def test_wallet_needs_a_member_and_a_known_tender(client, network):
    login(client, "outlet_clerk")
    basket(client, (network.skus[2].code, 1))
    order = checkout(client)
    before = snapshot()
    assert client.post(f"/console/pos/{order.pk}/tender/wallet/").status_code == 422
    assert client.post(f"/console/pos/{order.pk}/tender/cash/").status_code == 422
    assert snapshot() == before


def test_other_city_clerk_cannot_tender_outlet_a_sales(client, network, member):
    login(client, "outlet_clerk")
    basket(client, (network.skus[2].code, 1))
    order = checkout(client, customer=member.card_code)
    before = snapshot()
    login(client, "other_city_clerk")
    assert client.post(f"/console/pos/{order.pk}/tender/wallet/").status_code == 404
    assert snapshot() == before


def test_the_sandbox_qr_is_confirmed_by_the_gateway_not_the_clerk(client, network):
    login(client, "outlet_clerk")
    basket(client, (network.skus[2].code, 1))
    order = checkout(client)
    client.post(f"/console/pos/{order.pk}/online/")
    online = client.get(f"/console/pos/{order.pk}/").context["open_online"]
    assert client.get(f"/console/pos/{order.pk}/status/").status_code == 200
    assert Order.objects.get(pk=order.pk).state == OrderState.PENDING  # polling alone pays nothing
    sandbox.charge_pay(ref=online.provider_ref)  # the customer pays on the hosted page
    paid = client.get(f"/console/pos/{order.pk}/status/", HTTP_HX_REQUEST="true")
    assert paid["HX-Redirect"] == f"/console/pos/{order.pk}/receipt/"
