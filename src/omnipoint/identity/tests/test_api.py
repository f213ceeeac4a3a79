from omnipoint.identity.models import Lookup, Verification
from omnipoint.identity.tests.conftest import NUMBER

URL = "/api/v1/identity"


def _body(world, **kw):
    return {"member_id": world.member.pk, "name": "张三", "number": NUMBER, "document_matches": True} | kw


def test_counter_verification_then_the_member_and_a_consenting_partner_see_it(api, world):
    net = world.net
    r = api.post(f"{URL}/verifications", _body(world), net.auth("outlet_clerk"))
    assert r.status_code == 201, r.content
    assert r.json()["number_masked"] == "110***********002X" and NUMBER not in r.content.decode()
    assert api.get(f"{URL}/me", world.member_auth()).json()["verified"] is True
    ask = {"mobile": world.member.mobile}
    assert api.post(f"{URL}/lookups", ask, world.partner_auth()).json()["answer"] == "no_consent"
    r = api.post(f"{URL}/me/consents", {"partner": world.partner_code}, world.member_auth())
    assert r.status_code == 200 and r.json()["consents"][0]["granted_at"]
    r = api.post(f"{URL}/lookups", ask | {"name": "张三"}, world.partner_auth())
    assert r.json()["answer"] == "verified" and r.json()["name_matches"] is True
    assert Lookup.objects.filter(partner__isnull=False).count() == 2


def test_who_may_do_what(api, world):
    net = world.net
    body = _body(world)
    # a member cannot verify, nor a partner; another province's clerk cannot act at outlet A
    assert api.post(f"{URL}/verifications", body, world.member_auth()).status_code == 403
    assert api.post(f"{URL}/verifications", body, world.partner_auth()).status_code == 403
    r = api.post(f"{URL}/verifications", body | {"outlet_id": net.a.pk}, net.auth("other_city_clerk"))
    assert r.status_code == 404 and r.json()["code"] == "outlet_not_found"
    # staff cannot ask as a partner; a member cannot add partners
    assert (
        api.post(f"{URL}/lookups", {"mobile": "13800000001"}, net.auth("hq_admin")).json()["code"]
        == "not_partner"
    )
    assert api.post(f"{URL}/partners", {"name": "X Bank"}, world.member_auth()).status_code == 403
    assert api.post(f"{URL}/partners", {"name": "X Bank"}, net.auth("province_manager")).status_code == 403
    row = api.post(f"{URL}/verifications", body, net.auth("outlet_clerk")).json()
    # the list is scoped: outlet A's manager sees it, the other province's clerk does not
    assert [v["id"] for v in api.get(f"{URL}/verifications", net.auth("outlet_manager")).json()] == [
        row["id"]
    ]
    assert api.get(f"{URL}/verifications", net.auth("other_city_clerk")).json() == []
    r = api.post(f"{URL}/verifications/{row['id']}/revoke", {"reason": "other"}, net.auth("outlet_clerk"))
    assert r.status_code == 403
    r = api.post(
        f"{URL}/verifications/{row['id']}/revoke", {"reason": "member_asked"}, net.auth("city_manager")
    )
    assert r.status_code == 200 and r.json()["revoked_at"]


def test_staff_opening_a_members_record_is_audited(api, world):
    net = world.net
    assert api.get(f"{URL}/members/{world.member.pk}", net.auth("outlet_clerk")).json() is None
    api.post(f"{URL}/verifications", _body(world), net.auth("outlet_clerk"))
    assert api.get(f"{URL}/members/{world.member.pk}", net.auth("outlet_clerk")).json()["name"] == "张三"
    assert list(Lookup.objects.filter(partner__isnull=True).values_list("answer", flat=True)) == [
        "not_verified", "verified",
    ]  # fmt: skip


def test_bad_input_is_refused_with_a_code_and_changes_nothing(api, world):
    net, auth = world.net, world.net.auth("outlet_clerk")
    cases = [
        (_body(world, number="110105194912310021"), 422, "identity_number_invalid"),
        (_body(world, number="1101051949"), 422, "identity_number_invalid"),
        (_body(world, name=""), 422, "name_invalid"),
        (_body(world, document_matches=False), 422, "document_not_confirmed"),
        (_body(world, member_id=10**12), 404, "member_not_found"),
        (_body(world, extra=1), 422, None),
    ]
    for body, status, code in cases:
        r = api.post(f"{URL}/verifications", body, auth)
        assert r.status_code == status, (body, r.content)
        if code:
            assert r.json()["code"] == code
    assert not Verification.objects.exists()
    r = api.post(f"{URL}/verifications/999999/revoke", {"reason": "other"}, net.auth("outlet_manager"))
    assert r.json()["code"] == "verification_not_found"
    r = api.post(f"{URL}/me/consents", {"partner": "nobody"}, world.member_auth())
    assert r.status_code == 404 and r.json()["code"] == "partner_not_found"
