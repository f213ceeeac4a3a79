"""The showroom API: public showrooms, own sales, managers' scoped figures, rules, bad input."""

from decimal import Decimal

import pytest

from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.showrooms import services
from omnipoint.showrooms.models import CommissionRule, Showroom
from omnipoint.showrooms.tests.conftest import complete, place
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db
BASE = "/api/v1/showrooms"


@pytest.fixture
def sold(network, sales):
    """Each salesperson has one completed order; a 2% HQ default rule pays on them."""
    services.commission_rule_create(actor=actor_get(user=user_of("hq_admin")), rate=Decimal("0.02"))
    orders = {}
    for who, clerk in (("a", "outlet_clerk"), ("b", "city_manager"), ("c", "other_city_clerk")):
        order = place(getattr(sales, who), lines=[(network.skus[2].pk, 1)])
        orders[who] = complete(order, clerk_user=user_of(clerk))
    return orders


def test_a_public_showroom_shows_the_salesperson_outlet_and_products(api, network, sales):
    code = services.showroom_ensure(actor=SYSTEM, staff=sales.a).code
    r = api.get(f"{BASE}/{code}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["salesperson"] == "sales_a 王"
    assert body["outlet"]["code"] == "SH-A"
    assert body["share_path"] == f"/shop/s/{code}/"
    assert {p["code"] for p in body["products"]} == {"P-AC", "P-CABLE"}
    assert "username" not in r.content.decode() and "sales_a@" not in r.content.decode()


def test_a_showroom_of_chosen_products_shows_only_those(api, network, sales):
    r = api.patch(
        f"{BASE}/me",
        {"title": "小王的展厅", "all_products": False, "product_ids": [network.skus[0].product_id]},
        sales.auth("sales_a"),
    )
    assert r.status_code == 200, r.content
    public = api.get(f"{BASE}/{r.json()['code']}").json()
    assert public["title"] == "小王的展厅"
    assert [p["code"] for p in public["products"]] == ["P-AC"]


@pytest.mark.parametrize("code", ["nope1234", "bad.code!", "x" * 40, "ZZ", "%00abc"])
def test_an_unknown_showroom_is_404(api, network, sales, code):
    services.showroom_ensure(actor=SYSTEM, staff=sales.a)
    r = api.get(f"{BASE}/{code}")
    assert r.status_code == 404
    assert r.json()["code"] == "showroom_not_found"


def test_a_showroom_of_a_salesperson_who_left_is_404(api, network, sales):
    code = services.showroom_ensure(actor=SYSTEM, staff=sales.a).code
    sales.a.user.is_active = False
    sales.a.user.save()
    assert api.get(f"{BASE}/{code}").json()["code"] == "showroom_not_found"


def test_a_salesperson_sees_only_their_own_sales(api, network, sales, sold):
    r = api.get(f"{BASE}/me/sales", sales.auth("sales_a"))
    assert r.status_code == 200
    body = r.json()
    assert [o["number"] for o in body["orders"]] == [sold["a"].number]
    assert body["accrued"] == 600 and body["net"] == 600 and body["ledger_balance"] == 600  # 2% of ¥300
    assert body["orders"][0]["commission_accrued"] == 600
    # Not anyone else's, not by asking for them either.
    r = api.get(f"{BASE}/commissions", sales.auth("sales_a"), staff_id=sales.b.pk)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert api.get(f"{BASE}/commissions", sales.auth("sales_a")).status_code == 403


def test_me_is_for_salespeople(api, network, sales):
    for persona in ("hq_admin", "city_manager", "outlet_clerk"):
        r = api.get(f"{BASE}/me/sales", network.auth(persona))
        assert r.status_code == 403 and r.json()["code"] == "not_salesperson"
        assert api.get(f"{BASE}/me", network.auth(persona)).json()["code"] == "not_salesperson"
    assert api.get(f"{BASE}/me/sales").status_code == 401
    assert not Showroom.objects.exists()


def test_a_city_manager_sees_their_citys_salespeople_only(api, network, sales, sold):
    r = api.get(f"{BASE}/commissions", network.auth("city_manager"))
    assert r.status_code == 200
    rows = {row["display_name"]: row for row in r.json()}
    assert set(rows) == {"sales_a 王", "sales_b 王"}
    assert rows["sales_a 王"]["accrued"] == 600 and rows["sales_a 王"]["orders"] == 1
    detail = api.get(f"{BASE}/commissions", network.auth("city_manager"), staff_id=sales.b.pk).json()
    assert [o["number"] for o in detail["orders"]] == [sold["b"].number]
    r = api.get(f"{BASE}/commissions", network.auth("city_manager"), staff_id=sales.c.pk)
    assert r.status_code == 404 and r.json()["code"] == "salesperson_not_found"


def test_an_outlet_manager_sees_their_outlets_salespeople_and_hq_sees_all(api, network, sales, sold):
    names = [
        row["display_name"] for row in api.get(f"{BASE}/commissions", network.auth("outlet_manager")).json()
    ]
    assert names == ["sales_a 王"]
    names = {row["display_name"] for row in api.get(f"{BASE}/commissions", network.auth("hq_admin")).json()}
    assert names == {"sales_a 王", "sales_b 王", "sales_c 王"}


def test_other_city_clerk_sees_nothing_of_shanghai(api, network, sales, sold):
    auth = network.auth("other_city_clerk")
    assert api.get(f"{BASE}/commissions", auth).status_code == 403
    for staff in (sales.a, sales.b):
        r = api.get(f"{BASE}/commissions", auth, staff_id=staff.pk)
        assert r.status_code == 403 and "sales_" not in r.content.decode()
    assert api.get(f"{BASE}/rules", auth).status_code == 403
    assert api.get(f"{BASE}/me/sales", auth).status_code == 403


def test_rules_crud_for_hq_and_region_managers_in_scope(api, network, sales):
    hq, city = network.auth("hq_admin"), network.auth("city_manager")
    r = api.post(f"{BASE}/rules", {"rate": "0.02"}, hq)
    assert r.status_code == 201, r.content
    default = r.json()
    assert default["region_path"] == "/" and Decimal(str(default["rate"])) == Decimal("0.02")
    r = api.post(
        f"{BASE}/rules", {"category_id": network.skus[2].product.category_id, "fixed_per_unit": 150}, city
    )
    assert r.status_code == 201, r.content
    city_rule = r.json()
    assert city_rule["region_path"] == "/31/3101/"
    # The city manager sees HQ's rule (it applies to them) but may not change it.
    assert {x["id"] for x in api.get(f"{BASE}/rules", city).json()} == {default["id"], city_rule["id"]}
    r = api.patch(f"{BASE}/rules/{default['id']}", {"rate": "0.03"}, city)
    assert r.status_code == 404 and r.json()["code"] == "rule_not_found"
    assert api.raw("delete", f"{BASE}/rules/{default['id']}", {}, city).status_code == 404
    # Their own rule they may change (from fixed to a rate) and delete.
    r = api.patch(f"{BASE}/rules/{city_rule['id']}", {"rate": "0.04"}, city)
    assert r.status_code == 200 and r.json()["fixed_per_unit"] is None
    assert api.raw("delete", f"{BASE}/rules/{city_rule['id']}", {}, city).status_code == 204
    assert list(CommissionRule.objects.values_list("pk", flat=True)) == [default["id"]]
    # Other province: not theirs.
    r = api.post(f"{BASE}/rules", {"region_code": "320100", "rate": "0.01"}, city)
    assert r.status_code == 404 and r.json()["code"] == "region_not_found"
    # Outlet staff and salespeople set no rules.
    for persona in ("outlet_manager", "outlet_clerk", "sales_a"):
        assert api.post(f"{BASE}/rules", {"rate": "0.01"}, network.auth(persona)).status_code == 403
    assert CommissionRule.objects.count() == 1


@pytest.mark.parametrize(
    "body,status,code",
    [
        ({}, 422, "invalid_rule"),
        ({"rate": "0.02", "fixed_per_unit": 100}, 422, "invalid_rule"),
        ({"rate": "0.9"}, 422, "invalid_rate"),
        ({"rate": "1.5"}, 422, "invalid_input"),
        ({"rate": "-0.1"}, 422, "invalid_input"),
        ({"rate": "abc"}, 422, "invalid_input"),
        ({"rate": "NaN"}, 422, "invalid_input"),
        ({"rate": "0.123456"}, 422, "invalid_input"),
        ({"fixed_per_unit": -5}, 422, "invalid_input"),
        ({"fixed_per_unit": 10**15}, 422, "invalid_input"),
        ({"fixed_per_unit": 100, "product_id": 0}, 422, "invalid_input"),
        ({"fixed_per_unit": 100, "product_id": 2**70}, 422, "invalid_input"),
        ({"fixed_per_unit": 100, "product_id": 999999}, 404, "product_not_found"),
        ({"fixed_per_unit": 100, "category_id": 999999}, 404, "category_not_found"),
        ({"fixed_per_unit": 100, "region_code": "999999"}, 404, "region_not_found"),
        ({"fixed_per_unit": 100, "region_code": "3101000"}, 422, "invalid_input"),
    ],
)
def test_bad_rules_are_refused_and_change_nothing(api, network, body, status, code):
    r = api.post(f"{BASE}/rules", body, network.auth("hq_admin"))
    assert r.status_code == status, r.content
    assert r.json()["code"] == code
    assert not CommissionRule.objects.exists()


def test_a_second_rule_for_the_same_target_is_refused(api, network):
    hq = network.auth("hq_admin")
    assert api.post(f"{BASE}/rules", {"rate": "0.02"}, hq).status_code == 201
    r = api.post(f"{BASE}/rules", {"fixed_per_unit": 10}, hq)
    assert r.status_code == 422 and r.json()["code"] == "duplicate_rule"
    assert CommissionRule.objects.count() == 1


def test_bad_showroom_edits_are_refused_and_change_nothing(api, network, sales):
    auth = sales.auth("sales_a")
    before = api.get(f"{BASE}/me", auth).json()
    for body, status, code in [
        ({"product_ids": [999999]}, 404, "product_not_found"),
        ({"all_products": False, "product_ids": []}, 422, "no_products"),
        ({"title": "x" * 81}, 422, "invalid_input"),
        ({"product_ids": [0]}, 422, "invalid_input"),
    ]:
        r = api.patch(f"{BASE}/me", body, auth)
        assert (r.status_code, r.json()["code"]) == (status, code), body
    assert api.get(f"{BASE}/me", auth).json() == before
    assert api.raw("patch", f"{BASE}/me", "{not json", auth).status_code == 400


def test_unknown_or_malformed_rule_ids(api, network):
    hq = network.auth("hq_admin")
    assert api.patch(f"{BASE}/rules/999999", {"rate": "0.01"}, hq).json()["code"] == "rule_not_found"
    assert api.patch(f"{BASE}/rules/0", {"rate": "0.01"}, hq).json()["code"] == "invalid_input"
    assert api.get(f"{BASE}/commissions", hq, staff_id="abc").json()["code"] == "invalid_input"
    assert api.get(f"{BASE}/commissions", hq, staff_id=999999).json()["code"] == "salesperson_not_found"
