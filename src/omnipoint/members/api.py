"""/api/v1/members: sign-in by one-time code, the member's own profile, points, wallet and
orders, and the staff views (the counter lookup; a region manager's activity view)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router

from omnipoint.core.api import ERRORS, THROTTLED
from omnipoint.core.auth_api import no_store
from omnipoint.core.models import ApiToken
from omnipoint.core.throttle import client_address
from omnipoint.members import services
from omnipoint.members.schemas import (
    CodeIn,
    CodeOut,
    LoginIn,
    MemberTokenOut,
)

router = Router(tags=["members"])


@router.post("/login/code", auth=None, response={201: CodeOut, **ERRORS, **THROTTLED})
def login_code(request: HttpRequest, response: HttpResponse, payload: CodeIn):  # type: ignore[no-untyped-def]
    """Ask for a one-time sign-in code, sent to the mobile number by SMS. Limited per number and
    per client address (429 `login_code_throttled`)."""
    code, expires = services.login_code_issue(
        actor=services.SIGN_IN, mobile=payload.mobile, client=client_address(request)
    )
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
        actor=services.SIGN_IN, mobile=payload.mobile, code=payload.code, client=client_address(request)
    )
    assert member.user is not None
    token, expires = ApiToken.issue_until(member.user, name="member", seconds=settings.MEMBER_TOKEN_SECONDS)
    return 201, {"token": token, "member_id": member.pk, "expires_at": expires}
