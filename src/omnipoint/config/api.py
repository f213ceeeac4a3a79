"""The REST API root: mounts each app's router under /api/v1/ and maps errors to 4xx bodies."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from omnipoint.catalog.api import router as catalog_router
from omnipoint.core.api import API_AUTH
from omnipoint.core.auth_api import router as auth_router
from omnipoint.core.errors import DomainError
from omnipoint.inventory.api import router as inventory_router
from omnipoint.marketing.api import router as marketing_router
from omnipoint.orders.api import router as orders_router
from omnipoint.outlets.api import router as outlets_router
from omnipoint.payments.api import router as payments_router
from omnipoint.showrooms.api import router as showrooms_router

api = NinjaAPI(
    title="Omnipoint API",
    version="1",
    description="One stock, one order flow, one member, one ledger for a network of outlets. "
    "Errors are `{code, message, details?}` with a stable `code`.",
    urls_namespace="api",
    auth=API_AUTH,
    docs_url="/docs",
)
api.add_router("/auth", auth_router)
api.add_router("/", outlets_router)
api.add_router("/catalog", catalog_router)
api.add_router("/inventory", inventory_router)
api.add_router("/", orders_router)
api.add_router("/payments", payments_router)
api.add_router("/marketing", marketing_router)
api.add_router("/showrooms", showrooms_router)


def _error(request: HttpRequest, status: int, code: str, message: str, **details: object) -> HttpResponse:
    body: dict[str, object] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [{"loc": [str(p) for p in e.get("loc", [])], "msg": str(e.get("msg", ""))} for e in exc.errors]
    malformed = any(e.get("type") == "json_invalid" for e in exc.errors)
    if malformed:
        return _error(request, 400, "malformed_json", "the request body is not valid JSON")
    first = errors[0] if errors else {"loc": [], "msg": "invalid input"}
    message = f"{'.'.join(first['loc'][1:]) or 'input'}: {first['msg']}"
    return _error(request, 422, "invalid_input", message, errors=errors)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "log in or send 'Authorization: Bearer <token>'")


@api.exception_handler(AuthorizationError)
def on_forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or "forbidden")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))
