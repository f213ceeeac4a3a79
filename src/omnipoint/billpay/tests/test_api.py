"""The bill payment API: a counter payment end to end, and bad input of every kind answered
with a 4xx and a stable code, changing nothing."""

import json

import pytest

from omnipoint.billpay import sandbox
from omnipoint.billpay.models import BillerCallback, BillPayment, SandboxBill
from omnipoint.ledger.models import Posting

from .conftest import POWER

pytestmark = pytest.mark.django_db
V1 = "/api/v1/bills"


def state():
    return [
        list(m.objects.order_by("pk").values()) for m in (BillPayment, SandboxBill, BillerCallback, Posting)
    ]


def post(client, bills, persona, body):
    return client.post(
        f"{V1}/payments", json.dumps(body), content_type="application/json", **bills.net.auth(persona)
    )


def body_for(bills, outlet, i=0, **over):
    account = bills.power.account(i)
    return {
        "outlet_id": outlet.pk,
        "biller": POWER,
        "account": account,
        "amount": bills.power.lookup(account).amount,
    } | over


def test_a_clerk_looks_up_pays_and_the_callback_confirms(client, bills):
    h = bills.net.auth("agent_clerk")
    body = body_for(bills, bills.agent)
    bill = client.get(f"{V1}/lookup", {"biller": POWER, "account": body["account"]}, **h).json()
    assert bill["amount"] == body["amount"] and "*" in bill["masked_name"]
    resp = post(client, bills, "agent_clerk", body | {"key": "till-1"})
    assert resp.status_code == 201 and resp.json()["state"] == "held" and resp.json()["mode"] == "agent_float"
    again = post(client, bills, "agent_clerk", body | {"key": "till-1"})
    assert again.json()["number"] == resp.json()["number"]
    payment = BillPayment.objects.get()
    raw, headers = sandbox.callback_build(sandbox.bill_confirm(bill_ref=payment.bill_ref))
    cb = client.post(f"{V1}/callback/{POWER}", raw, content_type="application/json",
                     HTTP_X_BILLER_SIGNATURE=headers[sandbox.SIGNATURE_HEADER])  # fmt: skip
    assert cb.status_code == 200 and cb.json() == {"code": "SUCCESS", "outcome": "paid"}
    got = client.get(f"{V1}/payments/{payment.number}", **h).json()
    assert got["state"] == "paid" and got["why"]["text"] == "缴费单位已确认销账"
    replay = client.post(f"{V1}/callback/{POWER}", raw, content_type="application/json",
                         HTTP_X_BILLER_SIGNATURE=headers[sandbox.SIGNATURE_HEADER])  # fmt: skip
    assert (replay.status_code, replay.json()["code"]) == (409, "callback_replayed")


BAD = [
    ("malformed account", {"account": "12345"}, 422, "malformed_account"),
    ("bad check digit", {"account": "0314302002"}, 422, "malformed_account"),
    ("unknown biller", {"biller": "sbx-xx-water"}, 404, "biller_not_found"),
    ("absurd amount", {"amount": 10**15}, 422, "invalid_amount"),
    ("negative amount", {"amount": -5}, 422, "invalid_amount"),
    ("not the bill's amount", {"amount": 1}, 422, "amount_mismatch"),
    ("amount as text", {"amount": "12.30"}, 422, "invalid_input"),
    ("unknown field", {"tip": 1}, 422, "invalid_input"),
    ("not a mobile number", {"mobile": "12345"}, 422, "invalid_mobile"),
]


