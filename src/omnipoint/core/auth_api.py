"""/api/v1/auth: bearer tokens for staff, which expire, can be revoked and die with a password
change (omnipoint.core.models.ApiToken). Sign-in is throttled (omnipoint.core.auth)."""

from datetime import datetime

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from omnipoint.core.api import ERRORS, THROTTLED, ErrorOut, Input
from omnipoint.core.auth import login_throttled
from omnipoint.core.errors import DomainError
from omnipoint.core.models import ApiToken
from omnipoint.core.throttle import ThrottledError

router = Router(tags=["auth"])


class TokenIn(Input):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=1024)


class TokenOut(Schema):
    token: str
    expires_at: datetime


class RevokeIn(Input):
    all: bool = Field(False, description="revoke every token of the account, not only this one")


class RevokeOut(Schema):
    revoked: int


class BadCredentialsError(DomainError):
    code = "bad_credentials"
    status = 401


class LoginThrottledError(ThrottledError):
    code = "login_throttled"


def no_store(response: HttpResponse) -> None:
    """An answer that carries a secret: never cached, never kept for an Idempotency-Key replay
    (omnipoint.core.idempotency)."""
    response["Cache-Control"] = "no-store"


@router.post(
    "/token",
    auth=None,
    response={201: TokenOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut, **THROTTLED},
)
def token_create(request: HttpRequest, response: HttpResponse, payload: TokenIn):  # type: ignore[no-untyped-def]
    """Exchange a username and password for a bearer token (it expires; see `expires_at`).
    Failed sign-ins are limited per account and per client address: then 429 `login_throttled`.
    400 `malformed_json` when the body is not JSON."""
    no_store(response)
    user = authenticate(request, username=payload.username, password=payload.password)
    if login_throttled(request):
        raise LoginThrottledError("too many failed sign-ins; wait a few minutes")
    if user is None or not user.is_active:
        raise BadCredentialsError("wrong username or password")
    token, expires = ApiToken.issue_until(user, name="api")
    return 201, {"token": token, "expires_at": expires}


@router.post("/token/revoke", response={200: RevokeOut, 401: ErrorOut, **ERRORS})
def token_revoke(request: HttpRequest, payload: RevokeIn):  # type: ignore[no-untyped-def]
    """Revoke the bearer token this request is sent with, or with `all` every token of the
    account (a session may only revoke all)."""
    tokens = ApiToken.objects.filter(user_id=int(request.user.pk or 0))
    key = getattr(request, "api_token", None)
    if not payload.all:
        if key is None:
            raise DomainError("a session has no token: send all=true", code="no_token")
        tokens = tokens.filter(key_hash=ApiToken.hash(key))
    return {"revoked": tokens.delete()[0]}
