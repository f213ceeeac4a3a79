"""The REST API root: mounts each app's router under /api/v1/ and maps errors to 4xx bodies."""

import json
import logging
from typing import Any

from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from omnipoint.aftersales.api import router as tickets_router
from omnipoint.appointments.api import router as appointments_router
from omnipoint.billpay.api import router as billpay_router
from omnipoint.catalog.api import router as catalog_router
from omnipoint.clearing.api import router as clearing_router
from omnipoint.core.api import API_AUTH
from omnipoint.core.auth_api import router as auth_router
from omnipoint.core.errors import DomainError, ValidationError
from omnipoint.core.health_api import router as health_router
from omnipoint.dashboards.api import router as dashboards_router
from omnipoint.flashsales.api import router as flashsales_router
from omnipoint.identity.api import router as identity_router
from omnipoint.inventory.api import router as inventory_router
from omnipoint.loyalty.api import ledger_router
from omnipoint.loyalty.api import member_router as loyalty_member_router
from omnipoint.loyalty.api import router as loyalty_router
from omnipoint.marketing.api import router as marketing_router
from omnipoint.members.api import router as members_router
from omnipoint.orders.api import member_router as orders_member_router
from omnipoint.orders.api import payments_router as orders_payments_router
from omnipoint.orders.api import router as orders_router
from omnipoint.orders.api import showrooms_router as orders_showrooms_router
from omnipoint.outlets.api import router as outlets_router
from omnipoint.parcels.api import router as parcels_router
from omnipoint.payments.api import router as payments_router
from omnipoint.reconciliation.api import router as reconciliation_router
from omnipoint.settlement.api import router as settlement_router
from omnipoint.showrooms.api import router as showrooms_router
from omnipoint.virtuals.api import router as virtuals_router


class MalformedJsonError(DomainError):
    code = "malformed_json"
    status = 400


def _reject_constant(name: str) -> None:
    raise MalformedJsonError(f"{name} is not JSON")


def _check_text(value: Any) -> None:
    """PostgreSQL text cannot hold NUL, and no real input contains it: refuse it up front, the
    same on every database, instead of failing inside a query."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationError("text may not contain NUL characters", code="invalid_input")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list):
        for item in value:
            _check_text(item)


class StrictParser(Parser):
    """Strict JSON (no NaN or Infinity), a body that is an object (every request body is a
    schema of named fields: ``true``, ``[]`` or ``null`` would otherwise pass as an object whose
    fields all take their defaults), and no NUL characters in bodies or query strings."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body, parse_constant=_reject_constant)
        except ValueError as exc:  # bad JSON, or bytes that are not UTF-8
            raise MalformedJsonError("the request body is not valid JSON") from exc
        if not isinstance(data, dict):
            raise ValidationError("the request body must be a JSON object", code="invalid_input")
        _check_text(data)
        return data  # type: ignore[no-any-return]

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        _check_text(result)
        return result


api = NinjaAPI(
    title="Omnipoint API",
    version="1",
    description="One stock, one order flow, one member, one ledger for a network of outlets. "
    "Errors are `{code, message, details?}` with a stable `code`.",
    urls_namespace="api",
    auth=API_AUTH,
    docs_url="/docs",
    parser=StrictParser(),
)
api.add_router("/auth", auth_router)
api.add_router("/health", health_router)
api.add_router("/", outlets_router)
api.add_router("/catalog", catalog_router)
api.add_router("/inventory", inventory_router)
api.add_router("/", orders_router)
api.add_router("/payments", payments_router)
api.add_router("/payments", orders_payments_router)  # the routes that need an order's scope
api.add_router("/members", members_router)
api.add_router("/members", loyalty_member_router)  # a member's tier and balances
api.add_router("/members", orders_member_router)  # a member's orders
api.add_router("/loyalty", loyalty_router)
api.add_router("/ledger", ledger_router)
api.add_router("/marketing", marketing_router)
api.add_router("/showrooms", orders_showrooms_router)  # sales and commissions join orders: first,
api.add_router("/showrooms", showrooms_router)  # before "/{code}" here would take "/commissions"
api.add_router("/clearing", clearing_router)
api.add_router("/reconciliation", reconciliation_router)
api.add_router("/settlement", settlement_router)
api.add_router("/flash", flashsales_router)
api.add_router("/dashboards", dashboards_router)
api.add_router("/appointments", appointments_router)
api.add_router("/tickets", tickets_router)
api.add_router("/bills", billpay_router)
api.add_router("/identity", identity_router)
api.add_router("/parcels", parcels_router)
api.add_router("/virtuals", virtuals_router)


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


@api.exception_handler(OperationalError)
def on_database_busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """The database refused or broke off the work under load: no connection slot left, a lock
    or statement timeout, a deadlock victim. Its transaction was rolled back whole, so the client
    sends the request again (with the same Idempotency-Key: a 5xx frees the key); the service does
    not retry by itself inside a request."""
    logging.getLogger("omnipoint.api").warning("database busy on %s: %s", request.path, exc)
    response = _error(request, 503, "database_busy", "the database is busy; try again in a moment")
    response["Retry-After"] = "1"
    return response


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "log in or send 'Authorization: Bearer <token>'")


@api.exception_handler(AuthorizationError)
def on_forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or "forbidden")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "there is nothing at this address")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja wraps whatever the body parser raised in "400 Cannot parse request body".
    if isinstance(exc.__cause__, DomainError):
        return on_domain_error(request, exc.__cause__)
    return _error(request, exc.status_code, "http_error", str(exc))
