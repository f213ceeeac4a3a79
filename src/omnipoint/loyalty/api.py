"""/api/v1/loyalty (counter top-ups, packages), /api/v1/ledger (HQ's read-only audit), and the
members' endpoints that show loyalty (/api/v1/members/lookup, /me, /me/points, /me/wallet:
``member_router``, mounted under /members next to the members app's own)."""

from django.http import HttpRequest
from ninja import Router

from omnipoint.core.api import ERRORS
from omnipoint.core.errors import NotFoundError, PermissionDeniedError
from omnipoint.ledger.models import Posting
from omnipoint.loyalty import services
from omnipoint.loyalty.models import TopupPackage
from omnipoint.loyalty.schemas import PackageOut, PostingOut, TopupIn, TopupOut
from omnipoint.loyalty.selectors import (
    member_for_counter,
    member_lots,
    member_tier,
    points_balance,
    wallet_balance,
)
from omnipoint.members.models import Member
from omnipoint.members.schemas import CounterOut, PointsOut, ProfileOut, WalletDetailOut
from omnipoint.members.selectors import member_find, member_for_user, member_postings, posting_movement
from omnipoint.outlets.domain import Perm
from omnipoint.outlets.selectors import actor_get

router = Router(tags=["members"])  # member wallets: listed with the members endpoints
ledger_router = Router(tags=["members"])  # the audit of what members hold
member_router = Router(tags=["members"])  # under /members


@router.get("/packages", response={200: list[PackageOut], **ERRORS})
def packages(request: HttpRequest):  # type: ignore[no-untyped-def]
    return list(TopupPackage.objects.filter(is_active=True).order_by("pay_amount"))


@router.post("/topups", response={201: TopupOut, **ERRORS})
def topup(request: HttpRequest, payload: TopupIn):  # type: ignore[no-untyped-def]
    """Staff at the counter top up a member's wallet for cash, with a package (its bonus kept
    apart) or an amount. Idempotent by `client_key` (and by an `Idempotency-Key` header)."""
    actor = actor_get(user=request.user)
    actor.require(Perm.STOCK_SELL)
    if payload.member_id is not None:
        member = Member.objects.filter(pk=payload.member_id).first()
        if member is None:
            raise NotFoundError("member not found", code="member_not_found")
    else:
        member = member_find(mobile=payload.mobile, card=payload.card)
    legs = services.wallet_topup_at_counter(
        actor=actor,
        member_id=member.pk,
        outlet_id=payload.outlet_id,
        client_key=payload.client_key,
        package_id=payload.package_id,
        amount=payload.amount,
    )
    wallet = wallet_balance(member=member)
    return 201, {
        "member_id": member.pk,
        "principal_added": sum(p.amount for p in legs if p.code == "topup"),
        "bonus_added": sum(p.amount for p in legs if p.code == "topup-bonus"),
        **wallet,
    }


@ledger_router.get("/postings", response={200: list[PostingOut], **ERRORS})
def postings(  # type: ignore[no-untyped-def]
    request: HttpRequest, reference: str = "", account: str = "", limit: int = 100
):
    """HQ's read-only audit of the ledger: postings newest first, by reference or account code."""
    actor = actor_get(user=request.user)
    if not actor.scope.is_hq:
        raise PermissionDeniedError("the ledger audit is for HQ", code="forbidden")
    qs = Posting.objects.select_related("debit", "credit", "pending").order_by("-pk")
    if reference:
        qs = qs.filter(reference=reference[:80])
    if account:
        qs = qs.filter(debit__code=account[:80]) | qs.filter(credit__code=account[:80])
    return list(qs[: max(1, min(limit, 500))])


@member_router.get("/lookup", response={200: CounterOut, **ERRORS})
def lookup(request: HttpRequest, mobile: str = "", card: str = ""):  # type: ignore[no-untyped-def]
    """Staff at the counter: the member by mobile number or card code, with what serving needs."""
    return member_for_counter(actor=actor_get(user=request.user), mobile=mobile[:20], card=card)


def _wallet_out(member: Member) -> dict[str, int]:
    return wallet_balance(member=member)


@member_router.get("/me", response={200: ProfileOut, **ERRORS})
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    member = member_for_user(user=request.user)
    tier = member_tier(member=member)
    return {
        "id": member.pk,
        "name": member.name,
        "mobile": member.mobile,
        "card_code": member.card_code,
        "tier": tier.name if tier else "",
        "points": points_balance(member=member),
        "wallet": _wallet_out(member),
    }


@member_router.get("/me/points", response={200: PointsOut, **ERRORS})
def my_points(request: HttpRequest):  # type: ignore[no-untyped-def]
    member = member_for_user(user=request.user)
    return {"balance": points_balance(member=member), "lots": list(member_lots(member=member))}


@member_router.get("/me/wallet", response={200: WalletDetailOut, **ERRORS})
def my_wallet(request: HttpRequest):  # type: ignore[no-untyped-def]
    member = member_for_user(user=request.user)
    moves = [posting_movement(p, member) for p in member_postings(member=member) if p.unit == "CNY"]
    return _wallet_out(member) | {"movements": moves}
