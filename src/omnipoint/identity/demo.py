"""The demo's identity verification: a partner bank that may ask, and one demo member verified
at the clerk's outlet by the clerk, who consented to the bank. Called once by the demo story
(``demo.scenario``)."""

from django.contrib.auth import get_user_model

from omnipoint.identity import services
from omnipoint.identity.domain import check_character
from omnipoint.members.models import Member
from omnipoint.members.selectors import member_actor
from omnipoint.members.services import member_user_ensure
from omnipoint.outlets.domain import SystemActor
from omnipoint.outlets.selectors import actor_get

DEMO = SystemActor(task="demo_identity")
DEMO_NUMBER_17 = "31011519850617002"  # 浦东新区, born 1985-06-17: a made-up person


def demo_identity_load(*, clerk_username: str, member_mobile: str, member_name: str) -> None:
    clerk = actor_get(user=get_user_model().objects.get(username=clerk_username))
    partner, _ = services.partner_create(actor=DEMO, name="示例银行")
    member = member_user_ensure(actor=DEMO, member=Member.objects.get(mobile=member_mobile))
    services.verification_record(
        actor=clerk, member_id=member.pk, name=member_name,
        number=DEMO_NUMBER_17 + check_character(DEMO_NUMBER_17), document_matches=True,
    )  # fmt: skip
    services.consent_grant(actor=member_actor(member), partner_code=partner.code)
