"""Points an order earns when it completes, and those taken back when part of it is returned."""

from django.utils import timezone

from omnipoint.ledger import selectors as ledger
from omnipoint.ledger.services import (
    PostingRequest,
)
from omnipoint.loyalty import domain, selectors
from omnipoint.loyalty.models import (
    EarnRule,
    PointsLot,
)
from omnipoint.loyalty.services._shared import (
    CLAWED,
    _member,
    _points_account,
)
from omnipoint.loyalty.services.points import _post_taking_lots, points_award
from omnipoint.outlets.domain import SystemActor, require_platform


def _rules() -> list[domain.RuleDef]:
    return [
        domain.RuleDef(
            r.pk,
            r.name,
            r.points_per_yuan,
            r.channel,
            r.category_id,
            r.outlet_id,
            r.bonus,
            r.validity_days,
            r.starts_at,
            r.ends_at,
        )
        for r in EarnRule.objects.filter(is_active=True)
    ]


def points_earn_for_order(*, actor: SystemActor, order: domain.OrderForPoints) -> list[PointsLot]:
    """Credit the points an order earns, when it completes (online or at the counter alike)."""
    require_platform(actor)
    if order.member_id is None:
        return []
    tier = selectors.member_tier(member=_member(order.member_id))
    # What was paid with points earns no points: scale each line by the share paid otherwise.
    paid_otherwise = max(order.total - order.paid_by_points, 0)
    lines = [
        domain.EarnLine(line.category_id, line.amount * paid_otherwise // order.total if order.total else 0)
        for line in order.lines
    ]
    awards = domain.points_for_order(
        lines,
        channel=order.channel,
        outlet_id=order.outlet_id,
        rules=_rules(),
        multiplier=tier.points_multiplier if tier else domain.Decimal(1),
        at=timezone.now(),
    )
    return [
        points_award(
            actor=actor,
            member_id=order.member_id,
            points=a.points,
            key=f"earn:{order.number}:{a.rule_id}",
            reference=f"order:{order.number}",
            validity_days=a.validity_days,
        )
        for a in awards
    ]


def points_clawback_for_return(
    *, actor: SystemActor, order: domain.OrderForPoints, amount: int, key: str
) -> int:
    """Take back the points a returned part of an order earned (in proportion to the refund),
    as far as the member still has them. Returns the points taken."""
    require_platform(actor)
    if order.member_id is None or order.total == 0:
        return 0
    earned = ledger.amount_of_reference(reference=f"order:{order.number}", code="earn")
    due = earned * amount // order.total
    member = _member(order.member_id)
    account = _points_account(member)
    take = min(due, account.available)
    if take <= 0:
        return 0
    _post_taking_lots(
        member, PostingRequest(key, account.code, CLAWED, take, "clawback", f"order:{order.number}")
    )
    return take
