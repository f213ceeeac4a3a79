"""/api/v1/members: sign-in by one-time code, the member's own profile, points, wallet and
orders, and the staff views (the counter lookup; a region manager's activity view)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router

from omnipoint.core.api import ERRORS, MAX_ID, THROTTLED
from omnipoint.core.auth_api import no_store
from omnipoint.core.errors import NotFoundError
from omnipoint.core.models import ApiToken
from omnipoint.core.throttle import client_address
from omnipoint.ledger.models import Posting
from omnipoint.loyalty.services import member_tier, points_balance, wallet_balance
from omnipoint.members import selectors, services
from omnipoint.members.models import Member
from omnipoint.members.schemas import (
    ActivityOut,
    CodeIn,
    CodeOut,
    CounterOut,
    LoginIn,
    MemberTokenOut,
    OrderRowOut,
    PointsOut,
    ProfileOut,
    WalletDetailOut,
)
from omnipoint.outlets.selectors import actor_get

router = Router(tags=["members"])


def movement(p: Posting, member: Member) -> dict[str, Any]:
    mine = p.credit if p.credit.member_id == member.pk else p.debit
    return {
        "key": p.key,
        "kind": p.kind,
        "code": p.code,
        "amount": p.amount,
        "unit": p.unit,
        "reference": p.reference,
        "direction": "in" if mine is p.credit else "out",
        "account": mine.code.rsplit(":", 1)[1],
        "created_at": p.created_at,
    }


@router.post("/login/code", auth=None, response={201: CodeOut, **ERRORS, **THROTTLED})
def login_code(request: HttpRequest, response: HttpResponse, payload: CodeIn):  # type: ignore[no-untyped-def]
    """Ask for a one-time sign-in code, sent to the mobile number by SMS. Limited per number and
    per client address (429 `login_code_throttled`)."""
    code, expires = services.login_code_issue(mobile=payload.mobile, client=client_address(request))
    body = {"mobile": payload.mobile, "expires_at": expires}
    if settings.DEMO_MODE:  # the demo has no phone: it shows the code
        no_store(response)
        body["demo_code"] = code
    return 201, body


@router.post("/login", auth=None, response={201: MemberTokenOut, **ERRORS, **THROTTLED})
def login(request: HttpRequest, response: HttpResponse, payload: LoginIn):  # type: ignore[no-untyped-def]
    """Exchange a mobile number and its one-time code for a member's bearer token. Attempts are
    limited per number and per client address (429 `login_attempts_throttled`)."""
    no_store(response)
    member = services.login_code_verify(
        mobile=payload.mobile, code=payload.code, client=client_address(request)
    )
    assert member.user is not None
    token, expires = ApiToken.issue_until(member.user, name="member", seconds=settings.MEMBER_TOKEN_SECONDS)
    return 201, {"token": token, "member_id": member.pk, "expires_at": expires}


@router.get("/lookup", response={200: CounterOut, **ERRORS})
def lookup(request: HttpRequest, mobile: str = "", card: str = ""):  # type: ignore[no-untyped-def]
    """Staff at the counter: the member by mobile number or card code, with what serving needs."""
    return selectors.member_for_counter(actor=actor_get(user=request.user), mobile=mobile[:20], card=card)


def _wallet_out(member: Member) -> dict[str, int]:
    return wallet_balance(member=member)


@router.get("/me", response={200: ProfileOut, **ERRORS})
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    member = selectors.member_of_user(user=request.user)
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


@router.get("/me/points", response={200: PointsOut, **ERRORS})
def my_points(request: HttpRequest):  # type: ignore[no-untyped-def]
    member = selectors.member_of_user(user=request.user)
    return {"balance": points_balance(member=member), "lots": list(selectors.member_lots(member=member))}


@router.get("/me/wallet", response={200: WalletDetailOut, **ERRORS})
def my_wallet(request: HttpRequest):  # type: ignore[no-untyped-def]
    member = selectors.member_of_user(user=request.user)
    moves = [movement(p, member) for p in selectors.member_postings(member=member) if p.unit == "CNY"]
    return _wallet_out(member) | {"movements": moves}


@router.get("/me/orders", response={200: list[OrderRowOut], **ERRORS})
def my_orders(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Every order of the member, online and at the counter, newest first."""
    member = selectors.member_of_user(user=request.user)
    return list(selectors.member_orders(member=member)[:100])


@router.get("/{member_id}/activity", response={200: ActivityOut, **ERRORS})
def activity(request: HttpRequest, member_id: int):  # type: ignore[no-untyped-def]
    """Region managers and HQ: a member's orders in their region, balances and movements."""
    if not 1 <= member_id <= MAX_ID:
        raise NotFoundError("member not found", code="member_not_found")
    act = selectors.member_activity(actor=actor_get(user=request.user), member_id=member_id)
    return {
        "id": act.member.pk,
        "name": act.member.name,
        "mobile_masked": act.mobile_masked,
        "tier": act.tier,
        "points": act.points,
        "wallet": act.wallet,
        "orders": act.orders,
        "movements": [movement(p, act.member) for p in act.postings],
    }
