"""/api/v1/identity: verification at the counter (staff), revocation (managers), a member's own
badge and consents, the partners' question (is this member verified?) and HQ's partners."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from omnipoint.core.api import ERRORS, Id, Page
from omnipoint.core.errors import PermissionDeniedError
from omnipoint.identity import selectors, services
from omnipoint.identity.models import Verification
from omnipoint.identity.schemas import (
    ConsentIn,
    LookupIn,
    LookupOut,
    MyIdentityOut,
    PartnerIn,
    PartnerOut,
    VerificationIn,
    VerificationOut,
    VerificationRevokeIn,
)
from omnipoint.members.selectors import member_actor, member_for_user
from omnipoint.outlets.selectors import actor_get

router = Router(tags=["identity"])


def _out(v: Verification) -> dict[str, Any]:
    return {
        "id": v.pk, "member_id": v.member_id, "name": v.name, "number_masked": v.number_masked,
        "outlet_id": v.outlet_id, "verified_at": v.verified_at, "revoked_at": v.revoked_at,
        "revoke_reason": v.revoke_reason,
    }  # fmt: skip


@router.post("/verifications", response={201: VerificationOut, **ERRORS})
def verify(request: HttpRequest, payload: VerificationIn):  # type: ignore[no-untyped-def]
    """A clerk verifies a member in person: the number is checked (GB 11643 check digit, birth
    date) and kept only masked and as a keyed hash (422 `identity_number_invalid`, 409
    `already_verified` or `identity_in_use`)."""
    row = services.verification_record(actor=actor_get(user=request.user), **payload.dict())
    return 201, _out(row)


@router.get("/verifications", response={200: list[VerificationOut], **ERRORS})
def verification_list(request: HttpRequest, page: Query[Page], live: bool = False):  # type: ignore[no-untyped-def]
    """The verifications made at outlets in the caller's area, newest first."""
    rows = selectors.verification_list(actor=actor_get(user=request.user), live_only=live)
    return [_out(v) for v in page.cut(rows)]


@router.get("/members/{member_id}", response={200: VerificationOut | None, **ERRORS})
def member_verification(request: HttpRequest, member_id: Id):  # type: ignore[no-untyped-def]
    """A member's live verification (null when none), for staff; the look-up is audited."""
    row = services.member_verification_open(actor=actor_get(user=request.user), member_id=member_id)
    return 200, (_out(row) if row else None)


@router.post("/verifications/{verification_id}/revoke", response={200: VerificationOut, **ERRORS})
def revoke(request: HttpRequest, verification_id: Id, payload: VerificationRevokeIn):  # type: ignore[no-untyped-def]
    """Revoke a verification made in the manager's area (409 `verification_not_live` when it
    already was)."""
    row = services.verification_revoke(
        actor=actor_get(user=request.user), verification_id=verification_id, reason=payload.reason
    )
    return _out(row)


def _mine(member_id: int) -> dict[str, Any]:
    badge = selectors.badge_for_member(member_id=member_id)
    consents = [
        {"partner": p.code, "partner_name": p.name, "granted_at": c.granted_at if c else None}
        for p, c in selectors.consent_list(member_id=member_id)
    ]
    return {
        "verified": badge is not None, "verified_at": badge.verified_at if badge else None,
        "outlet_name": badge.outlet_name if badge else "", "consents": consents,
    }  # fmt: skip


@router.get("/me", response={200: MyIdentityOut, **ERRORS})
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The signed-in member's badge and, for every partner, whether they let it ask."""
    return _mine(member_for_user(user=request.user).pk)


@router.post("/me/consents", response={200: MyIdentityOut, **ERRORS})
def consent_grant(request: HttpRequest, payload: ConsentIn):  # type: ignore[no-untyped-def]
    member = member_for_user(user=request.user)
    services.consent_grant(actor=member_actor(member), partner_code=payload.partner)
    return _mine(member.pk)


@router.post("/me/consents/withdraw", response={200: MyIdentityOut, **ERRORS})
def consent_withdraw(request: HttpRequest, payload: ConsentIn):  # type: ignore[no-untyped-def]
    member = member_for_user(user=request.user)
    services.consent_withdraw(actor=member_actor(member), partner_code=payload.partner)
    return _mine(member.pk)


@router.post("/lookups", response={200: LookupOut, **ERRORS})
def lookup(request: HttpRequest, payload: LookupIn):  # type: ignore[no-untyped-def]
    """A partner system asks whether the member with this mobile is verified. Told only when the
    member consented to this partner (`no_consent` otherwise, also for an unknown number). Every
    question is recorded."""
    actor = selectors.partner_actor(user=request.user)
    if actor is None:
        raise PermissionDeniedError("only a partner system asks this", code="not_partner")
    answer = services.partner_lookup(actor=actor, mobile=payload.mobile, name=payload.name)
    return {"answer": answer.answer, "verified_at": answer.verified_at, "name_matches": answer.name_matches}


@router.post("/partners", response={201: PartnerOut, **ERRORS})
def partner_add(request: HttpRequest, payload: PartnerIn):  # type: ignore[no-untyped-def]
    """HQ adds a partner system; the answer holds its API token, shown only this once."""
    partner, token = services.partner_create(actor=actor_get(user=request.user), name=payload.name)
    return 201, {"code": partner.code, "name": partner.name, "token": token}
