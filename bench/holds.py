"""Hot-SKU holds over HTTP: group commit (``stock_hold`` over ``core.combining``) against one
commit per hold, on the production server shape, next to the HTTP limit of that shape.

gunicorn (sync workers) serves the real application; ``clients`` threads, each on its own
keep-alive connection (reconnecting when a sync worker closes it), POST
``/api/v1/inventory/reservations`` in a loop: 1 unit of the bench's hot SKU at its hot outlet,
a fresh ``owner_ref`` each, as a clerk of that outlet (API token). The same server started with
``GROUP_COMMIT=0`` is the one-per-commit row (each hold its own transaction and WAL flush, as
``stock_reserve``; in process it measures the same as the naive ``FOR UPDATE`` version, see the
reservation rows). *limit*: ``GET /api/v1/health/live`` (no database) on the same server and
clients: what the HTTP stack alone can answer here. Afterwards the row's ``reserved`` must equal
the holds answered 201 and ``inventory_breaches()`` must be empty.
"""

import json
import time

from bench.clients import Answers, Request, drive
from bench.reserve import HotRow, hot_row_reset
from bench.server import Gunicorn
from bench.stats import percentile

CLERK = "bench-hold-clerk"
WORKERS = 16  # sync workers: each holds one request, so at most this many holds meet in a batch


def clerk_token() -> str:
    """A clerk of the hot outlet with an API token (the staff path of the hold endpoint)."""
    from bench.reserve import HOT_OUTLET
    from omnipoint.core.models import ApiToken
    from omnipoint.outlets.domain import SYSTEM
    from omnipoint.outlets.models import Outlet, Staff
    from omnipoint.outlets.services import staff_create

    staff = Staff.objects.filter(user__username=CLERK).select_related("user").first()
    if staff is None:
        staff = staff_create(
            actor=SYSTEM,
            username=CLERK,
            password="bench-unused-Pw-1",
            display_name="Bench clerk",
            role="outlet_clerk",
            outlet=Outlet.objects.get(code=HOT_OUTLET),
        )
    return ApiToken.issue(staff.user, name="bench")


def hold_request(hot: HotRow, token: str, tag: str) -> Request:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    def request(c: int, n: int) -> tuple[str, str, bytes | None, dict[str, str]]:
        body = {
            "owner_ref": f"bench:{tag}:{c}:{n}",
            "lines": [{"location_id": hot.location_id, "sku_id": hot.sku_id, "quantity": 1}],
        }
        return "POST", "/api/v1/inventory/reservations", json.dumps(body).encode(), headers

    return request


def live_request(c: int, n: int) -> tuple[str, str, bytes | None, dict[str, str]]:
    return "GET", "/api/v1/health/live", None, {}


def run(database_url: str, hot: HotRow, *, workers: int, clients: int, seconds: float) -> list[Answers]:
    """The HTTP limit, then holds with group commit, then one commit per hold, on one shape."""
    from omnipoint.inventory.checks import inventory_breaches
    from omnipoint.inventory.models import StockLevel

    token = clerk_token()
    shape = f"gunicorn {workers} workers (sync)"
    out = []
    for label, env in (
        ("limit: GET /health/live (no database)", {"GROUP_COMMIT": "1"}),
        ("hold 1 unit, group commit", {"GROUP_COMMIT": "1"}),
        ("hold 1 unit, one commit per hold", {"GROUP_COMMIT": "0"}),
    ):
        hot_row_reset(hot)
        tag = f"http-{env['GROUP_COMMIT']}-{time.time_ns()}"
        request = live_request if label.startswith("limit") else hold_request(hot, token, tag)
        # --preload: the application is imported once, before the workers fork, so that 16 of
        # them are ready together on a busy machine.
        extra = {"CONN_MAX_AGE": "60", "GUNICORN_CMD_ARGS": "--preload"}
        with Gunicorn(database_url, workers=workers, timeout=120, env=env | extra) as server:
            drive(server.port, clients=clients, seconds=1.0, request=request)  # warm-up
            hot_row_reset(hot)
            r = drive(server.port, clients=clients, seconds=seconds, request=request)
        r.label, r.server = label, shape
        if not label.startswith("limit"):
            held = StockLevel.objects.get(location_id=hot.location_id, sku_id=hot.sku_id).reserved
            breaches = inventory_breaches()
            r.check = (
                "ok"
                if held == r.ok and not breaches
                else f"reserved={held}, 201s={r.ok}; {breaches[:1]}"[:120]
            )
        out.append(r)
    hot_row_reset(hot)
    return out


def rows(results: list[Answers]) -> list[list[object]]:
    limit = next((r for r in results if r.label.startswith("limit")), None)
    single = next((r for r in results if "one commit" in r.label), None)
    out = []
    for r in results:
        vs = (
            f"{r.per_second / single.per_second:.1f}x"
            if single and single.per_second and r is not limit
            else ""
        )
        frac = f"{r.per_second / limit.per_second:.0%}" if limit and limit.per_second else ""
        out.append(
            [
                r.label,
                r.server,
                r.clients,
                r.ok,
                f"{r.per_second:,.0f}/s",
                f"{percentile(r.latencies_ms, 50):.1f}",
                f"{percentile(r.latencies_ms, 99):.1f}",
                vs,
                frac,
                r.errors_text(),
                r.check or "-",
            ]
        )
    return out


HEADER = [
    "benchmark",
    "server",
    "clients",
    "answers",
    "throughput",
    "p50 ms",
    "p99 ms",
    "vs one per commit",
    "of HTTP limit",
    "errors",
    "check",
]
