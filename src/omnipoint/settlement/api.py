"""Settlement through the REST API: the parties and statements of the caller's node, a period's
statements generated, a statement confirmed, paid, and downloaded as CSV, XLSX or PDF."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from omnipoint.clearing.exports.response import download
from omnipoint.core.api import ERRORS, Id, Page
from omnipoint.outlets.domain import Actor
from omnipoint.outlets.selectors import actor_get
from omnipoint.settlement import exports, selectors, services
from omnipoint.settlement.models import Statement
from omnipoint.settlement.schemas import (
    GenerateOut,
    PartyOut,
    PayIn,
    PayOut,
    StatementDetailOut,
    StatementOut,
)

router = Router(tags=["settlement"])


def actor(request: HttpRequest) -> Actor:
    return actor_get(user=request.user)


def statement_out(s: Statement) -> dict[str, Any]:
    return {
        "id": s.pk,
        "party_id": s.party_id,
        "party_name": s.party.name,
        "kind": s.kind,
        "period": s.period,
        "starts_on": s.starts_on,
        "ends_on": s.ends_on,
        "state": s.state,
        "sales": s.sales,
        "returns": s.returns,
        "deduction": s.deduction,
        "amount": s.amount,
        "generated_at": s.generated_at,
        "confirmed_at": s.confirmed_at,
        "paid_at": s.paid_at,
        "pay_key": s.pay_key,
    }


def detail_out(s: Statement) -> dict[str, Any]:
    return statement_out(s) | {"lines": list(s.lines.values())}


@router.get("/parties", response={200: list[PartyOut], **ERRORS})
def party_list(request: HttpRequest, page: Query[Page]):  # type: ignore[no-untyped-def]
    """The parties settled at or under the caller's node."""
    return page.cut(selectors.parties_list(actor=actor(request)))


class StatementQuery(Schema):
    period: str = ""
    kind: str = ""
    state: str = ""


@router.get("/statements", response={200: list[StatementOut], **ERRORS})
def statement_list(request: HttpRequest, q: Query[StatementQuery], page: Query[Page]):  # type: ignore[no-untyped-def]
    """The statements of the parties in scope, the latest period first (an outlet's manager:
    their outlet's)."""
    qs = selectors.statements_list(
        actor=actor(request), period=q.period[:10], kind=q.kind[:12], state=q.state[:10]
    )
    return [statement_out(s) for s in page.cut(qs)]


@router.get("/statements/{statement_id}", response={200: StatementDetailOut, **ERRORS})
def statement_get(request: HttpRequest, statement_id: Id):  # type: ignore[no-untyped-def]
    """A statement and its lines."""
    return detail_out(selectors.statement_get(actor=actor(request), statement_id=statement_id))


@router.post("/periods/{period}/generate", response={200: GenerateOut, **ERRORS})
def period_generate(request: HttpRequest, period: str):  # type: ignore[no-untyped-def]
    """Generate the statements of a period that is over (``2026-11``, ``2026-11-H1``,
    ``2026-W47``) for every party in scope settled on that cycle: drafts are refreshed from the
    facts, confirmed and paid statements kept. 422 ``invalid_period`` / ``period_in_future``,
    409 ``period_not_over``. The console runs the same on the task queue."""
    a = actor(request)
    result = services.statements_generate(actor=a, period=period[:20])
    statements = selectors.statements_list(actor=a, period=result.period.code).filter(
        party_id__in=list(result.outcomes)
    )
    return {
        "period": result.period.code,
        **{o: result.count(o) for o in ("created", "refreshed", "unchanged", "kept")},
        "statements": [statement_out(s) for s in statements],
    }


@router.post("/statements/{statement_id}/confirm", response={200: StatementOut, **ERRORS})
def statement_confirm(request: HttpRequest, statement_id: Id):  # type: ignore[no-untyped-def]
    """Finance confirms a draft; a supplier's or franchisee's amount is booked as owed on the
    ledger. 409 ``statement_not_draft``, ``statement_paid``."""
    return statement_out(services.statement_confirm(actor=actor(request), statement_id=statement_id))


@router.post("/statements/{statement_id}/pay", response={200: PayOut, 201: PayOut, **ERRORS})
def statement_pay(request: HttpRequest, statement_id: Id, payload: PayIn):  # type: ignore[no-untyped-def]
    """Finance pays a confirmed statement out (a ledger posting), once: the same ``key`` again
    answers 200 with the first payment; another key 409 ``statement_paid``; a draft 409
    ``statement_not_confirmed``."""
    result = services.statement_pay(actor=actor(request), statement_id=statement_id, key=payload.key)
    return (201 if result.created else 200), statement_out(result.statement) | {"created": result.created}


EXPORT_DOC = {
    "responses": {
        200: {
            "description": "The file",
            "content": {
                t: {"schema": {"type": "string", "format": "binary"}} for t in exports.CONTENT_TYPES.values()
            },
        }
    }
}


@router.get("/statements/{statement_id}/export.{fmt}", response=ERRORS, openapi_extra=EXPORT_DOC)
def statement_export(request: HttpRequest, statement_id: Id, fmt: str):  # type: ignore[no-untyped-def]
    """A statement as ``csv``, ``xlsx`` or ``pdf``: its lines, then its total, headers in the
    request's language, money in yuan with two decimals. 422 ``unknown_format``."""
    return download(exports.report_for(actor=actor(request), statement_id=statement_id, fmt=fmt), fmt)
