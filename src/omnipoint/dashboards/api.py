"""A manager's dashboard through the REST API: the figures the console home draws, at a node
in the caller's scope (their own by default), over a period of at most a quarter."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from omnipoint.core.api import ERRORS
from omnipoint.dashboards import selectors
from omnipoint.dashboards.schemas import DashboardOut
from omnipoint.funnel.domain import Funnel, Step
from omnipoint.outlets.selectors import actor_get

router = Router(tags=["dashboards"])


class DashboardQuery(Schema):
    node: str = ""  # "hq", "outlet:<id>", a region's code (310115); blank: the caller's own node
    first: str = ""  # YYYY-MM-DD; blank: two weeks before ``last``
    last: str = ""  # YYYY-MM-DD; blank: today (Asia/Shanghai)


def _funnel(f: Funnel) -> dict[str, Any]:
    return {
        "visits": f.visits,
        "carts": f.carts,
        "orders": f.orders,
        "cart_rate": f.rate(Step.CART),
        "order_rate": f.rate(Step.ORDER),
    }


def dashboard_json(d: selectors.Dashboard) -> dict[str, Any]:
    return {
        "node": {"key": d.node.key, "level": d.node.level, "name": d.node_name},
        "period": {"first": d.period.first, "last": d.period.last, "today": d.today},
        "tiles": vars(d.tiles),
        "days": [vars(x) for x in d.days],
        "by_channel": d.by_channel,
        "by_method": d.by_method,
        "funnel": _funnel(d.funnel),
        "funnel_days": [{"day": day} | _funnel(f) for day, f in d.funnel_days.items()],
        "ranking": [vars(x) for x in d.ranking],
        "top_products": [vars(x) for x in d.top_products],
        "stock_outs": [vars(x) for x in d.stock_outs],
        "differences": d.differences,
        "overdue": vars(d.overdue) if d.overdue else None,
    }


@router.get("", response={200: DashboardOut, **ERRORS})
def dashboard(request: HttpRequest, q: Query[DashboardQuery]):  # type: ignore[no-untyped-def]
    """Sales by day, channel and payment method (closed days from their close, the others live
    from the day's facts), average order value, repeat-purchase rate, the storefront funnel, the
    outlets ranked, top products and stock-outs, at a node in the caller's scope; the open
    reconciliation differences to roles that read the books, the overdue tickets to those at
    the ticket desk. Every staff member sees their node's (a clerk their outlet's). 422 ``invalid_day``, ``day_in_future``,
    ``invalid_range``, ``range_too_long``; 404 ``node_not_found``."""
    period = selectors.dashboard_period(first=q.first[:20], last=q.last[:20])
    return dashboard_json(
        selectors.dashboard_get(actor=actor_get(user=request.user), period=period, node_key=q.node[:40])
    )
