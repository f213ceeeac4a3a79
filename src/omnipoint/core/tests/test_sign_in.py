"""Staff sign-in and API tokens under attack (issue 7, items 9, 10 and 19): password guessing
is throttled on every door, tokens expire, are revoked and never kept in clear."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from omnipoint.core.cached import forget
from omnipoint.core.models import ApiToken, IdempotencyRecord
from omnipoint.testing import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"


def token_attempt(client, username: str, password: str, **meta):
    body = {"username": username, "password": password}
    return client.post(TOKEN_URL, body, content_type="application/json", **meta)


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_thirty_wrong_passwords_then_the_right_one_gets_no_token(client, network):
    answers = [token_attempt(client, "outlet_clerk", f"guess-{i}").json()["code"] for i in range(30)]
    assert answers[:5] == ["bad_credentials"] * 5
    assert set(answers[5:]) == {"login_throttled"}
    right = token_attempt(client, "outlet_clerk", PASSWORD)
    assert (right.status_code, right.json()["code"]) == (429, "login_throttled")
    assert "token" not in right.json()


def test_a_throttled_attempt_spends_no_hashing(client, network, monkeypatch):
    for i in range(5):
        token_attempt(client, "outlet_clerk", f"guess-{i}")
    from django.contrib.auth.hashers import MD5PasswordHasher

    def no_hashing(*args, **kwargs):
        raise AssertionError("a throttled attempt hashed a password")

    monkeypatch.setattr(MD5PasswordHasher, "verify", no_hashing)
    monkeypatch.setattr(MD5PasswordHasher, "encode", no_hashing)
    assert token_attempt(client, "outlet_clerk", PASSWORD).status_code == 429


def test_the_console_and_the_admin_are_throttled_too(client, network):
    for i in range(30):
        client.post("/console/login/", {"username": "hq_admin", "password": f"guess-{i}"})
    page = client.post("/console/login/", {"username": "hq_admin", "password": PASSWORD})
    assert page.status_code == 200 and 'data-testid="login-throttled"' in page.content.decode()
    assert "登录失败次数过多" in page.content.decode()
    assert client.get("/console/").status_code == 302  # not signed in
    admin = client.post("/admin/login/", {"username": "hq_admin", "password": PASSWORD})
    assert admin.status_code == 200 and "登录失败次数过多" in admin.content.decode()


def test_one_address_guessing_many_accounts_is_throttled(client, network, settings):
    settings.THROTTLES = settings.THROTTLES | {"staff_login_address": (3, 900)}
    for name in ("hq_admin", "city_manager", "outlet_manager"):
        assert token_attempt(client, name, "wrong").json()["code"] == "bad_credentials"
    assert token_attempt(client, "outlet_clerk", PASSWORD).status_code == 429
    assert token_attempt(client, "outlet_clerk", PASSWORD, REMOTE_ADDR="10.0.0.2").status_code == 201


def test_successful_sign_ins_do_not_use_up_the_limit(client, network):
    for _ in range(10):
        assert token_attempt(client, "outlet_clerk", PASSWORD).status_code == 201
    for i in range(4):
        token_attempt(client, "outlet_clerk", f"guess-{i}")
    assert token_attempt(client, "outlet_clerk", PASSWORD).status_code == 201


def test_a_token_expires(client, network):
    answer = token_attempt(client, "outlet_clerk", PASSWORD).json()
    token = answer["token"]
    assert client.get("/api/v1/me", **bearer(token)).status_code == 200
    ApiToken.objects.filter(key_hash=ApiToken.hash(token)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    forget("tokens")  # as if the kept copy had lapsed too (an update sends no signal)
    gone = client.get("/api/v1/me", **bearer(token))
    assert (gone.status_code, gone.json()["code"]) == (401, "unauthenticated")


def test_a_token_is_issued_with_a_bounded_lifetime(client, network, settings):
    settings.STAFF_TOKEN_SECONDS = 3600
    before = timezone.now()
    answer = token_attempt(client, "outlet_clerk", PASSWORD).json()
    row = ApiToken.objects.get(key_hash=ApiToken.hash(answer["token"]))
    assert before + timedelta(seconds=3590) < row.expires_at <= timezone.now() + timedelta(seconds=3600)


def test_a_password_change_revokes_every_token(client, network):
    token = token_attempt(client, "outlet_clerk", PASSWORD).json()["token"]
    user = get_user_model().objects.get(username="outlet_clerk")
    user.set_password("a new password")
    user.save()
    gone = client.get("/api/v1/me", **bearer(token))
    assert (gone.status_code, gone.json()["code"]) == (401, "unauthenticated")
    assert client.get("/api/v1/me", **bearer(network.tokens["outlet_clerk"])).status_code == 401


def test_revoking_a_token(client, network):
    first = token_attempt(client, "outlet_clerk", PASSWORD).json()["token"]
    second = token_attempt(client, "outlet_clerk", PASSWORD).json()["token"]
    revoked = client.post("/api/v1/auth/token/revoke", {}, content_type="application/json", **bearer(first))
    assert revoked.status_code == 200 and revoked.json() == {"revoked": 1}
    assert client.get("/api/v1/me", **bearer(first)).status_code == 401
    assert client.get("/api/v1/me", **bearer(second)).status_code == 200
    every = client.post(
        "/api/v1/auth/token/revoke", {"all": True}, content_type="application/json", **bearer(second)
    )
    assert every.json()["revoked"] >= 2  # this one, and the persona's own
    assert client.get("/api/v1/me", **bearer(second)).status_code == 401
    assert not ApiToken.objects.filter(user__username="outlet_clerk").exists()


def test_a_token_asked_for_with_an_idempotency_key_is_not_kept_in_clear(client, network):
    key = {"HTTP_IDEMPOTENCY_KEY": "login-1"}
    token = token_attempt(client, "outlet_clerk", PASSWORD, **key).json()["token"]
    kept = b"".join(bytes(r.body) for r in IdempotencyRecord.objects.all())
    assert token.encode() not in kept
    again = token_attempt(client, "outlet_clerk", PASSWORD, **key)
    assert again.status_code == 201 and again.json()["token"] != token  # a fresh one, not a replay
    assert token_attempt(client, "outlet_clerk", PASSWORD).headers["Cache-Control"] == "no-store"


def test_no_token_is_kept_in_clear_anywhere(client, network):
    token = token_attempt(client, "outlet_clerk", PASSWORD, HTTP_IDEMPOTENCY_KEY="k").json()["token"]
    for row in ApiToken.objects.values():
        assert token not in json.dumps(row, default=str)


def test_an_unauthenticated_write_is_401_not_a_csrf_failure(client, network):
    answer = client.post("/api/v1/auth/token/revoke", {}, content_type="application/json")
    assert (answer.status_code, answer.json()["code"]) == (401, "unauthenticated")


def test_a_signed_in_session_without_its_csrf_token_is_refused_as_such(network):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.login(username="outlet_clerk", password=PASSWORD)
    answer = browser.post("/api/v1/auth/token/revoke", {"all": True}, content_type="application/json")
    assert (answer.status_code, answer.json()["code"]) == (403, "csrf_failed")
    assert ApiToken.objects.filter(user__username="outlet_clerk").exists()


def test_the_sign_in_answers_are_documented():
    from omnipoint.config.api import api

    paths = api.get_openapi_schema()["paths"]
    assert {201, 400, 401, 422, 429} <= set(paths["/api/v1/auth/token"]["post"]["responses"])
    assert 429 in paths["/api/v1/members/login"]["post"]["responses"]
    assert 429 in paths["/api/v1/members/login/code"]["post"]["responses"]


def test_the_hourly_purge_drops_ended_windows_and_expired_tokens(client, network):
    from omnipoint.core.models import ThrottleCounter
    from omnipoint.core.tasks import purge_throttle_counters_and_tokens

    token_attempt(client, "outlet_clerk", "wrong")
    live = token_attempt(client, "outlet_clerk", PASSWORD).json()["token"]
    ThrottleCounter.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    ApiToken.objects.exclude(key_hash=ApiToken.hash(live)).update(expires_at=timezone.now())
    assert purge_throttle_counters_and_tokens.call_local() > 0
    assert not ThrottleCounter.objects.exists()
    assert list(ApiToken.objects.values_list("key_hash", flat=True)) == [ApiToken.hash(live)]
