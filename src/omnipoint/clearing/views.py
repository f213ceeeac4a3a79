"""The books in the staff console: the closed days, a day's figures at the manager's node (by
channel and payment method, with the adjustments it booked and why), and the counter shift
close; a day's figures download as CSV, XLSX or PDF. The pages call the same services and
selectors as the API."""

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from omnipoint.clearing import domain, exports, selectors, services
from omnipoint.clearing.errors import error_text
from omnipoint.clearing.exports.response import download
from omnipoint.clearing.tables import day_tables
from omnipoint.core.errors import DomainError, ValidationError
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.selectors import actor_get, outlet_list

View = Callable[..., HttpResponseBase]
MAX_DAYS = 60  # closed days listed on the page


def console_view(view: View) -> View:
    """Signed in, resolved to an actor; a refusal nobody handled becomes the error page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, actor_get(user=request.user), *args, **kwargs)
        except DomainError as e:
            return render(request, "web/error.html", {"error": error_text(e)}, status=e.status)

    return wrapper


def _first_open_day() -> date:
    last = selectors.last_closed_day()
    today = domain.business_today(timezone.now())
    due = domain.days_to_close(today=today, last_closed=last)
    return due[0] if due else today


@require_http_methods(["GET", "POST"])
@console_view
def day_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The closed days, and a form to close the next one."""
    runs = list(selectors.runs_list(actor=actor)[:MAX_DAYS])
    ctx: dict[str, Any] = {
        "runs": runs,
        "day_text": str(_first_open_day()),
        "home": selectors.node_home(actor),
    }
    if request.method == "POST":
        ctx["day_text"] = request.POST.get("day", "")[:20]
        try:
            day = domain.parse_day(ctx["day_text"])
            result = services.day_close(actor=actor, day=day)
        except DomainError as e:
            return render(request, "clearing/days.html", ctx | {"error": error_text(e)}, status=e.status)
        if result.created:
            messages.success(request, _("The day %(day)s is closed.") % {"day": day.isoformat()})
        return redirect("clearing:day", day=day.isoformat())
    return render(request, "clearing/days.html", ctx)


@require_GET
@console_view
def day_detail(request: HttpRequest, actor: Actor, day: str) -> HttpResponse:
    """A closed day's figures at a node of the manager's scope (their own by default)."""
    parsed = domain.parse_day(day)
    figures = selectors.day_figures(actor=actor, day=parsed, node_key=request.GET.get("node", "")[:40])
    children = selectors.node_children(actor=actor, day=parsed, node=figures.node)
    parent = domain.node_parent(figures.node)
    up = parent if parent is not None and selectors.node_visible(actor=actor, node=parent) else None
    ctx = {
        "d": figures,
        "tables": day_tables(figures),
        "children": children,
        "up": up,
        "formats": exports.FORMATS,
        "node_query": f"?node={quote(figures.node.key, safe='')}",
    }
    return render(request, "clearing/day.html", ctx)


@require_GET
@console_view
def day_export(request: HttpRequest, actor: Actor, day: str, fmt: str) -> HttpResponseBase:
    """The day's figures at the node as a CSV, XLSX or PDF download (the same as the API's)."""
    report = exports.report_for(
        actor=actor, day=domain.parse_day(day), node_key=request.GET.get("node", "")[:40], fmt=fmt
    )
    return download(report, fmt)


def _shift_context(actor: Actor) -> dict[str, Any]:
    mine = selectors.shift_list(actor=actor, open_only=True).filter(clerk_id=actor.staff_id).first()
    outlets = [o for o in outlet_list(actor=actor, active_only=True) if o.sells_at_counter]
    return {
        "open_shift": mine,
        "outlets": outlets,
        "shifts": list(selectors.shift_list(actor=actor)[:50]),
        "may_close_any": actor.can(Perm.FINANCE_CLOSE),
    }


def _parse_cash(text: str) -> int:
    """Cash counted, in yuan ("1200", "1200.5"): zero or more."""
    whole, _dot, part = text.strip().replace("¥", "").replace(",", "").partition(".")
    if not whole.isdigit() or len(whole) > 9 or (part and (not part.isdigit() or len(part) > 2)):
        raise ValidationError("the cash counted is an amount in yuan", code="invalid_amount", value=text[:20])
    return int(whole) * 100 + int(part.ljust(2, "0") or 0)


@require_http_methods(["GET", "POST"])
@console_view
def shifts(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Open a shift at a counter, close it with the cash counted, and the shifts in scope."""
    actor.require(Perm.STOCK_SELL)
    if request.method == "GET":
        return render(request, "clearing/shifts.html", _shift_context(actor))
    try:
        if request.POST.get("action") == "open":
            services.shift_open(actor=actor, outlet_id=int(request.POST.get("outlet") or 0))
            messages.success(request, _("Your shift is open."))
        else:
            shift = services.shift_close(
                actor=actor,
                shift_id=int(request.POST.get("shift") or 0),
                declared_cash=_parse_cash(request.POST.get("declared", "")),
            )
            messages.success(request, _("Shift %(id)s is closed.") % {"id": shift.pk})
    except (DomainError, ValueError) as e:
        error = e if isinstance(e, DomainError) else ValidationError(str(e), code="invalid_input")
        ctx = _shift_context(actor) | {
            "error": error_text(error),
            "declared_text": request.POST.get("declared", ""),
        }
        return render(request, "clearing/shifts.html", ctx, status=error.status)
    return redirect("clearing:shifts")
