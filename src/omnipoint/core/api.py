"""What every app's router shares: authentication and the error envelope."""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import AfterValidator, ConfigDict

from omnipoint.core.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(token)).first()
        if row is None or not row.user.is_active:
            return None
        request.user = row.user
        return row.user


class SessionAuth(APIKeyCookie):
    """The console's session cookie, with Django's CSRF check on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
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
