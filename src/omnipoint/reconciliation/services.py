"""Writes of reconciliation: import a provider's statement of a day (fetched from the provider,
by the scheduled task or on request, or uploaded by finance) and match it, repair a lost
notification, resolve a difference with a reason.

An import is one transaction: the run is inserted first (one per provider and day: two imports
at once leave one), then the lines as they are read and checked, then the matching. A file that
does not read refuses the whole import and leaves nothing. The same file again returns its run;
another file for a day already imported is refused (409 ``statement_exists``).
"""

import hashlib
import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from omnipoint.core.errors import ConflictError, NotFoundError, ValidationError
from omnipoint.outlets.domain import Perm, StaffActor, SystemActor
from omnipoint.payments import services as payments
from omnipoint.payments.providers import provider_get
from omnipoint.payments.services import ONLINE_PROVIDER
from omnipoint.reconciliation import domain
from omnipoint.reconciliation.domain import MAX_NOTE, MAX_STATEMENT_BYTES, REPAIRABLE, Reason, Source
from omnipoint.reconciliation.matching import lines_store, run_match
from omnipoint.reconciliation.models import Difference, ReconRun, Resolution

REPAIR = SystemActor(task="reconciliation.repair")
REPAIRED_OUTCOMES = frozenset(
    {"applied", "duplicate", "refunded_cancelled", "refunded_overpaid", "topup_paid"}
)


@dataclass(frozen=True)
class ImportResult:
    run: ReconRun
    created: bool  # False: this very file was imported before


def _check_day(day: date) -> None:
    domain.check_statement_day(day, today=timezone.now().astimezone(domain.BUSINESS_TZ).date())


def _existing(day: date, sha: str) -> ReconRun | None:
    run = ReconRun.objects.filter(provider=ONLINE_PROVIDER, day=day).first()
    if run is not None and run.sha256 != sha:
        raise ConflictError(
            f"the statement of {day} is already imported, from another file",
            code="statement_exists",
            day=day.isoformat(),
        )
    return run


def statement_import(
    *, actor: StaffActor, day: date, content: bytes, source: str = Source.UPLOADED
) -> ImportResult:
    """Import the provider's statement of ``day`` and match it against our payments, refunds and
    top-ups. Finance at HQ (finance.reconcile), or the scheduled task."""
    actor.require(Perm.FINANCE_RECONCILE)
    _check_day(day)
    if not content or len(content) > MAX_STATEMENT_BYTES:
        raise domain.malformed(1, "size", "the file is empty or too large")
    sha = hashlib.sha256(content).hexdigest()
    existing = _existing(day, sha)
    if existing is not None:
        return ImportResult(existing, created=False)
    reader = domain.StatementReader(content, day)
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = ReconRun.objects.create(
                    provider=ONLINE_PROVIDER,
                    day=day,
                    source=source,
                    sha256=sha,
                    imported_at=now,
                    imported_by_id=actor.user_id,
                    task=actor.name if actor.is_system else "",
                )
        except IntegrityError:  # another import of the day got there first
            return ImportResult(ReconRun.objects.get(provider=ONLINE_PROVIDER, day=day), created=False)
        run.lines = lines_store(run, reader)
        summary = reader.summary
        assert summary is not None  # the reader raised otherwise
        started = time.perf_counter()
        run.matched = run_match(run, start=domain.day_bounds(day)[0], end=domain.day_bounds(day)[1], now=now)
        run.match_seconds = time.perf_counter() - started
        run.stated_count, run.stated_paid = summary.count, summary.paid
        run.stated_refunded, run.stated_fees = summary.refunded, summary.fees
        run.save()
    return ImportResult(run, created=True)


def statement_fetch(*, actor: StaffActor, day: date, source: str = Source.FETCHED) -> ImportResult:
    """Ask the provider for its statement of ``day`` and import it."""
    actor.require(Perm.FINANCE_RECONCILE)
    _check_day(day)
    content = provider_get(ONLINE_PROVIDER).statement(day)
    return statement_import(actor=actor, day=day, content=content, source=source)


def statement_fetch_due(*, actor: StaffActor) -> ImportResult | None:
    """The scheduled pull: yesterday's statement, once it is not imported yet."""
    yesterday = timezone.now().astimezone(domain.BUSINESS_TZ).date() - timedelta(days=1)
    if ReconRun.objects.filter(provider=ONLINE_PROVIDER, day=yesterday).exists():
        return None
    return statement_fetch(actor=actor, day=yesterday, source=Source.SCHEDULED)


def _difference(difference_id: int) -> Difference:
    difference = Difference.objects.select_related("run").filter(pk=difference_id).first()
    if difference is None:
        raise NotFoundError(f"difference {difference_id} not found", code="difference_not_found")
    return difference


def _resolve(
    difference: Difference, actor: StaffActor, reason: str, note: str, outcome: str = ""
) -> Resolution:
    try:
        with transaction.atomic():
            return Resolution.objects.create(
                difference=difference,
                reason=reason,
                note=note,
                outcome=outcome,
                resolved_by_id=actor.user_id,
                resolved_at=timezone.now(),
            )
    except IntegrityError:
        raise ConflictError("this difference is already resolved", code="already_resolved") from None


def _check_open(difference: Difference) -> None:
    if Resolution.objects.filter(difference=difference).exists():
        raise ConflictError("this difference is already resolved", code="already_resolved")


@transaction.atomic
def difference_repair(*, actor: StaffActor, difference_id: int) -> Resolution:
    """A lost notification: ask the provider about the payment and apply what it answers
    through the payments' own step (once, even with the real notification arriving at the same
    moment), then record the repair. A provider that does not say paid refuses the repair."""
    actor.require(Perm.FINANCE_RECONCILE)
    difference = _difference(difference_id)
    if difference.kind not in REPAIRABLE:
        raise ValidationError("only a lost notification is repaired", code="not_repairable")
    _check_open(difference)
    outcome = payments.payment_recover(actor=REPAIR, number=difference.merchant_ref)
    if outcome not in REPAIRED_OUTCOMES:
        raise ConflictError(
            f"the provider says the payment is {outcome}", code="repair_refused", provider_says=outcome
        )
    return _resolve(difference, actor, Reason.REPAIRED, "", outcome)


def difference_resolve(*, actor: StaffActor, difference_id: int, reason: str, note: str) -> Resolution:
    """Settle a difference by a typed reason and a note: who, when and why are recorded; the
    statement's lines are never changed."""
    actor.require(Perm.FINANCE_RECONCILE)
    if reason not in Reason.values or reason == Reason.REPAIRED:
        raise ValidationError(
            f"{reason[:20]!r} is not a reason",
            code="invalid_reason",
            allowed=sorted(set(Reason.values) - {"repaired"}),
        )
    note = (note or "").strip()
    if not note or len(note) > MAX_NOTE:
        raise ValidationError(f"say why, in at most {MAX_NOTE} characters", code="note_required")
    difference = _difference(difference_id)
    _check_open(difference)
    return _resolve(difference, actor, reason, note)
