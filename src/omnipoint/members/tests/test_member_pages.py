"""The console's member pages and the storefront's member centre, by persona."""

import re

import pytest

from omnipoint.loyalty import selectors as loyalty
from omnipoint.loyalty.tests.helpers import counter_sale, earn_rules, member_with_login, package_100_10
from omnipoint.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(network):
    earn_rules()
    shanghai, _ = member_with_login("13700000001", "上海顾客")
    nanjing, _ = member_with_login("13700000002", "南京顾客")
    counter_sale(network, shanghai.mobile)
    counter_sale(network, nanjing.mobile, outlet=network.c)
    return shanghai, nanjing


def console(client, persona):
    client.login(username=persona, password=PASSWORD)
    return client


def test_clerk_looks_up_and_tops_up_but_sees_no_activity(client, network, members):
    shanghai, nanjing = members
    package = package_100_10()
    c = console(client, "outlet_clerk")
    page = c.get("/console/members/", {"card": shanghai.card_code})
    html = page.content.decode()
    assert page.status_code == 200 and "137****0001" in html and "13700000001" not in html
    assert 'data-testid="members-in-area"' not in html  # no list of members for the counter
    key = re.search(r'name="client_key" value="(\w+)"', html).group(1)
    form = {"member_id": shanghai.pk, "package_id": package.pk, "client_key": key, "card": shanghai.card_code}
    c.post("/console/members/topup/", form)
    c.post("/console/members/topup/", form)  # a double click tops up once
    assert loyalty.wallet_balance(member=shanghai) == {"principal": 100_00, "bonus": 10_00, "total": 110_00}
    assert c.get(f"/console/members/{shanghai.pk}/").status_code == 403
    assert c.get("/console/members/", {"mobile": "123"}).status_code == 422
    assert c.get("/console/members/", {"mobile": "13999999999"}).status_code == 404


def test_city_manager_sees_activity_in_their_city_only(client, network, members):
    shanghai, nanjing = members
    c = console(client, "city_manager")
    listing = c.get("/console/members/").content.decode()
    assert "上海顾客" in listing and "南京顾客" not in listing
    page = c.get(f"/console/members/{shanghai.pk}/")
    assert page.status_code == 200 and page.content.decode().count('data-testid="activity-order"') == 1
    assert c.get(f"/console/members/{nanjing.pk}/").status_code == 404


def test_member_centre_signs_in_with_the_demo_code(client, network, members, demo_mode):
    shanghai, _ = members
    assert client.get("/shop/member/").status_code == 302
    step = client.post("/shop/member/login/", {"mobile": shanghai.mobile}).content.decode()
    code = re.search(r"<strong>(\d{6})</strong>", step).group(1)
    wrong = client.post("/shop/member/login/", {"mobile": shanghai.mobile, "code": "x"})
    assert wrong.status_code == 422
    assert client.post("/shop/member/login/", {"mobile": shanghai.mobile, "code": code}).status_code == 302
    centre = client.get("/shop/member/").content.decode()
    assert 'data-testid="points-balance">190<' in centre and shanghai.card_code in centre and "<svg" in centre


def _signed_in(client, member):
    step = client.post("/shop/member/login/", {"mobile": member.mobile}).content.decode()
    code = re.search(r"<strong>(\d{6})</strong>", step).group(1)
    client.post("/shop/member/login/", {"mobile": member.mobile, "code": code})
    return client


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        (
            "zh-hans",
            ["会员中心", "积分", "储值", "我的订单", "门店", "退出登录"],
            ["Points", "Sign out", "My orders"],
        ),
        (
            "en",
            ["Member centre", "Points", "Wallet", "My orders", "In store", "Sign out"],
            ["积分", "退出", "我的订单"],
        ),
    ],
)
def test_member_centre_speaks_one_language_at_a_time(
    client, network, members, demo_mode, language, shown, not_shown
):
    shanghai, _ = members
    client.cookies["django_language"] = language
    login = client.get("/shop/member/login/").content.decode()
    assert ("获取验证码" if language == "zh-hans" else "Get a code") in login
    centre = _signed_in(client, shanghai).get("/shop/member/").content.decode()
    assert 'data-testid="points-balance">190<' in centre
    assert all(s in centre for s in shown), [s for s in shown if s not in centre]
    assert not any(s in centre for s in not_shown), [s for s in not_shown if s in centre]


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        ("zh-hans", ["会员卡号", "等级", "现金充值", "辖区会员"], ["Cash top-up", "Tier"]),
        ("en", ["Member card code", "Tier", "Cash top-up", "Members in your area"], ["现金充值", "等级"]),
    ],
)
def test_console_member_page_speaks_one_language_at_a_time(
    client, network, members, language, shown, not_shown
):
    shanghai, _ = members
    package_100_10()
    c = console(client, "city_manager")
    c.cookies["django_language"] = language
    html = c.get("/console/members/", {"card": shanghai.card_code}).content.decode()
    assert 'data-testid="member-found"' in html
    assert all(s in html for s in shown), [s for s in shown if s not in html]
    assert not any(s in html for s in not_shown), [s for s in not_shown if s in html]
    activity = c.get(f"/console/members/{shanghai.pk}/").content.decode()
    assert ("辖区订单" if language == "zh-hans" else "Orders in your area") in activity


def test_refusals_on_the_member_pages_are_in_the_shop_language(client, network, members, demo_mode):
    shanghai, _ = members
    step = client.post("/shop/member/login/", {"mobile": shanghai.mobile}).content.decode()
    assert re.search(r"<strong>(\d{6})</strong>", step)
    wrong = client.post("/shop/member/login/", {"mobile": shanghai.mobile, "code": "000000x"})
    assert wrong.status_code == 422 and "验证码错误或已过期" in wrong.content.decode()
