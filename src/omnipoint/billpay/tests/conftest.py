"""A bill-paying network: the personas' outlet A takes bills in cash at its counter, and an
agent point K (a corner shop in 黄浦) pays them from its float, with its own clerk."""

from dataclasses import dataclass

import pytest

from omnipoint.billpay import services
from omnipoint.billpay.billers import biller_get
from omnipoint.billpay.sandbox import SandboxBiller
from omnipoint.core.models import ApiToken
from omnipoint.outlets.domain import SYSTEM, Actor
from omnipoint.outlets.models import Outlet, OutletKind, Region
from omnipoint.outlets.selectors import actor_get
from omnipoint.outlets.services import staff_create
from omnipoint.testing import PASSWORD, Network

POWER = "sbx-sh-electricity"


@dataclass
class Bills:
    net: Network
    agent: Outlet
    agent_clerk: Actor
    clerk_a: Actor

    @property
    def power(self) -> SandboxBiller:
        return biller_get(POWER)  # type: ignore[return-value]


def agent_outlet(code: str = "SH-K", district: str = "310101") -> Outlet:
    region = Region.objects.get(code=district)
    return Outlet.objects.create(
        code=code, name="便民小卖部", kind=OutletKind.AGENT_POINT, region=region, region_path=region.path,
        lat=region.lat, lng=region.lng,
    )  # fmt: skip


def build_bills(net: Network, *, float_fen: int = 10_000_00) -> Bills:
    agent = agent_outlet()
    staff = staff_create(
        actor=SYSTEM, username="agent_clerk", password=PASSWORD, display_name="小卖部老板",
        role="outlet_clerk", outlet=agent,
    )  # fmt: skip
    net.staff["agent_clerk"] = staff
    net.tokens["agent_clerk"] = ApiToken.issue(staff.user, name="test")
    for outlet in (net.a, net.c, agent):
        services.outlet_enrol(actor=SYSTEM, outlet_id=outlet.pk)
    if float_fen:
        services.float_fund(actor=SYSTEM, outlet_id=agent.pk, amount=float_fen, key="opening")
    return Bills(
        net=net,
        agent=agent,
        agent_clerk=actor_get(user=staff.user),
        clerk_a=actor_get(user=net.staff["outlet_clerk"].user),  # type: ignore[attr-defined]
    )


@pytest.fixture
def bills(network) -> Bills:
    return build_bills(network)


@pytest.fixture(autouse=True)
def _no_autoconfirm(settings):
    """The tests deliver the biller's callbacks themselves."""
    settings.SANDBOX_BILLER_AUTOCONFIRM = False
    settings.SANDBOX_BILLER_FAULTS = {}


def build_agents(w):  # type: ignore[no-untyped-def]
    """For the persona and bad-input tables: agent points in A's district (agent_k) and in C's
    city (agent_n), enrolled with a float."""
    if "agent_k" in w.objects:
        return w
    for name, code, district in (("agent_k", "SH-K", "310101"), ("agent_n", "NJ-K", "320102")):
        outlet = agent_outlet(code, district)
        services.outlet_enrol(actor=SYSTEM, outlet_id=outlet.pk)
        services.float_fund(actor=SYSTEM, outlet_id=outlet.pk, amount=1000_00, key="opening")
        w.objects[name] = outlet.pk
    return w
