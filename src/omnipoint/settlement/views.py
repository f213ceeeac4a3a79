"""Settlement in the staff console: the statements at the manager's node (by period), a
statement with its lines, confirm and pay for finance, downloads; a period's statements and a
statement's file are made on the task queue, on a page that polls the job's progress (HTMX,
every 2 s) and links the result when it is done."""

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from omnipoint.clearing.domain import business_today
from omnipoint.clearing.exports import FORMATS
from omnipoint.clearing.exports.response import download
from omnipoint.core.errors import DomainError
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.selectors import actor_get
from omnipoint.settlement import domain, exports, selectors, services, tasks
from omnipoint.settlement.errors import error_text
from omnipoint.settlement.models import JobState

View = Callable[..., HttpResponseBase]
MAX_ROWS = 200


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


def _queue(job_id: int) -> None:
    transaction.on_commit(lambda: tasks.job_run(job_id))


@require_http_methods(["GET", "POST"])
@console_view
def statement_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The statements at the manager's node, a period at a time; finance generates a period."""
    periods = selectors.periods_list(actor=actor)
    period = request.GET.get("period", "")[:10] or (periods[0] if periods else "")
    last = domain.previous_period(business_today(timezone.now()), "month").code
    ctx: dict[str, Any] = {
        "periods": periods,
        "period": period,
        "statements": list(selectors.statements_list(actor=actor, period=period)[:MAX_ROWS])
        if period
        else [],
        "may_settle": actor.can(Perm.FINANCE_SETTLE),
        "period_text": last,
    }
    if request.method == "POST":
        ctx["period_text"] = request.POST.get("period", "")[:20]
        try:
            job = services.job_start(
                actor=actor, kind="generate", period=ctx["period_text"], lang=get_language()
            )
        except DomainError as e:
            return render(
                request, "settlement/statements.html", ctx | {"error": error_text(e)}, status=e.status
            )
        _queue(job.pk)
        return redirect("settlement:job", job_id=job.pk)
    return render(request, "settlement/statements.html", ctx)


@require_http_methods(["GET", "POST"])
@console_view
def statement_detail(request: HttpRequest, actor: Actor, statement_id: int) -> HttpResponse:
    """A statement, its lines and its downloads; finance confirms it, then pays it (the form's
    one-time key makes a resent form pay once)."""
    statement = selectors.statement_get(actor=actor, statement_id=statement_id)
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "confirm":
                services.statement_confirm(actor=actor, statement_id=statement.pk)
                messages.success(request, _("The statement is confirmed."))
            elif action == "pay":
                services.statement_pay(
                    actor=actor, statement_id=statement.pk, key=request.POST.get("key", "")
                )
                messages.success(request, _("The statement is paid."))
            elif action == "file":
                job = services.job_start(
                    actor=actor,
                    kind="export",
                    statement_id=statement.pk,
                    fmt=request.POST.get("fmt", ""),
                    lang=get_language(),
                )
                _queue(job.pk)
                return redirect("settlement:job", job_id=job.pk)
            return redirect("settlement:statement", statement_id=statement.pk)
        except DomainError as e:
            error, status = error_text(e), e.status
            statement.refresh_from_db()
    ctx = {
        "s": statement,
        "report": exports.StatementReport(statement),
        "lines": list(statement.lines.all()[:MAX_ROWS]),
        "more_lines": statement.lines.count() > MAX_ROWS,
        "formats": FORMATS,
        "may_settle": actor.can(Perm.FINANCE_SETTLE),
        "pay_key": secrets.token_hex(12),
        "error": error,
        "chinese": (get_language() or "").startswith("zh"),
    }
    return render(request, "settlement/statement.html", ctx, status=status)


@require_GET
@console_view
def statement_export(request: HttpRequest, actor: Actor, statement_id: int, fmt: str) -> HttpResponseBase:
    """The statement as a CSV, XLSX or PDF download (the same as the API's)."""
    return download(exports.report_for(actor=actor, statement_id=statement_id, fmt=fmt), fmt)


def _job_context(actor: Actor, job_id: int) -> dict[str, Any]:
    job = selectors.job_get(actor=actor, job_id=job_id)
    failed = error_text(DomainError(job.error, code=job.error)) if job.state == JobState.FAILED else ""
    return {"job": job, "finished": job.state in (JobState.DONE, JobState.FAILED), "failure": failed}


@require_GET
@console_view
def job_page(request: HttpRequest, actor: Actor, job_id: int) -> HttpResponse:
    return render(request, "settlement/job.html", _job_context(actor, job_id))


@require_GET
@console_view
def job_progress(request: HttpRequest, actor: Actor, job_id: int) -> HttpResponse:
    """The job's progress, polled by its page; once it is finished the poll stops."""
    return render(request, "settlement/job_progress.html", _job_context(actor, job_id))


@require_GET
@console_view
def job_file(request: HttpRequest, actor: Actor, job_id: int) -> HttpResponseBase:
    job = selectors.job_get(actor=actor, job_id=job_id)
    path = tasks.files_dir() / job.file
    if job.state != JobState.DONE or not job.file or not path.is_file():
        raise Http404("no file")
    content_type = exports.CONTENT_TYPES[job.fmt]
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=job.file.split("-", 1)[1], content_type=content_type
    )
