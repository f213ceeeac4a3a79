"""The books through the REST API: close a business day, read a closed day's figures at a node
of the tree (and download them as CSV, XLSX or PDF), list closed days, and open and close counter
shifts. Scoped by the caller's node."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from omnipoint.clearing import domain, exports, selectors, services
from omnipoint.clearing.exports import CONTENT_TYPES
from omnipoint.clearing.exports.response import download
from omnipoint.clearing.models import CounterShift
from omnipoint.clearing.schemas import DayOut, RunOut, ShiftCloseIn, ShiftIn, ShiftOut
from omnipoint.core.api import ERRORS, Id, Page, explained
from omnipoint.core.explain import Explanation
from omnipoint.outlets.domain import Actor
from omnipoint.outlets.selectors import actor_get

router = Router(tags=["clearing"])


def actor(request: HttpRequest) -> Actor:
    return actor_get(user=request.user)


def _day(d: selectors.DayFigures, *, created: bool) -> dict[str, Any]:
    def reason(corrects: Any) -> Any:
        return explained([Explanation(domain.ClearingWhy.ADJUSTMENT, {"corrects": corrects.isoformat()})])[0]

    return {
        "day": d.run.day,
        "closed_at": d.run.closed_at,
        "created": created,
        "node": {"key": d.node.key, "level": d.node.level, "name": d.name},
        "totals": d.totals,
        "figures": [vars(f) for f in d.figures],
        "adjustments": [vars(f) | {"reason": reason(f.corrects)} for f in d.adjustments],
    }


def _shift(s: CounterShift) -> dict[str, Any]:
    return {
        "id": s.pk,
        "outlet_id": s.outlet_id,
        "outlet_code": s.outlet.code,
        "clerk_id": s.clerk_id,
        "clerk_name": s.clerk.display_name,
        "opened_at": s.opened_at,
        "closed_at": s.closed_at,
        "cash_taken": s.cash_taken,
        "cash_refunded": s.cash_refunded,
        "expected_cash": s.expected_cash,
        "declared_cash": s.declared_cash,
        "difference": s.difference,
    }


@router.get("/days", response={200: list[RunOut], **ERRORS})
def day_list(request: HttpRequest, page: Query[Page]):  # type: ignore[no-untyped-def]
    """The closed business days, the latest first."""
    return page.cut(selectors.runs_list(actor=actor(request)))


class NodeQuery(Schema):
    node: str = ""  # "hq", "outlet:<id>", a region's code (310115); blank: the caller's own node


@router.post("/days/{day}/close", response={200: DayOut, 201: DayOut, **ERRORS})
def day_close(request: HttpRequest, day: str):  # type: ignore[no-untyped-def]
    """Close a business day (YYYY-MM-DD, Asia/Shanghai) for the whole network, once it is over
    and the day before it is closed; answers with the figures at the caller's node. Closing a
    closed day again is answered with its figures (200) unless its facts changed since (409
    day_locked: the next close books the difference)."""
    a, parsed = actor(request), domain.parse_day(day)
    result = services.day_close(actor=a, day=parsed)
    figures = selectors.day_figures(actor=a, day=parsed)
    return (201 if result.created else 200), _day(figures, created=result.created)


@router.get("/days/{day}", response={200: DayOut, **ERRORS})
def day_get(request: HttpRequest, day: str, q: Query[NodeQuery]):  # type: ignore[no-untyped-def]
    """A closed day's figures at a node in the caller's scope, by channel and payment method."""
    figures = selectors.day_figures(actor=actor(request), day=domain.parse_day(day), node_key=q.node[:40])
    return _day(figures, created=False)


EXPORT_DOC = {
    "responses": {
        200: {
            "description": "The file",
            "content": {
                t: {"schema": {"type": "string", "format": "binary"}} for t in CONTENT_TYPES.values()
            },
        }
    }
}


@router.get("/days/{day}/export.{fmt}", response=ERRORS, openapi_extra=EXPORT_DOC)
def day_export(request: HttpRequest, day: str, fmt: str, q: Query[NodeQuery]):  # type: ignore[no-untyped-def]
    """A closed day's clearing report at a node in the caller's scope (their own by default) as
    a file: ``csv``, ``xlsx`` or ``pdf``. The node and every node under it by channel x payment
    method, the adjustments it booked, the node's totals; headers in the request's language
    (Accept-Language), money in yuan with two decimals. 422 ``unknown_format``."""
    report = exports.report_for(
        actor=actor(request), day=domain.parse_day(day), node_key=q.node[:40], fmt=fmt
    )
    return download(report, fmt)


class ShiftQuery(Schema):
    open_only: bool = False


@router.get("/shifts", response={200: list[ShiftOut], **ERRORS})
def shift_list(request: HttpRequest, q: Query[ShiftQuery], page: Query[Page]):  # type: ignore[no-untyped-def]
    """Counter shifts at the outlets in scope (a clerk's own), the latest first."""
    return [_shift(s) for s in page.cut(selectors.shift_list(actor=actor(request), open_only=q.open_only))]


@router.post("/shifts", response={201: ShiftOut, **ERRORS})
def shift_open(request: HttpRequest, payload: ShiftIn):  # type: ignore[no-untyped-def]
    """The caller starts a shift at a counter of an outlet in their scope."""
    shift = services.shift_open(actor=actor(request), outlet_id=payload.outlet_id)
    return 201, _shift(CounterShift.objects.select_related("outlet", "clerk").get(pk=shift.pk))


@router.post("/shifts/{shift_id}/close", response={200: ShiftOut, **ERRORS})
def shift_close(request: HttpRequest, shift_id: Id, payload: ShiftCloseIn):  # type: ignore[no-untyped-def]
    """Close a shift with the cash counted: expected cash, declared cash and the difference."""
    shift = services.shift_close(actor=actor(request), shift_id=shift_id, declared_cash=payload.declared_cash)
    return _shift(CounterShift.objects.select_related("outlet", "clerk").get(pk=shift.pk))
