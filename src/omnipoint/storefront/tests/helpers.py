"""Shared by the storefront's member tests and the browser's: pickup outlets around one, as in a
real district, and a signed-up member with points and a wallet to pay with."""

from omnipoint.loyalty import services as loyalty
from omnipoint.loyalty.tests.helpers import member_with_login
from omnipoint.members.models import Member
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.models import Outlet


def pickup_points_around(outlet: Outlet, n: int, *, step: float) -> None:
    """``n`` post offices north of ``outlet``, each ``step`` degrees farther than the last."""
    for i in range(n):
        Outlet.objects.create(
            code=f"SH-P{i:02d}",
            name=f"浦东第{i + 1}邮政所",
            kind="post_office",
            region=outlet.region,
            region_path=outlet.region_path,
            address=f"浦东大道{i + 1}号",
            lat=outlet.lat + step * (i + 1),
            lng=outlet.lng,
            pickup_point=True,
        )


def rich_member(*, points: int = 1500, wallet: int = 50_00) -> Member:
    """李雷 with a storefront login, ``points`` points and ``wallet`` fen stored."""
    member, _ = member_with_login()
    if points:
        loyalty.points_award(actor=SYSTEM, member_id=member.pk, points=points, key="gift")
    if wallet:
        loyalty.wallet_topup(actor=SYSTEM, member_id=member.pk, amount=wallet, key="topup")
    return member
