"""What the flash-sale tests share: a sale on the personas' network, and members who buy."""

from datetime import timedelta

from django.utils import timezone

from omnipoint.flashsales import services
from omnipoint.flashsales.models import FlashSale
from omnipoint.members.models import Member
from omnipoint.members.services import member_get_or_create, member_user_ensure
from omnipoint.outlets.domain import SYSTEM, MemberActor
from omnipoint.testing import Network


def sale_make(net: Network, *, a: int = 6, b: int = 4, limit: int = 2, starts_in: int = 0) -> FlashSale:
    """A live sale of the cable: ``a`` units from outlet A and ``b`` from outlet B."""
    now = timezone.now()
    return services.flash_sale_create(
        actor=SYSTEM,
        name="数据线秒杀",
        sku_id=net.skus[2].pk,
        sources=[(net.a.pk, a), (net.b.pk, b)],
        starts_at=now + timedelta(seconds=starts_in) - timedelta(seconds=1),
        ends_at=now + timedelta(hours=1),
        per_member_limit=limit,
    )


def buyer(i: int) -> tuple[Member, MemberActor]:
    member = member_user_ensure(
        actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile=f"1390000{i:04d}")
    )
    assert member.user_id is not None
    return member, MemberActor(user_id=member.user_id, member_id=member.pk)
