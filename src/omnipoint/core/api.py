"""What every app's router shares: authentication and the error envelope."""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import AfterValidator, ConfigDict

from omnipoint.core.errors import PermissionDeniedError
from omnipoint.core.explain import Explanation, render
from omnipoint.core.models import ApiToken


class CsrfFailedError(PermissionDeniedError):
    code = "csrf_failed"


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.user_for(token)
        if user is None:
            return None
        request.user = user
        request.api_token = token  # type: ignore[attr-defined]
        return user


class SessionAuth(APIKeyCookie):
    """The console's session cookie, with Django's CSRF check on unsafe methods. A request
    without a signed-in session is not checked for CSRF: it is simply unauthenticated (401)."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError as exc:  # ninja's plain "CSRF check Failed"
            raise CsrfFailedError("send the X-CSRFToken header with the session's CSRF token") from exc

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if key is not None and user is not None and user.is_authenticated:
            return user
        return None


API_AUTH = [TokenAuth(), SessionAuth()]


class ErrorOut(Schema):
    """The body of every 4xx: a stable code to branch on and a message to show."""

    code: str
    message: str
    details: dict[str, Any] | None = None


class Input(Schema):
    """The base of every request body: an object of exactly these fields. An unknown field is
    refused (422), not ignored, so a misspelt ``amount`` cannot fall back to a default."""

    model_config = ConfigDict(extra="forbid")


# Add to a route's response map: ``response={200: Out, **ERRORS}``.
ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
# Sign-in routes can also answer 429 (omnipoint.core.throttle).
THROTTLED: dict[int, type[Schema]] = {429: ErrorOut}


# Keys are 64-bit. A larger or non-positive number names nothing, and the databases refuse to even
# compare with numbers past 64 bits, so an id field refuses them before any query runs.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Page(Schema):
    """Limit/offset paging for list endpoints; values out of range are clamped, not refused."""

    limit: int = 100
    offset: int = 0

    def cut(self, qs: Any, *, max_limit: int = 500) -> list[Any]:
        offset = min(max(0, self.offset), MAX_ID)
        return list(qs[offset : offset + max(1, min(self.limit, max_limit))])


def _moment(value: datetime) -> datetime:
    offset = value.utcoffset()
    if offset is not None:
        if abs(offset) > timedelta(hours=14):
            raise ValueError("the time zone offset must be within -14:00 .. +14:00")
        try:
            value.astimezone(UTC)
        except OverflowError:
            raise ValueError("the date is out of range") from None
    return value


# A point in time sent by a client. Real time zones lie within +-14:00: PostgreSQL refuses an
# offset past +-15:59 and a date that UTC pushes out of range fails on SQLite (both a 500 rather
# than a refusal), so a datetime field refuses them before any query runs.
Moment = Annotated[datetime, AfterValidator(_moment)]


class ExplanationOut(Schema):
    """Why, as data (``kind`` and ``params``: see ``core.explain``), and in the request's language."""

    kind: str
    params: dict[str, Any]
    text: str


def explained(explanations: Any) -> list[dict[str, Any]]:
    return [e.as_json() | {"text": render(e)} for e in map(Explanation.from_json, explanations or [])]
