"""Settlement through the REST API: the parties of the caller's node (added, edited, their rates by
category) and their statements, a period's
statements generated, a statement confirmed, paid, and downloaded as CSV, XLSX or PDF."""

from typing import Any

from django.db import transaction
from django.http import FileResponse, HttpRequest
from django.utils.translation import get_language
from ninja import Query, Router, Schema

from omnipoint.clearing.exports.response import download
from omnipoint.core.api import ERRORS, Id, Page
from omnipoint.core.errors import ConflictError
from omnipoint.outlets.domain import Actor
from omnipoint.outlets.selectors import actor_get
from omnipoint.settlement import exports, selectors, services, tasks
from omnipoint.settlement.models import JobState, Party, SettlementJob, Statement
from omnipoint.settlement.schemas import (
    GenerateOut,
    JobIn,
    JobOut,
    PartyDetailOut,
    PartyEditIn,
    PartyIn,
    PartyOut,
    PayIn,
    PayOut,
    RateIn,
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


def party_out(p: Party) -> dict[str, Any]:
    rates = p.rates.select_related("category").order_by("category__code")
    return {
        **{f: getattr(p, f) for f in PartyOut.model_fields},
        "rates": [
            {"category_id": r.category_id, "category_code": r.category.code, "category_name": r.category.name,
             "rate": r.rate}
            for r in rates
        ],
    }  # fmt: skip


@router.get("/parties", response={200: list[PartyOut], **ERRORS})
def party_list(request: HttpRequest, page: Query[Page]):  # type: ignore[no-untyped-def]
    """The parties settled at or under the caller's node."""
    return page.cut(selectors.parties_list(actor=actor(request)))


@router.post("/parties", response={200: PartyDetailOut, 201: PartyDetailOut, **ERRORS})
def party_create(request: HttpRequest, payload: PartyIn):  # type: ignore[no-untyped-def]
    """Add a party at a node of the caller's (finance.settle): a concession supplier
    (``supplier_id``, settled for the outlets under ``region_code``, blank: the network), a
    franchise or agent outlet (``outlet_id``), a salesperson (``staff_id``); 201, or 200 with
    the party as it was when it is there already. 404 ``supplier_not_found``,
    ``outlet_not_found``, ``staff_not_found``, ``region_not_found``, ``node_not_found``; 422
    ``not_franchise``, ``invalid_rate``, ``invalid_cycle``."""
    added = services.party_create(actor=actor(request), **payload.model_dump())
    return (201 if added.created else 200), party_out(added.party)


@router.get("/parties/{party_id}", response={200: PartyDetailOut, **ERRORS})
def party_get(request: HttpRequest, party_id: Id):  # type: ignore[no-untyped-def]
    """A party and its rates by category."""
    return party_out(selectors.party_get(actor=actor(request), party_id=party_id))


@router.patch("/parties/{party_id}", response={200: PartyDetailOut, **ERRORS})
def party_edit(request: HttpRequest, party_id: Id, payload: PartyEditIn):  # type: ignore[no-untyped-def]
    """Change a party's name, rate (suppliers and franchisees: 422 ``not_rated`` otherwise),
    cycle or whether it is settled (``is_active``); fields left out stay as they are."""
    fields = payload.model_dump(exclude_none=True)
    return party_out(services.party_edit(actor=actor(request), party_id=party_id, **fields))


@router.put("/parties/{party_id}/rates/{category_id}", response={200: PartyDetailOut, **ERRORS})
def party_rate_set(request: HttpRequest, party_id: Id, category_id: Id, payload: RateIn):  # type: ignore[no-untyped-def]
    """The deduction rate of a category's goods (and its subcategories') for a supplier or a
    franchisee. 404 ``category_not_found``; 422 ``not_rated``."""
    a = actor(request)
    services.party_rate_set(actor=a, party_id=party_id, category_id=category_id, rate=payload.rate)
    return party_out(selectors.party_get(actor=a, party_id=party_id))


@router.delete("/parties/{party_id}/rates/{category_id}", response={200: PartyDetailOut, **ERRORS})
def party_rate_remove(request: HttpRequest, party_id: Id, category_id: Id):  # type: ignore[no-untyped-def]
    """A category's rate taken off (its goods fall back to a parent's rate, else the party's
    own). 404 ``rate_not_found``."""
    return party_out(
        services.party_rate_remove(actor=actor(request), party_id=party_id, category_id=category_id)
    )


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
    409 ``period_not_over``. This runs in the request: a network with many parties queues it
    instead (``POST /jobs``, as the console does) and polls the job."""
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


# --- long runs on the task queue, as the console makes them ---------------------------------


def job_out(job: SettlementJob) -> dict[str, Any]:
    done = job.state == JobState.DONE and bool(job.file)
    return {
        **{f: getattr(job, f) for f in ("id", "kind", "period", "statement_id", "fmt", "state", "done",
                                         "total", "error", "created_at", "finished_at")},
        "file_url": f"/api/v1/settlement/jobs/{job.pk}/file" if done else None,
    }  # fmt: skip


@router.post("/jobs", response={201: JobOut, **ERRORS})
def job_start(request: HttpRequest, payload: JobIn):  # type: ignore[no-untyped-def]
    """Queue a long run, checked before it is queued: a period's statements (``kind`` generate,
    ``period``: as ``/periods/{period}/generate`` checks it, finance.settle) or a statement's file
    (``kind`` export, ``statement_id``, ``fmt``). 201 with the job; poll ``/jobs/{id}`` until it is
    done (a file's ``file_url``) or failed (``error``: the refusal's code). The file is written in
    the language of the request."""
    job = services.job_start(
        actor=actor(request), kind=payload.kind, period=payload.period,
        statement_id=payload.statement_id or 0, fmt=payload.fmt, lang=get_language() or "",
    )  # fmt: skip
    transaction.on_commit(lambda: tasks.job_run(job.pk))
    return 201, job_out(job)


@router.get("/jobs/{job_id}", response={200: JobOut, **ERRORS})
def job_get(request: HttpRequest, job_id: Id):  # type: ignore[no-untyped-def]
    """A job the caller started: its state and progress."""
    return job_out(selectors.job_get(actor=actor(request), job_id=job_id))


@router.get("/jobs/{job_id}/file", response=ERRORS, openapi_extra=EXPORT_DOC)
def job_file(request: HttpRequest, job_id: Id):  # type: ignore[no-untyped-def]
    """A done export job's file. 409 ``job_not_done`` before (or when it failed)."""
    job = selectors.job_get(actor=actor(request), job_id=job_id)
    path = tasks.files_dir() / job.file
    if job.state != JobState.DONE or not job.file or not path.is_file():
        raise ConflictError("the job has no file (yet)", code="job_not_done", state=job.state)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=job.file.split("-", 1)[1],
        content_type=exports.CONTENT_TYPES[job.fmt],
    )  # fmt: skip
