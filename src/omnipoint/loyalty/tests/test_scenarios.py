"""Members, points and stored value end to end through the services and the HTTP API:
earn at the counter and spend online, stored value with a bonus package, retries, bad input."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from omnipoint.ledger.checks import ledger_breaches
from omnipoint.ledger.models import Account, Posting
from omnipoint.loyalty import selectors as loyalty_selectors
from omnipoint.loyalty import services as loyalty
from omnipoint.loyalty.models import PointsLot
from omnipoint.members.models import Member
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.models import Order
from omnipoint.orders.services import order_cancel, order_return
from omnipoint.outlets.domain import SYSTEM
from omnipoint.payments import topups
from omnipoint.payments.models import OrderBalance, Payment
from omnipoint.payments.sandbox import charge_pay
from omnipoint.payments.services import payment_start, payment_tender, payments_sync

from .helpers import (
    bearer,
    clerk,
    counter_sale,
    earn_rules,
    member_with_login,
    online_order,
    package_100_10,
)

pytestmark = pytest.mark.django_db
TENDERS = "/api/v1/payments/tenders"
TOPUPS = "/api/v1/loyalty/topups"


def books() -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    return (
        list(
            Account.objects.order_by("pk").values_list(
                "code", "debits_pending", "debits_posted", "credits_posted"
            )
        ),
        Posting.objects.count(),
        list(Payment.objects.order_by("pk").values_list("pk", "state", "amount", "refunded_amount")),
        list(OrderBalance.objects.order_by("pk").values_list("pk", "paid", "refunded")),
        list(PointsLot.objects.order_by("pk").values_list("pk", "remaining")),
        list(Order.objects.order_by("pk").values_list("pk", "state", "payment_state")),
    )


def ledger_check_passes() -> bool:
    out = StringIO()
    call_command("check_ledger", stdout=out, stderr=out)
    return ledger_breaches() == []


def test_earn_at_the_counter_spend_online_claw_back_on_return(network):
    earn_rules()
    member, _token = member_with_login()
    sale = counter_sale(network, member.mobile)  # 95 yuan at outlet A: 95 base + 95 offline bonus
    assert (sale.state, sale.member_id) == ("completed", member.pk)
    assert loyalty_selectors.points_balance(member=member) == 190
    assert sorted(PointsLot.objects.filter(member=member).values_list("amount", flat=True)) == [95, 95]

    order = online_order(network, member)  # 300 yuan: 150 points (1.50 yuan) and the rest online
    tender = payment_tender(
        actor=actor_for_user(user=member.user), order_id=order.pk, method="points", points=150
    )
    assert (tender.amount, tender.state, tender.counted) == (150, "succeeded", True)
    assert (
        loyalty_selectors.points_balance(member=member) == 40
        and loyalty_selectors.hold_state(key=tender.provider_ref) == "pending"
    )
    online = payment_start(actor=actor_for_user(user=member.user), order_id=order.pk)
    assert online.amount == 300_00 - 150
    charge_pay(ref=online.provider_ref)
    payments_sync(actor=SYSTEM, order_id=order.pk)
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("confirmed", "paid")
    assert loyalty_selectors.hold_state(key=tender.provider_ref) == "posted"  # captured once fully paid

    order_return(actor=clerk(), order_id=sale.pk, outlet_id=network.a.pk, lines=[(network.skus[0].pk, 1)])
    # The return claws back what the sale earned, as far as the member still has it.
    assert loyalty_selectors.points_balance(member=member) == 0
    assert Posting.objects.filter(code="clawback", reference=f"order:{sale.number}").get().amount == 40
    assert ledger_check_passes()


def test_points_tender_released_when_the_order_is_cancelled(network):
    earn_rules()
    member, _ = member_with_login()
    counter_sale(network, member.mobile)
    order = online_order(network, member)
    payment_tender(actor=actor_for_user(user=member.user), order_id=order.pk, method="points", amount=100)
    assert loyalty_selectors.points_balance(member=member) == 90
    order_cancel(actor=SYSTEM, order_id=order.pk, reason="changed my mind")
    assert loyalty_selectors.points_balance(member=member) == 190
    assert sum(PointsLot.objects.filter(member=member).values_list("remaining", flat=True)) == 190
    assert ledger_check_passes()


def test_stored_value_topup_with_bonus_pay_online_refund_to_wallet(api, network):
    package = package_100_10()
    member, token = member_with_login()
    r = api.post(
        TOPUPS,
        {
            "mobile": member.mobile,
            "outlet_id": network.a.pk,
            "client_key": "till1-0001",
            "package_id": package.pk,
        },
        headers=network.auth("outlet_clerk"),
    )
    assert r.status_code == 201, r.json()
    assert r.json() | {} == {
        "member_id": member.pk,
        "principal_added": 100_00,
        "bonus_added": 10_00,
        "principal": 100_00,
        "bonus": 10_00,
        "total": 110_00,
    }

    order = online_order(network, member, sku=0)  # 95 yuan in Shanghai
    r = api.post(TENDERS, {"order_id": order.pk, "method": "wallet"}, headers=bearer(token))
    assert r.status_code == 201, r.json()
    order.refresh_from_db()
    assert (order.state, order.payment_state, r.json()["amount"]) == ("confirmed", "paid", 95_00)
    assert loyalty_selectors.wallet_balance(member=member) == {
        "principal": 5_00,
        "bonus": 10_00,
        "total": 15_00,
    }

    order_cancel(
        actor=SYSTEM, order_id=order.pk, reason="out of stock at the counter"
    )  # refund to the wallet
    assert loyalty_selectors.wallet_balance(member=member) == {
        "principal": 100_00,
        "bonus": 10_00,
        "total": 110_00,
    }
    me = api.get("/api/v1/members/me/wallet", bearer(token)).json()
    assert (me["principal"], me["bonus"]) == (100_00, 10_00)
    assert [(m["code"], m["account"], m["direction"]) for m in me["movements"][:2]] == [
        ("refund", "principal", "in"),
        ("spend", "principal", "out"),
    ]
    assert ledger_check_passes()


def test_split_tender_wallet_then_cash_at_the_counter_adds_up(network):
    member, _ = member_with_login()
    loyalty.wallet_topup(actor=SYSTEM, member_id=member.pk, key="t1", amount=30_00)
    from omnipoint.orders.services import LineRequest, order_place
    from omnipoint.payments.services import payment_capture
    from omnipoint.testing import user_of

    order = order_place(
        actor=actor_for_user(user=user_of("outlet_clerk")),
        channel="pos",
        method="counter",
        payment_mode="counter",
        origin_outlet_id=network.a.pk,
        mobile=member.mobile,
        lines=[LineRequest(sku_id=network.skus[0].pk, quantity=1)],
    )
    wallet = payment_tender(
        actor=actor_for_user(user=user_of("outlet_clerk")), order_id=order.pk, method="wallet", amount=30_00
    )
    assert loyalty_selectors.hold_state(key=wallet.provider_ref) == "pending"
    payment_capture(actor=clerk(), order_id=order.pk, method="cash")
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("completed", "paid")
    assert OrderBalance.objects.get(pk=order.pk).paid == order.total == 95_00
    assert loyalty_selectors.hold_state(key=wallet.provider_ref) == "posted"
    assert loyalty_selectors.wallet_balance(member=member)["total"] == 0
    assert ledger_check_passes()


def test_retries_return_the_first_result_and_a_changed_body_is_refused(api, network):
    member, token = member_with_login()
    body = {"member_id": member.pk, "outlet_id": network.a.pk, "client_key": "till1-0002", "amount": 50_00}
    first = api.post(TOPUPS, body, headers=network.auth("outlet_clerk"))
    again = api.post(TOPUPS, body, headers=network.auth("outlet_clerk"))  # a retry, no header
    assert first.status_code == again.status_code == 201
    assert loyalty_selectors.wallet_balance(member=member)["total"] == 50_00
    changed = api.post(TOPUPS, body | {"amount": 60_00}, headers=network.auth("outlet_clerk"))
    assert (changed.status_code, changed.json()["code"]) == (409, "posting_key_reused")
    assert loyalty_selectors.wallet_balance(member=member)["total"] == 50_00

    order = online_order(network, member, sku=0)
    headers = bearer(token) | {"HTTP_IDEMPOTENCY_KEY": "pay-once"}
    a = api.post(TENDERS, {"order_id": order.pk, "method": "wallet", "amount": 20_00}, headers=headers)
    b = api.post(TENDERS, {"order_id": order.pk, "method": "wallet", "amount": 20_00}, headers=headers)
    assert a.status_code == b.status_code == 201 and a.json()["id"] == b.json()["id"]
    assert Payment.objects.filter(order_id=order.pk).count() == 1
    assert loyalty_selectors.wallet_balance(member=member)["total"] == 30_00
    other = api.post(TENDERS, {"order_id": order.pk, "method": "wallet", "amount": 10_00}, headers=headers)
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert ledger_breaches() == []


def test_bad_input_is_refused_and_changes_nothing(api, network):
    member, token = member_with_login()
    loyalty.wallet_topup(actor=SYSTEM, member_id=member.pk, key="t1", amount=10_00)
    loyalty.points_award(actor=SYSTEM, member_id=member.pk, points=50, key="a1")
    order = online_order(network, member, sku=0)
    before = books()
    clerk_h = network.auth("outlet_clerk")
    cases = [
        (
            api.post(TENDERS, {"order_id": order.pk, "method": "wallet", "amount": 20_00}, bearer(token)),
            409,
            "insufficient_balance",
        ),
        (
            api.post(TENDERS, {"order_id": order.pk, "method": "points", "points": 51}, bearer(token)),
            409,
            "insufficient_balance",
        ),
        (
            api.post(TENDERS, {"order_id": order.pk, "method": "gift_card"}, bearer(token)),
            422,
            "method_unavailable",
        ),
        (
            api.post(TENDERS, {"order_id": order.pk, "method": "wallet"}, network.auth("other_city_clerk")),
            404,
            "order_not_found",
        ),
        (api.get("/api/v1/members/lookup", clerk_h, mobile="13999999999"), 404, "member_not_found"),
        (api.get("/api/v1/members/lookup", clerk_h, card="M000"), 404, "member_not_found"),
        (api.get("/api/v1/members/lookup", clerk_h, mobile="12345"), 422, "invalid_mobile"),
        (api.post("/api/v1/members/login/code", {"mobile": "not a phone"}), 422, "invalid_mobile"),
        (
            api.post("/api/v1/members/login", {"mobile": member.mobile, "code": "000000"}),
            422,
            "login_code_invalid",
        ),
        (
            api.post(
                TOPUPS,
                {"mobile": "13999999999", "outlet_id": network.a.pk, "client_key": "k", "amount": 1},
                clerk_h,
            ),
            404,
            "member_not_found",
        ),
        (
            api.post(
                TOPUPS,
                {"mobile": "1380000", "outlet_id": network.a.pk, "client_key": "k", "amount": 1},
                clerk_h,
            ),
            422,
            "invalid_mobile",
        ),
        (
            api.post(
                TOPUPS,
                {"member_id": 10**9, "outlet_id": network.a.pk, "client_key": "k", "amount": 1},
                clerk_h,
            ),
            404,
            "member_not_found",
        ),
        (
            api.post(
                TOPUPS,
                {"member_id": member.pk, "outlet_id": network.c.pk, "client_key": "k", "amount": 1},
                clerk_h,
            ),
            404,
            "outlet_not_found",
        ),
        (
            api.post(TOPUPS, {"member_id": member.pk, "outlet_id": network.a.pk, "client_key": "k"}, clerk_h),
            422,
            "amount_required",
        ),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.json()["code"]) == (status, code), response.json()
    assert books() == before
    assert Member.objects.count() == 1


def test_member_signs_in_with_a_one_time_code(api, network, demo_mode):
    r = api.post("/api/v1/members/login/code", {"mobile": "+86 137-0000-0009"})
    assert r.status_code == 201 and len(r.json()["demo_code"]) == 6
    code = r.json()["demo_code"]
    ok = api.post("/api/v1/members/login", {"mobile": "13700000009", "code": code})
    assert ok.status_code == 201
    me = api.get("/api/v1/members/me", bearer(ok.json()["token"])).json()
    assert (me["mobile"], me["points"], me["wallet"]["total"]) == ("13700000009", 0, 0)
    reused = api.post("/api/v1/members/login", {"mobile": "13700000009", "code": code})
    assert (reused.status_code, reused.json()["code"]) == (422, "login_code_invalid")


def test_a_lapsed_points_hold_goes_back_to_its_lots_and_the_order_times_out(network):
    from datetime import timedelta

    from django.utils import timezone

    from omnipoint.orders.services import orders_expire_unpaid

    member, _ = member_with_login()
    loyalty.points_award(actor=SYSTEM, member_id=member.pk, points=100, key="a1")
    order = online_order(network, member)
    tender = payment_tender(
        actor=actor_for_user(user=member.user), order_id=order.pk, method="points", points=60
    )
    later = timezone.now() + timedelta(days=1)
    assert loyalty.holds_expire(actor=SYSTEM, now=later) == 1  # the backstop sweep, had the order lingered
    assert loyalty_selectors.hold_state(key=tender.provider_ref) == "voided"
    assert sum(PointsLot.objects.filter(member=member).values_list("remaining", flat=True)) == 100
    assert (
        orders_expire_unpaid(actor=SYSTEM, now=later) == 1
    )  # the timeout cancels; the lapsed hold is no error
    order.refresh_from_db()
    assert (order.state, loyalty_selectors.points_balance(member=member)) == ("cancelled", 100)
    assert ledger_breaches() == []


def test_online_topup_is_credited_once_by_the_gateways_notification(client, network, settings):
    from omnipoint.payments.models import PaymentNotification
    from omnipoint.payments.sandbox import SIGNATURE_HEADER, notification_build

    settings.SANDBOX_PAY_SECRET = "topup-test-secret"
    package = package_100_10()
    member, _ = member_with_login()
    topup = topups.topup_online_start(
        actor=SYSTEM, member_id=member.pk, package_id=package.pk, return_url="/shop/member/"
    )
    assert (
        topup.pay_url.startswith("/sandbox/pay/")
        and loyalty_selectors.wallet_balance(member=member)["total"] == 0
    )
    body, headers = notification_build(charge_pay(ref=topup.charge_ref))
    meta = {f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}": headers[SIGNATURE_HEADER]}
    for _ in range(2):  # the gateway retries: credited once
        r = client.post("/api/v1/payments/notify/sandbox", data=body, content_type="application/json", **meta)
        assert r.status_code == 200, r.json()
    assert list(PaymentNotification.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "topup_paid",
        "duplicate",
    ]
    assert loyalty_selectors.wallet_balance(member=member) == {
        "principal": 100_00,
        "bonus": 10_00,
        "total": 110_00,
    }
    assert (
        topups.topup_online_settle(actor=SYSTEM, number=topup.number).state == "paid"
    )  # the return trip: no change
    assert loyalty_selectors.wallet_balance(member=member)["total"] == 110_00
    assert ledger_breaches() == []


def test_what_is_paid_with_points_earns_no_points(network):
    earn_rules()
    member, _token = member_with_login()
    counter_sale(network, member.mobile)  # 95 yuan in cash: 190 points
    order = online_order(network, member)  # 300 yuan
    payment_tender(
        actor=actor_for_user(user=member.user), order_id=order.pk, method="points", points=190
    )  # 1.90 yuan of it
    online = payment_start(actor=actor_for_user(user=member.user), order_id=order.pk)
    charge_pay(ref=online.provider_ref)
    payments_sync(actor=SYSTEM, order_id=order.pk)
    from omnipoint.loyalty.services import points_earn_for_order
    from omnipoint.orders.selectors import order_for_points

    awards = points_earn_for_order(actor=SYSTEM, order=order_for_points(Order.objects.get(pk=order.pk)))
    assert (
        sum(lot.amount for lot in awards) == 298
    )  # 298.10 yuan paid otherwise, 1 point per yuan, rounded down
