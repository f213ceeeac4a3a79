"""Sign-in throttles under real concurrency (issue 7, items 1 and 9): many guesses sent at the same
moment, each thread with its own connection, through the API. The limit is decided by the
database (a guarded UPDATE or the window's first insert), so no interleaving gets a guess past
it. They run on SQLite too; on PostgreSQL the writers really overlap."""

import re

import pytest
from django.test import Client

from omnipoint.members.models import LoginCode
from omnipoint.members.services import login_code_issue
from omnipoint.outlets.domain import SYSTEM
from omnipoint.testing import PASSWORD

from .threads import raised, run_together

pytestmark = pytest.mark.django_db(transaction=True)

MOBILE = "13700000001"


def post(url: str, body: dict[str, str]):  # type: ignore[no-untyped-def]
    return Client().post(url, body, content_type="application/json")


def codes_of(answers) -> list[str]:  # type: ignore[no-untyped-def]
    assert not raised(answers), raised(answers)
    return sorted(a.json()["code"] for a in answers)


def test_concurrent_code_guesses_stop_at_the_limit(regions, settings):
    limit = settings.THROTTLES["member_login_mobile"][0]
    code, _ = login_code_issue(actor=SYSTEM, mobile=MOBILE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    n = 12
    answers = run_together([lambda: post("/api/v1/members/login", {"mobile": MOBILE, "code": wrong})] * n)
    assert codes_of(answers) == ["login_attempts_throttled"] * (n - limit) + ["login_code_invalid"] * limit
    late = post("/api/v1/members/login", {"mobile": MOBILE, "code": code})
    assert (late.status_code, late.json()["code"]) == (429, "login_attempts_throttled")


def test_concurrent_code_requests_stop_at_the_limit(regions, settings):
    limit = settings.THROTTLES["member_code_mobile"][0]
    n = 10
    answers = run_together([lambda: post("/api/v1/members/login/code", {"mobile": MOBILE})] * n)
    assert not raised(answers), raised(answers)
    assert sorted(a.status_code for a in answers) == [201] * limit + [429] * (n - limit)
    assert LoginCode.objects.filter(mobile=MOBILE).count() == limit


def test_concurrent_password_guesses_stop_at_the_limit(network, settings):
    limit = settings.THROTTLES["staff_login_account"][0]
    n = 20
    guesses = [
        (lambda i=i: post("/api/v1/auth/token", {"username": "outlet_clerk", "password": f"guess-{i}"}))
        for i in range(n)
    ]
    answers = run_together(guesses)
    assert codes_of(answers) == ["bad_credentials"] * limit + ["login_throttled"] * (n - limit)
    right = post("/api/v1/auth/token", {"username": "outlet_clerk", "password": PASSWORD})
    assert (right.status_code, right.json()["code"]) == (429, "login_throttled")
    assert not re.search(r"op_", right.content.decode())
