"""A customer never sees Django's debug or bare pages (issue 7, item 2): friendly pages in the
reader's language, and JSON {code, message} for every path under /api/v1/."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def page_in(client, language: str, url: str):
    client.cookies["django_language"] = language
    return client.get(url)


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [("zh-hans", "找不到页面", "Page not found"), ("en", "Page not found", "找不到页面")],
)
def test_an_unknown_page_is_a_friendly_page_in_one_language(client, language, shown, not_shown):
    answer = page_in(client, language, "/shop/no-such-page/")
    html = answer.content.decode()
    assert answer.status_code == 404 and 'data-testid="error-page"' in html
    assert shown in html and not_shown not in html and "Django" not in html


def test_a_csrf_failure_is_a_friendly_page(db):
    browser = Client(enforce_csrf_checks=True)
    answer = browser.post("/shop/member/login/", {"mobile": "13700000001"})
    html = answer.content.decode()
    assert answer.status_code == 403 and "页面已过期" in html and "CSRF" not in html


def test_a_server_error_is_a_friendly_page(monkeypatch):
    from omnipoint.members import services

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "login_code_issue", broken)
    client = Client(raise_request_exception=False)
    answer = client.post("/shop/member/login/", {"mobile": "13700000001"})
    html = answer.content.decode()
    assert answer.status_code == 500 and "出错了" in html and "boom" not in html and "Traceback" not in html


@pytest.mark.parametrize(
    ("method", "url", "status", "code"),
    [
        ("get", "/api/v1/no-such-thing", 404, "not_found"),
        ("get", "/api/v1/", 404, "not_found"),
        ("post", "/api/v1/orders/1/no-such-step", 404, "not_found"),
        ("post", "/api/v1/health/live", 405, "method_not_allowed"),
        ("delete", "/api/v1/me", 405, "method_not_allowed"),
    ],
)
def test_every_api_path_answers_json(client, method, url, status, code):
    answer = getattr(client, method)(url)
    assert (answer.status_code, answer["Content-Type"]) == (status, "application/json")
    body = answer.json()
    assert body["code"] == code and body["message"]


def test_an_api_server_error_is_json(monkeypatch, network):
    from omnipoint.core.models import ApiToken

    def broken(key):
        raise RuntimeError("boom")

    monkeypatch.setattr(ApiToken, "user_for", staticmethod(broken))
    client = Client(raise_request_exception=False)
    answer = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer x")
    assert answer.status_code == 500 and answer.json()["code"] == "server_error"
    assert "boom" not in answer.content.decode()


def test_the_sandbox_gateway_is_not_there_unless_enabled(client, settings, network):
    from omnipoint.payments.tests.conftest import NOTIFY_URL

    settings.SANDBOX_GATEWAY = False
    answer = client.post(NOTIFY_URL, b"{}", content_type="application/json")
    assert (answer.status_code, answer.json()["code"]) == (404, "provider_not_found")


def test_the_pay_page_is_mounted_only_when_the_gateway_is_on(client, settings, db):
    import importlib

    from django.urls import clear_url_caches

    from omnipoint.config import urls

    def pay_page() -> str:
        importlib.reload(urls)
        clear_url_caches()
        return client.get("/sandbox/pay/anything/").content.decode()

    try:
        settings.SANDBOX_GATEWAY = False
        assert 'data-testid="error-page"' in pay_page()  # our 404: no gateway here
        settings.SANDBOX_GATEWAY = True
        assert "沙箱收银台" in pay_page()  # the gateway's own page (for a charge it does not know)
    finally:
        importlib.reload(urls)
        clear_url_caches()
