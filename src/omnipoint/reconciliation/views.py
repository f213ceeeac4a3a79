"""Reconciliation in the staff console: the imported statements (fetch a day's from the
provider, or upload its file), a day's run with its three-way totals and its differences by
class, the repair of a lost notification and the resolution of a difference by a reason. The
pages call the same services and selectors as the API. Finance at HQ."""

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omnipoint.core.errors import DomainError, ValidationError
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.selectors import actor_get
from omnipoint.reconciliation import domain, selectors, services
from omnipoint.reconciliation.domain import MAX_STATEMENT_BYTES, REPAIRABLE, DiffKind, Reason, Source
from omnipoint.reconciliation.errors import error_text

View = Callable[..., HttpResponseBase]
MAX_RUNS = 60
MAX_DIFFERENCES = 200
REASONS = [(r.value, r.label) for r in Reason if r != Reason.REPAIRED]


def console_view(view: View) -> View:
    """Signed in, resolved to an actor holding finance.reconcile; a refusal nobody handled becomes
    the error page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            actor = actor_get(user=request.user)
            actor.require(Perm.FINANCE_RECONCILE)
            return view(request, actor, *args, **kwargs)
        except DomainError as e:
            return render(request, "web/error.html", {"error": error_text(e)}, status=e.status)

    return wrapper


def _yesterday() -> str:
    today = timezone.now().astimezone(domain.BUSINESS_TZ).date()
    return (today - timedelta(days=1)).isoformat()


@require_http_methods(["GET", "POST"])
@console_view
def run_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The imported statements; fetch a day's from the provider or upload its file."""
    ctx: dict[str, Any] = {
        "runs": list(selectors.runs_list(actor=actor)[:MAX_RUNS]),
        "day_text": _yesterday(),
    }
    if request.method == "GET":
        return render(request, "reconciliation/runs.html", ctx)
    ctx["day_text"] = request.POST.get("day", "")[:20]
    try:
        day = domain.parse_day(ctx["day_text"])
        if request.POST.get("action") == "upload":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError("choose the statement file", code="no_file")
            content = upload.read(MAX_STATEMENT_BYTES + 1)
            result = services.statement_import(actor=actor, day=day, content=content, source=Source.UPLOADED)
        else:
            result = services.statement_fetch(actor=actor, day=day)
    except DomainError as e:
        return render(request, "reconciliation/runs.html", ctx | {"error": error_text(e)}, status=e.status)
    if result.created:
        messages.success(
            request, _("The statement of %(day)s is imported and matched.") % {"day": day.isoformat()}
        )
    return redirect("reconciliation:run", day=day.isoformat())


def _run_context(actor: Actor, day: str, kind: str) -> dict[str, Any]:
    run = selectors.run_get(actor=actor, day=domain.parse_day(day))
    kind = kind if kind in DiffKind.values else ""
    differences = list(selectors.differences_list(actor=actor, run=run, kind=kind)[:MAX_DIFFERENCES])
    counts = selectors.kind_counts(run)
    return {
        "run": run,
        "kind": kind,
        "kinds": [(k, DiffKind(k).label, t, o) for k, (t, o) in counts.items()],
        "three_way": selectors.three_way(run),
        "differences": differences,
        "repairable": REPAIRABLE,
        "reasons": REASONS,
        "matched_share": f"{100 * run.matched / run.lines:.2f}" if run.lines else "100.00",
    }


@require_GET
@console_view
def run_detail(request: HttpRequest, actor: Actor, day: str) -> HttpResponse:
    """A day's run: the three-way totals, the differences counted by class, and one class's list."""
    ctx = _run_context(actor, day, request.GET.get("kind", "")[:24])
    return render(request, "reconciliation/run.html", ctx)


@require_POST
@console_view
def run_rematch(request: HttpRequest, actor: Actor, day: str) -> HttpResponse:
    """Match an imported day again (after a repair): the lines stay, open differences are found
    afresh. A day that is none, or not imported, is the error page."""
    result = services.run_rematch(actor=actor, day=domain.parse_day(day))
    messages.success(
        request,
        _("Matched again: %(before)s open differences before, %(after)s now.")
        % {"before": result.before, "after": result.after},
    )
    return redirect("reconciliation:run", day=result.run.day.isoformat())


@require_POST
@console_view
def difference_act(request: HttpRequest, actor: Actor, difference_id: int) -> HttpResponse:
    """Repair a lost notification, or resolve a difference with a reason and a note."""
    difference = selectors.difference_get(actor=actor, difference_id=difference_id)
    day, kind = difference.run.day.isoformat(), request.POST.get("kind", "")[:24]
    try:
        if request.POST.get("action") == "repair":
            done = services.difference_repair(actor=actor, difference_id=difference_id)
            messages.success(
                request,
                _("Repaired: the payment %(number)s is applied.") % {"number": difference.merchant_ref},
            )
        else:
            done = services.difference_resolve(
                actor=actor,
                difference_id=difference_id,
                reason=request.POST.get("reason", "")[:20],
                note=request.POST.get("note", "")[:400],
            )
            messages.success(request, _("The difference is resolved."))
        assert done.pk
    except DomainError as e:
        ctx = _run_context(actor, day, kind) | {"error": error_text(e), "failed": difference_id}
        return render(request, "reconciliation/run.html", ctx, status=e.status)
    url = f"/console/reconciliation/{day}/" + (f"?kind={kind}" if kind in DiffKind.values else "")
    return redirect(url)
