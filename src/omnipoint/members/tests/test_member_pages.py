"""The console's member pages and the storefront's member centre, by persona."""

import re

import pytest

from omnipoint.core.testing import PASSWORD
from omnipoint.loyalty import services as loyalty
from omnipoint.loyalty.tests.helpers import counter_sale, earn_rules, member_with_login, package_100_10

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
    assert "辖区会员" not in html  # no list of members for the counter
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


def test_member_centre_signs_in_with_the_demo_code(client, network, members):
    shanghai, _ = members
    assert client.get("/shop/member/").status_code == 302
    step = client.post("/shop/member/login/", {"mobile": shanghai.mobile}).content.decode()
    code = re.search(r"<strong>(\d{6})</strong>", step).group(1)
    wrong = client.post("/shop/member/login/", {"mobile": shanghai.mobile, "code": "x"})
    assert wrong.status_code == 422
    assert client.post("/shop/member/login/", {"mobile": shanghai.mobile, "code": code}).status_code == 302
    centre = client.get("/shop/member/").content.decode()
    assert 'data-testid="points-balance">190<' in centre and shanghai.card_code in centre and "<svg" in centre
