"""Member reads. What a clerk sees at the counter (with the member's tier and balances) is in
loyalty.selectors; a member's orders and a region manager's view of their activity are in
orders.selectors."""

from typing import Any

from django.db.models import Q

from omnipoint.core.cached import remember
from omnipoint.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from omnipoint.ledger.domain import MEMBER_PARTS
from omnipoint.ledger.models import Posting, PostingState
from omnipoint.members.domain import normalise_mobile
from omnipoint.members.models import Member
from omnipoint.outlets.domain import GUEST, Actor, GuestActor, MemberActor
from omnipoint.outlets.models import Staff
from omnipoint.outlets.selectors import actor_get


def _not_found() -> NotFoundError:
    return NotFoundError("member not found", code="member_not_found")


def member_find(*, mobile: str = "", card: str = "") -> Member:
    """By mobile number (normalised; a malformed one is refused) or by member card code."""
    if mobile:
        member = Member.objects.filter(mobile=normalise_mobile(mobile)).first()
    elif card:
        member = Member.objects.filter(card_code=card.strip()[:20]).first()
    else:
        raise ValidationError("give a mobile number or a card code", code="lookup_required")
    if member is None:
        raise _not_found()
    return member


def member_for_user_or_none(*, user) -> Member | None:  # type: ignore[no-untyped-def]
    """The member behind a login, or None (a guest, or a staff or partner account)."""
    if user is None or not user.is_authenticated or user.pk is None:
        return None  # an unsaved user is nobody: user_id=None would match members without a login
    return Member.objects.filter(user_id=user.pk).first()


def member_for_user(*, user) -> Member:  # type: ignore[no-untyped-def]
    """The member behind a login; refused (403 ``not_member``) for a guest or a staff account."""
    member = member_for_user_or_none(user=user)
    if member is None:
        raise PermissionDeniedError("sign in as a member", code="not_member")
    return member


def member_actor(member: Member) -> MemberActor:
    """The member acting for themselves, as the services take them."""
    if member.user_id is None:
        raise PermissionDeniedError("sign in as a member", code="not_member")
    return MemberActor(user_id=member.user_id, member_id=member.pk)


def actor_for_user(*, user, as_staff: bool = False) -> Actor | MemberActor | GuestActor:  # type: ignore[no-untyped-def]
    """Who a login acts as, for the services that serve anyone (placing and paying an order):
    the member behind it, else its staff role (a superuser as HQ), else a guest; a visitor not
    signed in is ``GUEST``. ``as_staff`` asks for the staff role first (the staff channels,
    where a login that is both acts as staff)."""
    if user is None or not user.is_authenticated or user.pk is None:
        return GUEST
    if as_staff and _is_staff(user):
        return actor_get(user=user)
    member_id = remember(
        "members",
        f"user:{user.pk}",
        lambda: Member.objects.filter(user_id=user.pk).values_list("pk", flat=True).first(),
    )
    if member_id is not None:
        return MemberActor(user_id=user.pk, member_id=member_id)
    if not as_staff and _is_staff(user):
        return actor_get(user=user)
    return GuestActor(user_id=user.pk)


def _is_staff(user) -> bool:  # type: ignore[no-untyped-def]
    return bool(user.is_superuser or Staff.objects.filter(user_id=user.pk).exists())


def member_postings(*, member: Member, limit: int = 100) -> list[Posting]:
    """The member's points and wallet movements, newest first (holds shown as holds)."""
    return list(
        Posting.objects.filter(Q(debit__member=member) | Q(credit__member=member))
        .exclude(kind=PostingState.VOID_PENDING)
        .select_related("debit", "credit")
        .order_by("-created_at", "-pk")[:limit]
    )


def posting_movement(p: Posting, member: Member) -> dict[str, Any]:
    """One of the member's postings, seen from their side."""
    mine = p.credit if p.credit.member_id == member.pk else p.debit
    return {
        "key": p.key,
        "kind": p.kind,
        "code": p.code,
        "amount": p.amount,
        "unit": p.unit,
        "reference": p.reference,
        "direction": "in" if mine is p.credit else "out",
        "account": MEMBER_PARTS.get(mine.kind, mine.kind),
        "created_at": p.created_at,
    }
