"""What a customer sees when a request fails: never Django's debug or bare pages.

Pages get a short page in the reader's language (the 400, 403, 404 and 500 handlers in
urls.py, and the CSRF failure view); every path under /api/v1/ gets a JSON ``{code, message}``,
unknown paths and methods included (the handlers, and ``ApiErrorMiddleware`` for the answers
that no handler makes, such as 405 from the API's own routing).
"""

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import pgettext_lazy

API_PREFIX = "/api/v1/"

_API = {
    400: ("bad_request", "the request could not be read"),
    401: ("unauthenticated", "log in or send 'Authorization: Bearer <token>'"),
    403: ("forbidden", "forbidden"),
    404: ("not_found", "there is nothing at this address"),
    405: ("method_not_allowed", "this address does not take this method"),
    500: ("server_error", "something went wrong on the server; try again"),
}

_PAGES = {
    400: (
        pgettext_lazy("error page", "Bad request"),
        pgettext_lazy("error page", "This request could not be understood."),
    ),
    403: (
        pgettext_lazy("error page", "Not allowed"),
        pgettext_lazy("error page", "You may not open this page."),
    ),
    404: (
        pgettext_lazy("error page", "Page not found"),
        pgettext_lazy("error page", "This page does not exist or has moved."),
    ),
    500: (
        pgettext_lazy("error page", "Something went wrong"),
        pgettext_lazy("error page", "Something went wrong on our side. Try again in a moment."),
    ),
    "csrf": (
        pgettext_lazy("error page", "This page has expired"),
        pgettext_lazy("error page", "Go back, reload the page and try again."),
    ),
}


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


def api_error(status: int, code: str | None = None, message: str | None = None) -> JsonResponse:
    default_code, default_message = _API.get(status, (f"http_{status}", "the request failed"))
    return JsonResponse({"code": code or default_code, "message": message or default_message}, status=status)


def _page(request: HttpRequest, status: int, key: int | str) -> HttpResponse:
    if is_api(request):
        return api_error(status, "csrf_failed" if key == "csrf" else None)
    title, message = _PAGES[key]
    html: str
    try:
        html = render_to_string("errors/page.html", {"title": title, "message": message, "status": status})
    except Exception:  # a broken template must not hide the answer
        html = f"<!doctype html><title>{status}</title><h1>{status}</h1>"
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(request, 500, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(request, 403, "csrf")


def _is_json(response: HttpResponse) -> bool:
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    try:
        body: Any = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(body, dict) and "code" in body


class ApiErrorMiddleware:
    """Under /api/v1/, an error answer that is not our JSON (405 from routing, a bare 404)
    becomes ``{code, message}`` with the same status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not is_api(request) or getattr(response, "streaming", False):
            return response
        if _is_json(response):
            return response
        fixed = api_error(response.status_code)
        if response.has_header("Allow"):
            fixed["Allow"] = response["Allow"]
        return fixed
