"""Onboarding an agent outlet and reading its day through the API: the outlet opened,
enrolled with its schedule and funded in one call; refused whole on bad input; the agent's day
follows its bills."""

import pytest

from omnipoint.billpay.models import BillOutlet, BillPayment
from omnipoint.billpay.services import bill_pay
from omnipoint.ledger.models import Posting
from omnipoint.outlets.models import Outlet

from .conftest import POWER

pytestmark = pytest.mark.django_db
V1 = "/api/v1/bills"


def body(**over):
    return {"code": "SH-KIOSK", "name": "报刊亭", "region_code": "310101", "lat": 31.23, "lng": 121.48,
            "schedule": {"basis": "amount", "tiers": [{"threshold": 0, "per_bill": 10},
                                                      {"threshold": 50000_00, "per_bill": 10, "rate": "0.002"}]},
            "opening_float": 800_00, **over}  # fmt: skip


def counts():
    return Outlet.objects.count(), BillOutlet.objects.count(), Posting.objects.count()


def test_a_city_manager_onboards_a_kiosk_and_reads_its_day(api, bills):
    mgr = bills.net.auth("city_manager")
    resp = api.post(f"{V1}/agents", body(), mgr)
    assert resp.status_code == 201, resp.content
    out = resp.json()
    assert (out["kind"], out["mode"], out["basis"], out["float_available"]) == (
        "agent_point",
        "agent_float",
        "amount",
        800_00,
    )
    assert out["tiers"][1] == {"threshold": 50000_00, "per_bill": 10, "rate": "0.002"}
    kiosk = Outlet.objects.get(code="SH-KIOSK")
    assert (kiosk.sells_at_counter, kiosk.pickup_point) == (False, False)
    again = api.post(f"{V1}/outlets/{kiosk.pk}/float", {"amount": 200_00, "key": "d1"}, mgr)
    same = api.post(f"{V1}/outlets/{kiosk.pk}/float", {"amount": 200_00, "key": "d1"}, mgr)
    assert again.status_code == same.status_code == 201 and same.json()["float_available"] == 1000_00
    day = api.get(f"{V1}/agents/{bills.agent.pk}/day", mgr).json()
    assert (day["float_available"], day["today_count"], day["rebate_balance"], day["tier"]) == (
        10_000_00,
        0,
        0,
        1,
    )
    account = bills.power.account(0)
    amount = bills.power.lookup(account).amount
    paid = bill_pay(
        actor=bills.agent_clerk, outlet_id=bills.agent.pk, biller=POWER, account=account, amount=amount
    )
    from .test_pay import confirm

    confirm(paid)
    mine = api.get(f"{V1}/agents/{bills.agent.pk}/day", bills.net.auth("agent_clerk")).json()
    rebate = BillPayment.objects.get().rebate
    assert (mine["float_available"], mine["today_count"], mine["today_amount"]) == (
        10_000_00 - amount,
        1,
        amount,
    )
    assert (mine["rebate_month"], mine["rebate_balance"], mine["to_next"]) == (rebate, rebate, 499)
    assert mine["next_threshold"] == 500 and mine["tiers"] == 4


@pytest.mark.parametrize(
    ("over", "status", "code"),
    [
        ({"schedule": {"tiers": [{"threshold": 5, "per_bill": 20}]}}, 422, "invalid_schedule"),  # not from 0
        (
            {"schedule": {"tiers": [{"threshold": 0, "per_bill": 20}, {"threshold": 0, "per_bill": 30}]}},
            422,
            "invalid_schedule",
        ),
        ({"schedule": {"tiers": [{"threshold": 0, "per_bill": 20, "rate": "0.5"}]}}, 422, "invalid_input"),
        ({"schedule": {"tiers": []}}, 422, "invalid_input"),
        ({"opening_float": -1}, 422, "invalid_input"),
        ({"kind": "post_office"}, 409, "not_an_agent"),  # no float but at an agent
        ({"kind": "shop"}, 422, "invalid_input"),
        ({"region_code": "320102"}, 404, "region_not_found"),  # Nanjing: not the manager's
        ({"region_code": "310100"}, 422, "not_a_district"),
        ({"code": "SH-A"}, 422, "duplicate_code"),
        ({"lat": 91}, 422, "invalid_input"),
        ({"float": 1}, 422, "invalid_input"),  # a misspelt field is refused, not ignored
    ],
)
def test_bad_onboarding_is_refused_whole(api, bills, over, status, code):
    before = counts()
    resp = api.post(f"{V1}/agents", body(**over), bills.net.auth("city_manager"))
    assert resp.status_code == status and resp.json()["code"] == code, resp.content
    assert counts() == before


@pytest.mark.parametrize(
    ("target", "payload", "status", "code"),
    [
        ("a", {"amount": 100_00, "key": "k"}, 409, "not_an_agent"),  # A takes cash at its counter
        ("agent", {"amount": 0, "key": "k"}, 422, "invalid_amount"),
        ("agent", {"amount": 100_00, "key": ""}, 422, "invalid_input"),
        ("agent", {"amount": "100", "key": "k"}, 422, "invalid_input"),
        ("missing", {"amount": 100_00, "key": "k"}, 404, "outlet_not_found"),
    ],
)
def test_bad_deposits_change_nothing(api, bills, target, payload, status, code):
    outlet_id = {"a": bills.net.a.pk, "agent": bills.agent.pk, "missing": 987_654}[target]
    before = counts()
    resp = api.post(f"{V1}/outlets/{outlet_id}/float", payload, bills.net.auth("city_manager"))
    assert resp.status_code == status and resp.json()["code"] == code, resp.content
    assert counts() == before


def test_the_day_of_an_outlet_that_holds_no_float_is_409(api, bills):
    resp = api.get(f"{V1}/agents/{bills.net.a.pk}/day", bills.net.auth("city_manager"))
    assert resp.status_code == 409 and resp.json()["code"] == "not_an_agent"


def test_the_demo_enrols_an_agent_with_a_float_and_bills_paid(network):
    from omnipoint.billpay.demo import OPENING_FLOAT, demo_billpay_load
    from omnipoint.billpay.selectors import agent_day
    from omnipoint.outlets.domain import SYSTEM

    from .conftest import agent_outlet

    agent = agent_outlet()
    assert demo_billpay_load(clerk_outlet_code=network.a.code, member_mobile="13800138000") == 6
    day = agent_day(actor=SYSTEM, outlet_id=agent.pk)
    at_agent = BillPayment.objects.filter(outlet=agent)
    assert day.today_count == at_agent.count() == 5 and set(at_agent.values_list("state", flat=True)) == {
        "paid"
    }
    assert day.float_available == OPENING_FLOAT - day.today_amount and day.rebate_balance == 5 * 20
    assert BillPayment.objects.filter(member__mobile="13800138000").count() == 2
    assert demo_billpay_load(clerk_outlet_code=network.a.code, member_mobile="13800138000") == 0  # once
