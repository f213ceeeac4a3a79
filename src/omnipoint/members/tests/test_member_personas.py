"""Who sees what of a member: a clerk what serving at the counter needs; a region manager the
activity of members whose orders touch their region, not others'; HQ everything."""

import pytest

from omnipoint.loyalty import services as loyalty
from omnipoint.loyalty.tests.helpers import bearer, counter_sale, earn_rules, member_with_login
from omnipoint.outlets.domain import SYSTEM

pytestmark = pytest.mark.django_db
COUNTER_FIELDS = {"id", "name", "mobile_masked", "tier", "points", "wallet"}


@pytest.fixture
def members(network):
    earn_rules()
    shanghai, token = member_with_login("13700000001", "上海顾客")
    nanjing, _ = member_with_login("13700000002", "南京顾客")
    counter_sale(network, shanghai.mobile)
    counter_sale(network, nanjing.mobile, outlet=network.c)
    loyalty.wallet_topup(actor=SYSTEM, member_id=shanghai.pk, key="t1", amount=20_00)
    return shanghai, nanjing, token


def test_a_clerk_sees_only_what_serving_needs(api, network, members):
    shanghai, nanjing, _ = members
    for persona in ("outlet_clerk", "other_city_clerk"):  # any counter serves any member
        r = api.get("/api/v1/members/lookup", network.auth(persona), card=shanghai.card_code)
        assert r.status_code == 200 and set(r.json()) == COUNTER_FIELDS
        assert r.json() | {"id": 0} == {
            "id": 0,
            "name": "上海顾客",
            "mobile_masked": "137****0001",
            "tier": "",
            "points": 190,
            "wallet": 20_00,
        }
    for url in (f"/api/v1/members/{shanghai.pk}/activity", "/api/v1/ledger/postings", "/api/v1/members/me"):
        r = api.get(url, network.auth("outlet_clerk"))
        assert r.status_code == 403, (url, r.json())


def test_a_city_manager_sees_their_citys_members_not_others(api, network, members):
    shanghai, nanjing, _ = members
    mine = api.get(f"/api/v1/members/{shanghai.pk}/activity", network.auth("city_manager"))
    assert mine.status_code == 200
    body = mine.json()
    assert (body["mobile_masked"], body["points"], body["wallet"]["principal"]) == ("137****0001", 190, 20_00)
    assert [o["channel"] for o in body["orders"]] == ["pos"]
    assert {m["code"] for m in body["movements"]} == {"earn", "topup"}
    other = api.get(f"/api/v1/members/{nanjing.pk}/activity", network.auth("city_manager"))
    assert (other.status_code, other.json()["code"]) == (404, "member_not_found")
    for member in (shanghai, nanjing):
        assert api.get(f"/api/v1/members/{member.pk}/activity", network.auth("hq_admin")).status_code == 200


def test_the_ledger_audit_is_for_hq_and_members_see_only_themselves(api, network, members):
    shanghai, nanjing, token = members
    assert api.get("/api/v1/ledger/postings", network.auth("hq_admin")).status_code == 200
    assert api.get("/api/v1/ledger/postings", network.auth("city_manager")).status_code == 403
    rows = api.get(
        "/api/v1/ledger/postings", network.auth("hq_admin"), account="platform:wallet:cash-in"
    ).json()
    assert [r["amount"] for r in rows] == [20_00]
    me = api.get("/api/v1/members/me", bearer(token)).json()
    assert (me["id"], me["points"]) == (shanghai.pk, 190)
    assert [o["channel"] for o in api.get("/api/v1/members/me/orders", bearer(token)).json()] == ["pos"]
    lots = api.get("/api/v1/members/me/points", bearer(token)).json()["lots"]
    assert sorted(lot["remaining"] for lot in lots) == [95, 95]
    r = api.get("/api/v1/members/lookup", bearer(token), mobile=nanjing.mobile)
    assert (r.status_code, r.json()["code"]) == (403, "not_staff")
    r = api.get(f"/api/v1/members/{nanjing.pk}/activity", bearer(token))
    assert r.status_code == 403