@pytest.mark.parametrize(("name", "over", "status", "code"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_and_changes_nothing(client, bills, name, over, status, code):
    before = state()
    resp = post(client, bills, "agent_clerk", body_for(bills, bills.agent) | over)
    assert (resp.status_code, resp.json()["code"]) == (status, code), resp.content
    assert state() == before


def test_out_of_scope_outlets_and_outlets_that_take_no_bills(client, bills):
    before = state()
    resp = post(client, bills, "agent_clerk", body_for(bills, bills.net.a))
    assert (resp.status_code, resp.json()["code"]) == (404, "outlet_not_found")
    resp = post(client, bills, "hq_admin", body_for(bills, bills.net.b))  # the post office is not enrolled
    assert (resp.status_code, resp.json()["code"]) == (409, "billpay_not_offered")
    resp = client.get(f"{V1}/lookup", {"biller": POWER, "account": "1"}, **bills.net.auth("outlet_clerk"))
    assert (resp.status_code, resp.json()["code"]) == (422, "malformed_account")
    assert state() == before


def test_forged_and_malformed_callbacks_change_nothing(client, bills):
    post(client, bills, "agent_clerk", body_for(bills, bills.agent))
    payment = BillPayment.objects.get()
    raw, headers = sandbox.callback_build(sandbox.bill_confirm(bill_ref=payment.bill_ref))
    before = state()
    cases = [
        (raw, "0" * 64, 401, "bad_signature"),
        (raw, "", 401, "bad_signature"),
        (b"not json", sandbox.sign(b"not json"), 422, "malformed_callback"),
    ]
    for data, signature, status, code in cases:
        resp = client.post(
            f"{V1}/callback/{POWER}", data, content_type="application/json", HTTP_X_BILLER_SIGNATURE=signature
        )
        assert (resp.status_code, resp.json()["code"]) == (status, code)
    resp = client.post(f"{V1}/callback/sbx-nj-gas", raw, content_type="application/json",
                       HTTP_X_BILLER_SIGNATURE=headers[sandbox.SIGNATURE_HEADER])  # fmt: skip
    assert (resp.status_code, resp.json()["code"]) == (401, "wrong_biller")
    assert state() == before
    assert BillPayment.objects.get().state == "held"


def test_the_hotline_pays_a_member_s_bill_from_the_wallet_or_refuses_changing_nothing(client, bills):
    from omnipoint.loyalty.services import wallet_topup
    from omnipoint.members.services import member_get_or_create
    from omnipoint.outlets.domain import SYSTEM

    member = member_get_or_create(actor=SYSTEM, mobile="13800138000")
    wallet_topup(actor=SYSTEM, member_id=member.pk, key="seed", amount=100_00)
    h = bills.net.auth("city_manager")

    def phone(**over):
        account = bills.power.account(0)
        body = {"mobile": "13800138000", "biller": POWER, "account": account,
                "amount": bills.power.lookup(account).amount} | over  # fmt: skip
        return client.post(f"{V1}/hotline/payments", json.dumps(body), content_type="application/json", **h)

    before = state()
    for over, status, code in (
        ({"mobile": "13900000000"}, 404, "member_not_found"),
        ({"mobile": "123"}, 422, "invalid_mobile"),
        ({}, 409, "insufficient_balance"),  # the bill is more than ¥100
    ):
        resp = phone(**over)
        assert (resp.status_code, resp.json()["code"]) == (status, code), resp.content
        assert state() == before
    wallet_topup(actor=SYSTEM, member_id=member.pk, key="more", amount=900_00)
    resp = phone()
    assert resp.status_code == 201 and resp.json()["mode"] == "member_wallet"
    assert BillPayment.objects.get().member_id == member.pk


def test_a_member_pays_their_bills_online_and_from_the_wallet_through_the_api(client, bills):
    """The member pays a bill at the gateway (awaiting, paid there, back: the biller asked, then
    confirmed) and another from their wallet, each as themselves, and sees both, and the bill a
    corner shop took in cash for them, in their history and saved accounts."""
    from omnipoint.core.models import ApiToken
    from omnipoint.loyalty.services import wallet_topup
    from omnipoint.members.services import member_get_or_create, member_user_ensure
    from omnipoint.outlets.domain import SYSTEM
    from omnipoint.payments.sandbox import charge_pay

    member = member_user_ensure(actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile="13800138000"))
    wallet_topup(actor=SYSTEM, member_id=member.pk, key="t", amount=2_000_00)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(member.user, name='test')}"}
    cash = post(client, bills, "agent_clerk", body_for(bills, bills.agent, 5, mobile="13800138000")).json()

    def pay(i, tender):  # type: ignore[no-untyped-def]
        body = {k: v for k, v in body_for(bills, bills.net.a, i).items() if k != "outlet_id"}
        return client.post(f"{V1}/me/payments", json.dumps({**body, "tender": tender, "key": f"k{i}",
                           "return_url": "/shop/bills/?done={number}"}), content_type="application/json", **auth)  # fmt: skip

    online = pay(6, "online")
    assert online.status_code == 201, online.content
    first = online.json()
    assert (first["state"], first["mode"]) == ("awaiting", "member_online") and "/sandbox/pay/" in first[
        "pay_url"
    ]
    assert pay(6, "online").json()["number"] == first["number"]  # a retry is the first
    charge_pay(ref=BillPayment.objects.get(number=first["number"]).gateway_ref)
    back = client.post(f"{V1}/me/payments/{first['number']}/sync", content_type="application/json", **auth)
    assert back.json()["state"] == "held"  # the money is in; the biller is asked
    wallet = pay(7, "wallet").json()
    assert (wallet["state"], wallet["mode"]) == ("held", "member_wallet")
    history = client.get(f"{V1}/me/payments", **auth).json()
    assert {p["number"] for p in history} == {first["number"], wallet["number"], cash["number"]}
    accounts = client.get(f"{V1}/me/accounts", **auth).json()
    assert len(accounts) == 3 and all(a["masked_name"] for a in accounts)
    clerk = client.get(f"{V1}/me/payments", **bills.net.auth("outlet_clerk"))
    assert clerk.status_code == 403 and clerk.json()["code"] == "not_member"
