"""Signing in with a mobile number: the code reaches the member by SMS only, and codes asked
for and tried are limited per number and per client address (the attacks of issue 7, item 1)."""

import importlib
import re

import pytest
from django.urls import clear_url_caches

from omnipoint.members.models import LoginCode, SandboxSms
from omnipoint.members.services import login_code_issue
from omnipoint.outlets.domain import SYSTEM

pytestmark = pytest.mark.django_db

VICTIM = "13700000001"
CODE_URL = "/api/v1/members/login/code"
LOGIN_URL = "/api/v1/members/login"


class Outbox:
    """An SMS provider for tests: what it was asked to send."""

    sent: list[tuple[str, str]] = []

    def send(self, *, mobile: str, text: str) -> None:
        Outbox.sent.append((mobile, text))


@pytest.fixture
def outbox(settings):
    settings.SMS_PROVIDER = "omnipoint.members.tests.test_login_code.Outbox"
    Outbox.sent = []
    return Outbox.sent


def sent_code(outbox: list[tuple[str, str]], mobile: str) -> str:
    texts = [text for to, text in outbox if to == mobile]
    assert texts, outbox
    return re.search(r"\d{6}", texts[-1]).group(0)


def test_the_api_never_returns_the_code_and_sends_it_by_sms(api, outbox):
    r = api.post(CODE_URL, {"mobile": VICTIM})
    assert r.status_code == 201 and r.json().get("demo_code") is None
    code = sent_code(outbox, VICTIM)
    assert code not in r.content.decode()
    ok = api.post(LOGIN_URL, {"mobile": VICTIM, "code": code})
    assert ok.status_code == 201 and ok.json()["token"]


def test_the_sign_in_page_never_shows_the_code(client, outbox):
    page = client.post("/shop/member/login/", {"mobile": VICTIM}).content.decode()
    code = sent_code(outbox, VICTIM)
    assert code not in page and 'data-testid="demo-code"' not in page
    assert 'data-testid="code-sent"' in page and "短信" in page
    assert client.post("/shop/member/login/", {"mobile": VICTIM, "code": code}).status_code == 302


def test_with_the_demo_on_the_code_is_shown_and_kept_for_the_sandbox_page(api, client, demo_mode):
    r = api.post(CODE_URL, {"mobile": VICTIM})
    code = r.json()["demo_code"]
    assert re.fullmatch(r"\d{6}", code) and r["Cache-Control"] == "no-store"
    assert SandboxSms.objects.filter(mobile=VICTIM, text__contains=code).exists()
    page = client.post("/shop/member/login/", {"mobile": "13700000002"}).content.decode()
    assert 'data-testid="demo-code"' in page


def _reload_urls():
    from omnipoint.config import urls

    importlib.reload(urls)
    clear_url_caches()


@pytest.fixture
def fresh_urls():
    """Reload the URLconf after changing a switch it reads, and again afterwards."""
    yield _reload_urls
    _reload_urls()


def test_the_sandbox_sms_page_exists_only_in_the_demo(client, settings, fresh_urls):
    settings.DEMO_MODE = False
    fresh_urls()
    login_code_issue(actor=SYSTEM, mobile=VICTIM)
    assert client.get("/sandbox/sms/").status_code == 404
    assert not SandboxSms.objects.exists()  # nor is anything kept for it
    settings.DEMO_MODE = True
    fresh_urls()
    login_code_issue(actor=SYSTEM, mobile=VICTIM)
    page = client.get("/sandbox/sms/", {"mobile": VICTIM})
    assert page.status_code == 200 and page.content.decode().count('data-testid="sandbox-sms"') == 1


def test_codes_asked_for_one_number_are_limited(api, outbox, settings):
    settings.THROTTLES = settings.THROTTLES | {"member_code_mobile": (3, 3600)}
    answers = [api.post(CODE_URL, {"mobile": VICTIM}).status_code for _ in range(5)]
    assert answers == [201, 201, 201, 429, 429]
    assert len(outbox) == 3 and LoginCode.objects.count() == 3
    assert api.post(CODE_URL, {"mobile": "13700000002"}).status_code == 201  # another number


def test_codes_asked_from_one_address_are_limited(api, outbox, settings):
    settings.THROTTLES = settings.THROTTLES | {"member_code_address": (3, 3600)}
    answers = [api.post(CODE_URL, {"mobile": f"1370000001{i}"}).status_code for i in range(5)]
    assert answers == [201, 201, 201, 429, 429]
    refused = api.post(CODE_URL, {"mobile": "13700000019"})
    assert refused.json()["code"] == "login_code_throttled"


def test_guessing_a_code_stops_at_the_limit_even_with_the_right_code(api, outbox):
    api.post(CODE_URL, {"mobile": VICTIM})
    code = sent_code(outbox, VICTIM)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    answers = [api.post(LOGIN_URL, {"mobile": VICTIM, "code": wrong}) for _ in range(5)]
    assert [a.json()["code"] for a in answers] == ["login_code_invalid"] * 5
    late = api.post(LOGIN_URL, {"mobile": VICTIM, "code": code})
    assert (late.status_code, late.json()["code"]) == (429, "login_attempts_throttled")


def test_guessing_across_numbers_from_one_address_is_limited(api, outbox, settings):
    settings.THROTTLES = settings.THROTTLES | {"member_login_address": (4, 900)}
    for i in range(4):
        assert api.post(LOGIN_URL, {"mobile": f"1370000002{i}", "code": "123456"}).status_code == 422
    api.post(CODE_URL, {"mobile": VICTIM})
    right = api.post(LOGIN_URL, {"mobile": VICTIM, "code": sent_code(outbox, VICTIM)})
    assert (right.status_code, right.json()["code"]) == (429, "login_attempts_throttled")
    # Another address is counted on its own.
    assert (
        api.c.post(
            LOGIN_URL,
            {"mobile": VICTIM, "code": sent_code(outbox, VICTIM)},
            content_type="application/json",
            REMOTE_ADDR="10.0.0.9",
        ).status_code
        == 201
    )


def test_the_address_behind_a_proxy_is_the_one_the_proxy_saw(api, outbox, settings):
    settings.PROXY_COUNT = 1
    settings.THROTTLES = settings.THROTTLES | {"member_code_address": (2, 3600)}

    def ask(mobile: str, forwarded: str) -> int:
        return api.c.post(
            CODE_URL, {"mobile": mobile}, content_type="application/json", HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    # The client forges the first entries; the proxy appends the address it saw.
    assert [ask(f"1370000003{i}", f"1.1.1.{i}, 203.0.113.7") for i in range(3)] == [201, 201, 429]
    assert ask("13700000039", "203.0.113.8") == 201
