"""Reconciliation with the payment providers through the REST API: import a day's statement
(fetched from the provider, or uploaded as its file), read a run's differences by class and its
three-way totals, repair a lost notification, resolve a difference with a reason. Finance at HQ
(``finance.reconcile``)."""

from typing import Any

from django.http import HttpRequest
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from omnipoint.core.api import ERRORS, Id, Page
from omnipoint.outlets.domain import Actor
from omnipoint.outlets.selectors import actor_get
from omnipoint.reconciliation import domain, selectors, services
from omnipoint.reconciliation.domain import MAX_STATEMENT_BYTES, REPAIRABLE, DiffKind, Source
from omnipoint.reconciliation.models import Difference, ReconRun, Resolution
from omnipoint.reconciliation.schemas import (
    DifferenceOut,
    ReconRunDetailOut,
    ReconRunOut,
    ResolutionOut,
    ResolveIn,
)

router = Router(tags=["reconciliation"])


def actor(request: HttpRequest) -> Actor:
    return actor_get(user=request.user)


def run_out(run: ReconRun) -> dict[str, Any]:
    return {
        "day": run.day,
        "provider": run.provider,
        "source": run.source,
        "imported_at": run.imported_at,
        "lines": run.lines,
        "matched": run.matched,
        "differences": getattr(run, "differences_n", 0),
        "open": getattr(run, "open_n", 0),
    }


def run_detail(run: ReconRun, *, created: bool = False) -> dict[str, Any]:
    kinds = selectors.kind_counts(run)
    return run_out(run) | {
        "created": created,
        "rematched_at": run.rematched_at,
        "stated_count": run.stated_count,
        "stated_paid": run.stated_paid,
        "stated_refunded": run.stated_refunded,
        "stated_fees": run.stated_fees,
        "kinds": [
            {"kind": k, "label": str(DiffKind(k).label), "total": t, "open": o} for k, (t, o) in kinds.items()
        ],
        "three_way": [vars(t) for t in selectors.three_way(run)],
    }


def resolution_out(r: Resolution) -> dict[str, Any]:
    by = r.resolved_by
    return {
        "reason": r.reason,
        "note": r.note,
        "outcome": r.outcome,
        "resolved_by": (by.get_full_name() or by.username) if by else "",
        "resolved_at": r.resolved_at,
    }


def difference_out(d: Difference) -> dict[str, Any]:
    resolution = getattr(d, "resolution", None)
    return {
        "id": d.pk,
        "kind": d.kind,
        "label": str(DiffKind(d.kind).label),
        "line_no": d.line.line_no if d.line else None,
        "merchant_ref": d.merchant_ref,
        "provider_ref": d.provider_ref,
        "ours": d.ours,
        "theirs": d.theirs,
        "repairable": d.kind in REPAIRABLE and resolution is None,
        "resolution": resolution_out(resolution) if resolution else None,
    }


def _detail(a: Actor, result: services.ImportResult) -> tuple[int, dict[str, Any]]:
    run = selectors.run_get(actor=a, day=result.run.day)
    return (201 if result.created else 200), run_detail(run, created=result.created)


@router.get("/runs", response={200: list[ReconRunOut], **ERRORS})
def run_list(request: HttpRequest, page: Query[Page]):  # type: ignore[no-untyped-def]
    """The imported statements, the latest day first, with how many lines matched."""
    return [run_out(r) for r in page.cut(selectors.runs_list(actor=actor(request)))]


@router.get("/runs/{day}", response={200: ReconRunDetailOut, **ERRORS})
def run_get(request: HttpRequest, day: str):  # type: ignore[no-untyped-def]
    """A day's run: its differences counted by class and the three-way totals (the provider's
    statement, our payments, the day's close)."""
    return run_detail(selectors.run_get(actor=actor(request), day=domain.parse_day(day)))


@router.post("/runs/{day}/fetch", response={200: ReconRunDetailOut, 201: ReconRunDetailOut, **ERRORS})
def run_fetch(request: HttpRequest, day: str):  # type: ignore[no-untyped-def]
    """Fetch the provider's statement of a day (YYYY-MM-DD, from the next day on) and match it
    (201); the same statement again answers its run (200)."""
    a = actor(request)
    return _detail(a, services.statement_fetch(actor=a, day=domain.parse_day(day)))


@router.post("/runs/{day}/rematch", response={200: ReconRunDetailOut, **ERRORS})
def run_rematch(request: HttpRequest, day: str):  # type: ignore[no-untyped-def]
    """Match an imported day again, after a repair or once late facts arrived: the statement's
    lines stay as imported, the open differences are found afresh, resolved ones keep their
    resolution (and what they say is not found twice). 404 ``run_not_found``."""
    a = actor(request)
    result = services.run_rematch(actor=a, day=domain.parse_day(day))
    return run_detail(selectors.run_get(actor=a, day=result.run.day))


@router.post("/runs/{day}/statement", response={200: ReconRunDetailOut, 201: ReconRunDetailOut, **ERRORS})
def run_upload(request: HttpRequest, day: str, file: File[UploadedFile]):  # type: ignore[no-untyped-def]
    """Upload the provider's statement file of a day (multipart, field `file`: the CSV as the
    provider gives it) and match it. A file that does not read is refused whole (422
    malformed_statement, with the line and why) and changes nothing."""
    a, parsed = actor(request), domain.parse_day(day)
    content = file.read(MAX_STATEMENT_BYTES + 1)
    return _detail(a, services.statement_import(actor=a, day=parsed, content=content, source=Source.UPLOADED))


class DifferenceQuery(Schema):
    kind: str = ""  # one class of difference; blank: every class
    open: bool = False  # only those not resolved yet


@router.get("/runs/{day}/differences", response={200: list[DifferenceOut], **ERRORS})
def difference_list(request: HttpRequest, day: str, q: Query[DifferenceQuery], page: Query[Page]):  # type: ignore[no-untyped-def]
    """A day's differences, by class (lost notifications first), with their resolutions."""
    a = actor(request)
    run = selectors.run_get(actor=a, day=domain.parse_day(day))
    return [
        difference_out(d)
        for d in page.cut(selectors.differences_list(actor=a, run=run, kind=q.kind, open_only=q.open))
    ]


@router.post("/differences/{difference_id}/repair", response={200: ResolutionOut, **ERRORS})
def difference_repair(request: HttpRequest, difference_id: Id):  # type: ignore[no-untyped-def]
    """Repair a lost notification: the provider is asked, and the payment applied through the
    normal path (once, even if the notification arrives meanwhile). Send an `Idempotency-Key`."""
    return resolution_out(services.difference_repair(actor=actor(request), difference_id=difference_id))


@router.post("/differences/{difference_id}/resolve", response={200: ResolutionOut, **ERRORS})
def difference_resolve(request: HttpRequest, difference_id: Id, payload: ResolveIn):  # type: ignore[no-untyped-def]
    """Resolve a difference by a reason (timing, provider_claim, corrected_here, written_off) and
    a note; who and when are recorded. The statement's lines never change."""
    resolution = services.difference_resolve(
        actor=actor(request), difference_id=difference_id, reason=payload.reason, note=payload.note
    )
    return resolution_out(resolution)
