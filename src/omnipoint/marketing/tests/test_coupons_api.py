"""Coupon templates and issuance through the API: scope, limits, budgets, bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from omnipoint.marketing.models import Coupon, CouponClaimCount, CouponTemplate
from omnipoint.marketing.services import coupons_expire
from omnipoint.outlets.domain import SYSTEM

pytestmark = pytest.mark.django_db
T = "/api/v1/marketing/coupon-templates"


def template(api, persona_headers, window, **body):  # type: ignore[no-untyped-def]
    body = {
        "code": "save20",
        "name": "满200减20",
        "kind": "threshold",
        "value": 20_00,
        "threshold": 200_00,
    } | body
    r = api.post(T, window | body, persona_headers)
    assert r.status_code == 201, r.json()
    return r.json()


def snapshot():  # type: ignore[no-untyped-def]
    return (
        list(Coupon.objects.order_by("pk").values_list("pk", "state", "order_id")),
        list(CouponTemplate.objects.order_by("pk").values_list("pk", "issued_count", "discount_committed")),
        list(CouponClaimCount.objects.order_by("pk").values_list("pk", "count")),
    )


def test_hq_creates_network_wide_templates_and_a_city_manager_only_in_their_city(api, network, window):
    template(api, network.auth("hq_admin"), window)
    r = api.post(
        T, window | {"code": "xx", "name": "x", "kind": "fixed", "value": 5_00}, network.auth("city_manager")
    )
    assert r.status_code == 403 and r.json()["code"] == "hq_only"
    body = {"code": "nj", "name": "x", "kind": "fixed", "value": 5_00, "region_code": "320100"}
    r = api.post(T, window | body, network.auth("city_manager"))
    assert r.status_code == 404 and r.json()["code"] == "region_not_found"
    sh = template(api, network.auth("city_manager"), window, code="sh", region_code="310100")
    assert sh["region_path"] == "/31/3101/"
    r = api.post(
        T, window | {"code": "cc", "name": "x", "kind": "fixed", "value": 1}, network.auth("outlet_clerk")
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    # the clerk sees what applies at their outlet, the Nanjing clerk not the Shanghai one
    codes = {t["code"] for t in api.get(T, network.auth("outlet_clerk")).json()}
    assert codes == {"save20", "sh"}
    assert {t["code"] for t in api.get(T, network.auth("other_city_clerk")).json()} == {"save20"}


def test_template_input_is_checked(api, network, window):
    hq = network.auth("hq_admin")
    bad = [
        ({"kind": "percentage", "value": 0}, "invalid_value"),
        ({"kind": "threshold", "value": 30_00, "threshold": 20_00}, "invalid_threshold"),
        ({"kind": "fixed", "value": 5_00, "outlet_ids": [999999]}, "outlet_not_found"),
        ({"kind": "fixed", "value": 5_00, "ends_at": window["starts_at"]}, "invalid_window"),
        ({"kind": "nonsense"}, "invalid_input"),
    ]
    for body, code in bad:
        r = api.post(T, window | {"code": "bad", "name": "x"} | body, hq)
        assert r.status_code in (403, 404, 409, 422) and r.json()["code"] == code, (body, r.json())
    assert not CouponTemplate.objects.exists()


def test_member_claims_within_the_per_member_limit_and_the_budget(
    api, network, customer, other_customer, window
):
    template(api, network.auth("hq_admin"), window, claim_limit=2, budget_count=3)
    claim = "/api/v1/marketing/coupons/claim"
    for _ in range(2):
        assert api.post(claim, {"template_code": "save20"}, customer["auth"]).status_code == 201
    before = snapshot()
    r = api.post(claim, {"template_code": "save20"}, customer["auth"])
    assert r.status_code == 409 and r.json()["code"] == "claim_limit_reached"
    assert snapshot() == before
    assert api.post(claim, {"template_code": "save20"}, other_customer["auth"]).status_code == 201
    before = snapshot()
    r = api.post(claim, {"template_code": "save20"}, other_customer["auth"])
    assert r.status_code == 409 and r.json()["code"] == "coupon_budget_exhausted"
    assert snapshot() == before
    mine = api.get("/api/v1/marketing/coupons/mine", customer["auth"]).json()
    assert len(mine) == 2 and {c["state"] for c in mine} == {"issued"} and mine[0]["name"] == "满200减20"


def test_claim_refusals_change_nothing(api, network, customer, window):
    claim = "/api/v1/marketing/coupons/claim"
    past = {
        "starts_at": (timezone.now() - timedelta(days=9)).isoformat(),
        "ends_at": (timezone.now() - timedelta(days=1)).isoformat(),
    }
    template(api, network.auth("hq_admin"), past, code="old")
    template(api, network.auth("hq_admin"), window, code="staffonly", claimable=False)
    before = snapshot()
    for code, status, err in [
        ("nope", 404, "template_not_found"),
        ("staffonly", 404, "template_not_found"),
        ("old", 422, "coupon_expired"),
    ]:
        r = api.post(claim, {"template_code": code}, customer["auth"])
        assert (r.status_code, r.json()["code"]) == (status, err)
    r = api.post(claim, {"template_code": "old"}, network.auth("outlet_clerk"))  # staff are not members
    assert (r.status_code, r.json()["code"]) == (403, "not_member")
    assert snapshot() == before


def test_staff_issue_within_their_scope_and_unknown_member_is_refused(api, network, customer, window):
    hq_tpl = template(api, network.auth("hq_admin"), window)
    sh_tpl = template(api, network.auth("city_manager"), window, code="sh", region_code="310100")
    clerk = network.auth("outlet_clerk")
    r = api.post(f"{T}/{sh_tpl['id']}/issue", {"mobile": "138 0013 8000"}, clerk)
    assert (
        r.status_code == 201
        and r.json()["member_id"] == customer["member"].pk
        and r.json()["source"] == "staff"
    )
    before = snapshot()
    r = api.post(
        f"{T}/{hq_tpl['id']}/issue", {"member_id": customer["member"].pk}, clerk
    )  # network-wide: HQ's
    assert (r.status_code, r.json()["code"]) == (404, "template_not_found")
    r = api.post(
        f"{T}/{sh_tpl['id']}/issue", {"member_id": customer["member"].pk}, network.auth("other_city_clerk")
    )
    assert (r.status_code, r.json()["code"]) == (404, "template_not_found")
    r = api.post(f"{T}/{sh_tpl['id']}/issue", {"member_id": 987654}, clerk)
    assert (r.status_code, r.json()["code"]) == (404, "member_not_found")
    r = api.post(f"{T}/{sh_tpl['id']}/issue", {"mobile": "12345"}, clerk)
    assert (r.status_code, r.json()["code"]) == (422, "invalid_mobile")
    r = api.post(f"{T}/{sh_tpl['id']}/issue", {"member_id": customer["member"].pk}, clerk)  # claim_limit 1
    assert (r.status_code, r.json()["code"]) == (409, "claim_limit_reached")
    assert snapshot() == before
    r = api.post(f"{T}/{hq_tpl['id']}/issue", {"member_id": customer["member"].pk}, network.auth("hq_admin"))
    assert r.status_code == 201


def test_campaign_issues_to_each_member_skipping_those_at_their_limit_until_the_budget(
    api, network, customer, other_customer, window
):
    from omnipoint.members.services import member_get_or_create

    third = member_get_or_create(actor=SYSTEM, mobile="13700137000")
    tpl = template(api, network.auth("hq_admin"), window, budget_count=2)
    api.post("/api/v1/marketing/coupons/claim", {"template_code": "save20"}, customer["auth"])
    ids = [customer["member"].pk, other_customer["member"].pk, third.pk]
    r = api.post(f"{T}/{tpl['id']}/campaign", {"member_ids": ids}, network.auth("hq_admin"))
    assert r.status_code == 200, r.json()
    assert r.json() == {
        "issued": 1,
        "skipped": [
            {"member_id": customer["member"].pk, "code": "claim_limit_reached"},
            {"member_id": third.pk, "code": "coupon_budget_exhausted"},
        ],
    }
    assert CouponTemplate.objects.get(pk=tpl["id"]).issued_count == 2 == Coupon.objects.count()
    r = api.post(f"{T}/{tpl['id']}/campaign", {"member_ids": [987654]}, network.auth("hq_admin"))
    assert (r.status_code, r.json()["code"]) == (404, "member_not_found")
    r = api.post(f"{T}/{tpl['id']}/campaign", {"member_ids": ids}, network.auth("outlet_clerk"))
    assert r.status_code == 403


def test_expiry_sweep_marks_issued_coupons_past_their_date(api, network, customer, window):
    template(api, network.auth("hq_admin"), window)
    api.post("/api/v1/marketing/coupons/claim", {"template_code": "save20"}, customer["auth"])
    assert coupons_expire(actor=SYSTEM) == 0
    assert coupons_expire(actor=SYSTEM, now=timezone.now() + timedelta(days=31)) == 1
    assert Coupon.objects.get().state == "expired"
