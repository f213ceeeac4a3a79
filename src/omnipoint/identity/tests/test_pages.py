from omnipoint.identity.models import Consent, Verification
from omnipoint.identity.tests.conftest import NUMBER
from omnipoint.testing import PASSWORD


def _sign_in(client, persona):
    assert client.login(username=persona, password=PASSWORD)


def test_a_clerk_verifies_at_the_desk_and_the_member_sees_the_badge(client, world):
    _sign_in(client, "outlet_clerk")
    page = client.get("/console/identity/", {"mobile": world.member.mobile}).content.decode()
    assert 'data-testid="member"' in page
    r = client.post(
        "/console/identity/", {"member": world.member.pk, "name": "张三", "number": NUMBER, "matches": "on"}
    )
    assert r.status_code == 302 and Verification.objects.filter(member=world.member).count() == 1
    page = client.get("/console/identity/").content.decode()
    assert "110***********002X" in page and NUMBER not in page
    client.logout()
    client.force_login(world.member.user)
    assert 'data-testid="badge"><strong>' in client.get("/shop/identity/").content.decode()
    client.post("/shop/identity/", {"partner": world.partner_code, "action": "grant"})
    assert Consent.objects.filter(member=world.member, withdrawn_at__isnull=True).count() == 1
    assert 'data-testid="verified-badge">✔' in client.get("/shop/member/").content.decode()


def test_a_wrong_number_at_the_desk_changes_nothing_and_is_said_in_words(client, world):
    _sign_in(client, "outlet_clerk")
    r = client.post(
        "/console/identity/",
        {"member": world.member.pk, "name": "张三", "number": "110105194912310021", "matches": "on"},
        follow=True,
    )
    assert "不是有效的居民身份证号码" in r.content.decode() and not Verification.objects.exists()


def test_who_sees_which_page(client, world):
    _sign_in(client, "outlet_clerk")
    assert client.get("/console/identity/partners/").status_code == 403  # only HQ
    client.logout()
    _sign_in(client, "hq_admin")
    r = client.post("/console/identity/partners/", {"name": "Second Bank"})
    assert r.status_code == 200 and 'data-testid="token"' in r.content.decode()
    client.logout()
    assert client.get("/console/identity/").status_code == 302  # sign in first
    assert client.get("/shop/identity/").status_code == 302
    client.force_login(world.member.user)
    assert client.get("/console/identity/").status_code == 403  # a member is not staff
