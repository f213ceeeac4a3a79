"""The dashboard in the console: what the console home shows at the manager's node (the web
app's home view renders it with ``dashboard_context``), and each table as CSV."""

import csv
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from omnipoint.core.errors import DomainError, NotFoundError
from omnipoint.dashboards import charts, selectors
from omnipoint.dashboards.errors import error_text
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.selectors import actor_get


def _params(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "")[:40] for k in ("first", "last", "node")}


def _dashboard(actor: Actor, params: dict[str, str]) -> selectors.Dashboard:
    period = selectors.dashboard_period(first=params["first"], last=params["last"])
    return selectors.dashboard_get(actor=actor, period=period, node_key=params["node"])


def dashboard_context(request: HttpRequest, actor: Actor) -> dict[str, Any]:
    """The dashboard's part of a page: its tiles, tables and charts at the node and over the
    period the query asks for (the actor's own node and the last two weeks by default). A
    refused query shows why, over the default dashboard."""
    params, error = _params(request), ""
    try:
        d = _dashboard(actor, params)
    except DomainError as e:
        error, params = error_text(e), {"first": "", "last": "", "node": ""}
        d = _dashboard(actor, params)
    tables = charts.tables(d)
    return {
        "dash": d,
        "dash_tiles": charts.tiles(d, reconcile=actor.can(Perm.FINANCE_RECONCILE)),
        "dash_tables": tables,
        "dash_charts": [t.chart for t in tables if t.chart],
        "dash_error": error,
        "dash_query": request.GET.urlencode(),
    }


@require_GET
@login_required
def dashboard_csv(request: HttpRequest, key: str) -> HttpResponse:
    """One table of the dashboard as CSV (UTF-8 with a byte order mark, for spreadsheets)."""
    try:
        d = _dashboard(actor_get(user=request.user), _params(request))
        table = next((t for t in charts.tables(d) if t.key == key), None)
        if table is None:
            raise NotFoundError(f"no table {key[:20]}", code="not_found")
    except DomainError as e:
        return render(request, "web/error.html", {"error": error_text(e)}, status=e.status)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(table.header)
    writer.writerows(table.rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"dashboard-{d.period.first}-{d.period.last}-{key}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
