"""Promotions through the API: created and seen within scope, checked, ended."""

import pytest

from omnipoint.marketing.models import Promotion

pytestmark = pytest.mark.django_db
P = "/api/v1/marketing/promotions"


def test_promotions_are_created_and_listed_within_scope(api, network, window):
    hq, city = network.auth("hq_admin"), network.auth("city_manager")
    body = {"name": "满300减30", "kind": "threshold", "threshold": 300_00, "amount_off": 30_00}
    assert api.post(P, window | body, hq).status_code == 201
    r = api.post(P, window | body | {"region_code": "310100", "outlet_id": network.a.pk, "priority": 5}, city)
    assert r.status_code == 201 and r.json()["outlet_id"] == network.a.pk
    r = api.post(P, window | body | {"region_code": "310100", "outlet_id": network.c.pk}, city)
    assert (r.status_code, r.json()["code"]) == (404, "outlet_not_found")
    r = api.post(P, window | body, city)
    assert (r.status_code, r.json()["code"]) == (403, "hq_only")
    r = api.post(P, window | body, network.auth("outlet_manager"))
    assert r.status_code == 403
    assert len(api.get(P, network.auth("outlet_clerk")).json()) == 2
    assert len(api.get(P, network.auth("other_city_clerk")).json()) == 1


def test_promotion_rules_are_checked(api, network, window):
    hq = network.auth("hq_admin")
    bad = [
        ({"kind": "discount"}, "invalid_value"),
        ({"kind": "discount", "percent_off": "10", "amount_off": 5}, "invalid_value"),
        ({"kind": "threshold", "threshold": 100, "amount_off": 200}, "invalid_threshold"),
        ({"kind": "bundle", "bundle_quantity": 1, "bundle_price": 100}, "invalid_bundle"),
        ({"kind": "buy_x_get_y", "buy_quantity": 2}, "invalid_bundle"),
        ({"kind": "discount", "percent_off": "150"}, "invalid_input"),
        ({"kind": "discount", "amount_off": 5, "category_ids": [987654]}, "category_not_found"),
    ]
    for body, code in bad:
        r = api.post(P, window | {"name": "x"} | body, hq)
        assert r.json()["code"] == code and r.status_code in (404, 422), (body, r.json())
    assert not Promotion.objects.exists()


def test_ending_a_promotion(api, network, window):
    body = {"name": "9折", "kind": "discount", "percent_off": "10", "region_code": "310100"}
    pid = api.post(P, window | body, network.auth("city_manager")).json()["id"]
    r = api.post(f"{P}/{pid}/end", {}, network.auth("province_manager"))
    assert r.status_code == 200 and not r.json()["is_active"]
    r = api.post(f"{P}/{pid}/end", {}, network.auth("other_city_clerk"))
    assert r.status_code == 403
