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


def build_flash(w) -> None:  # type: ignore[no-untyped-def]
    """For the persona rows: a Shanghai sale of the cable (A 3, B 2) and a Nanjing one (C 2)."""
    if "flash_sh" in w.objects:
        return
    now = timezone.now()
    window = {
        "starts_at": now - timedelta(seconds=1),
        "ends_at": now + timedelta(hours=1),
        "per_member_limit": 2,
    }
    cable = w.skus[2].pk
    sh = services.flash_sale_create(
        actor=SYSTEM, name="上海秒杀", sku_id=cable, sources=[(w.a.pk, 3), (w.b.pk, 2)], **window
    )
    nj = services.flash_sale_create(
        actor=SYSTEM, name="南京秒杀", sku_id=cable, sources=[(w.c.pk, 2)], **window
    )
    w.objects |= {"flash_sh": sh.pk, "flash_nj": nj.pk}


def build_flash_claim(w) -> None:  # type: ignore[no-untyped-def]
    """On top of the shop (its shopper): the shopper's claim of one unit of the Shanghai sale."""
    build_flash(w)
    if "flash_claim" in w.objects:
        return
    shopper = Member.objects.get(pk=w.shopper)
    assert shopper.user_id is not None
    me = MemberActor(user_id=shopper.user_id, member_id=shopper.pk)
    w.objects["flash_claim"] = services.flash_claim(actor=me, sale_id=w.flash_sh).pk
