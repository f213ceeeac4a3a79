"""Member identity rules, and who may act for a member. Pure."""

import re

from omnipoint.core.errors import PermissionDeniedError, ValidationError
from omnipoint.outlets.domain import AnyActor, MemberActor, Perm

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_mobile(raw: str) -> str:
    """A mainland mobile number as 11 digits: spaces, dashes and a +86 / 0086 prefix removed."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix) :]
    if not _MOBILE.match(digits):
        raise ValidationError(f"'{raw}' is not a mainland mobile number", code="invalid_mobile")
    return digits


def mask_mobile(mobile: str) -> str:
    """What a clerk sees at the counter: 138****0000."""
    return f"{mobile[:3]}****{mobile[-4:]}"


def sees_member_activity(*, outlet_scoped: bool) -> bool:
    """Who may see a member's activity (orders, points, top-ups): managers of a region (and
    HQ), for the members whose orders touch their region. Staff at one outlet serve members at
    the counter and see only what that needs: name, masked mobile, tier and balances."""
    return not outlet_scoped


def require_for_member(actor: AnyActor, member_id: int, *, perm: str = Perm.STOCK_SELL) -> None:
    """Who may act on a member's points, wallet, coupons or games: the member themselves (a
    ``MemberActor`` for another member is refused, 403 ``forbidden``), staff holding ``perm``
    (serving them at the counter or on the hotline), or the platform."""
    if isinstance(actor, MemberActor):
        if actor.member_id != member_id:
            raise PermissionDeniedError("a member acts only for themselves", code="forbidden")
        return
    actor.require(perm)


def require_self(actor: AnyActor, member_id: int) -> None:
    """What a member does for themselves (claiming a coupon, playing a game): the member, or the
    platform acting for them (the demo's story); a staff member is refused, 403 ``forbidden``."""
    if isinstance(actor, MemberActor) and actor.member_id == member_id:
        return
    if not actor.is_system:
        raise PermissionDeniedError("a member does this for themselves", code="forbidden")
