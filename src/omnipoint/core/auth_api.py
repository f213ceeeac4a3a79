from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema

from omnipoint.core.api import ERRORS, Input
from omnipoint.core.errors import DomainError
from omnipoint.core.models import ApiToken

router = Router(tags=["auth"])


class TokenIn(Input):
    username: str
    password: str


class TokenOut(Schema):
    token: str


class BadCredentialsError(DomainError):
    code = "bad_credentials"
    status = 401


@router.post("/token", auth=None, response={201: TokenOut, 401: ERRORS[403], 422: ERRORS[422]})
def token_create(request: HttpRequest, payload: TokenIn):  # type: ignore[no-untyped-def]
    """Exchange a username and password for a bearer token."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        raise BadCredentialsError("wrong username or password")
    return 201, {"token": ApiToken.issue(user, name="api")}
