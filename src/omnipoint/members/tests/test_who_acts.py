"""Services authorise who acts (issue 8): a member acts only for themselves, staff with their
permission, and what only the platform does refuses a person; the same answer at every door."""

import pytest

from omnipoint.core.errors import NotFoundError, PermissionDeniedError
from omnipoint.loyalty import services as loyalty
from omnipoint.marketing import services as marketing
from omnipoint.members.selectors import member_actor, member_for_user, member_for_user_or_none
from omnipoint.members.services import member_get_or_create, member_user_ensure
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(network):
    a = member_user_ensure(actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile="13800000011"))
    b = member_user_ensure(actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile="13800000012"))
    return a, b


def _forbidden(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDeniedError) as refused:
        call()
    assert refused.value.code == "forbidden"


def test_a_member_acts_only_for_themselves(two):
    a, b = two
    as_a = member_actor(a)
    _forbidden(lambda: loyalty.points_spend(actor=as_a, member_id=b.pk, points=10, key="x"))
    _forbidden(lambda: loyalty.wallet_spend(actor=as_a, member_id=b.pk, amount=100, key="y"))
    _forbidden(lambda: loyalty.topup_online_open(actor=as_a, member_id=b.pk, amount=100))
    _forbidden(lambda: marketing.coupon_claim(actor=as_a, member=b, template_code="NONE"))
    _forbidden(lambda: marketing.game_play(actor=as_a, member=b, game_id=1))
    # for themselves they get as far as what they asked for
    assert loyalty.topup_online_open(actor=as_a, member_id=a.pk, amount=100).member_id == a.pk
    with pytest.raises(NotFoundError):
        marketing.coupon_claim(actor=as_a, member=a, template_code="NONE")
    with pytest.raises(NotFoundError):
        marketing.game_play(actor=as_a, member=a, game_id=1)


def test_what_only_the_platform_does_refuses_people(two):
    a, _ = two
    clerk = actor_get(user=user_of("outlet_clerk"))
    for actor in (clerk, member_actor(a)):
        _forbidden(lambda actor=actor: loyalty.points_award(actor=actor, member_id=a.pk, points=5, key="k"))
        _forbidden(lambda actor=actor: loyalty.wallet_topup(actor=actor, member_id=a.pk, key="t", amount=100))
        _forbidden(lambda actor=actor: marketing.coupons_release(actor=actor, order_id=1))
    _forbidden(
        lambda: marketing.coupon_claim(actor=clerk, member=a, template_code="NONE")
    )  # staff issue instead
    _forbidden(lambda: member_get_or_create(actor=member_actor(a), mobile="13800000013"))
    assert member_get_or_create(actor=clerk, mobile="13800000013").mobile == "13800000013"


def test_the_member_for_a_user_has_one_answer(two):
    a, _ = two
    assert member_for_user(user=a.user) == a == member_for_user_or_none(user=a.user)
    staff = user_of("outlet_clerk")
    assert member_for_user_or_none(user=staff) is None
    with pytest.raises(PermissionDeniedError) as refused:
        member_for_user(user=staff)
    assert refused.value.code == "not_member"
