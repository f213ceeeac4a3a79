from dataclasses import dataclass

import pytest

from omnipoint.core.models import ApiToken
from omnipoint.identity import services
from omnipoint.members.models import Member
from omnipoint.members.services import member_get_or_create, member_user_ensure
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.testing import Network, user_of

NUMBER = "11010519491231002X"
OTHER_NUMBER = "440524188001010014"


@dataclass
class World:
    net: Network
    member: Member
    member_token: str
    partner_token: str
    partner_code: str

    def staff(self, persona: str):  # type: ignore[no-untyped-def]
        return actor_get(user=user_of(persona))

    def member_auth(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.member_token}"}

    def partner_auth(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.partner_token}"}


def build_world(net: Network) -> World:
    member = member_user_ensure(actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile="13800000001"))
    partner, token = services.partner_create(actor=actor_get(user=user_of("hq_admin")), name="Sandbox Bank")
    assert member.user is not None
    return World(net, member, ApiToken.issue(member.user, name="member"), token, partner.code)


@pytest.fixture
def world(network) -> World:
    return build_world(network)
