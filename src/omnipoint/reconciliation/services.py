"""Writes of reconciliation: import a provider's statement of a day (fetched from the provider,
by the scheduled task or on request, or uploaded by finance) and match it, repair a lost
notification (an order's payment, or a bill paid online), resolve a difference with a reason,
match a day again after a repair.

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

from omnipoint.billpay.domain import PayState
from omnipoint.billpay.services import bill_gateway_sync
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
    | {"bill_held", "bill_paid", "bill_refunded"}
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
            # the run's row orders this against a matching again, which deletes open differences
            ReconRun.objects.select_for_update().filter(pk=difference.run_id).first()
            if not Difference.objects.filter(pk=difference.pk).exists():
                raise NotFoundError(f"difference {difference.pk} not found", code="difference_not_found")
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


def difference_repair(*, actor: StaffActor, difference_id: int) -> Resolution:
    """A lost notification: ask the provider about the payment and apply what it answers
    through the owner's own step (once, even with the real notification arriving at the same
    moment), then record the repair. A provider that does not say paid refuses the repair. An
    order's payment is applied in one transaction; a bill's outside any (billpay asks the
    biller once the money is in)."""
    actor.require(Perm.FINANCE_RECONCILE)
    difference = _difference(difference_id)
    if difference.kind not in REPAIRABLE:
        raise ValidationError("only a lost notification is repaired", code="not_repairable")
    _check_open(difference)
    if difference.bill_id is not None:
        return _repaired(difference, actor, _bill_recover(difference.merchant_ref))
    with transaction.atomic():
        outcome = payments.payment_recover(actor=REPAIR, number=difference.merchant_ref)
        return _repaired(difference, actor, outcome)


def _repaired(difference: Difference, actor: StaffActor, outcome: str) -> Resolution:
    if outcome not in REPAIRED_OUTCOMES:
        raise ConflictError(
            f"the provider says the payment is {outcome}", code="repair_refused", provider_says=outcome
        )
    return _resolve(difference, actor, Reason.REPAIRED, "", outcome)


def _bill_recover(number: str) -> str:
    """A bill paid online whose notification was lost: billpay asks the gateway and takes the
    money in through its own step (the biller asked next), or sends it back if the payment was
    given up meanwhile. The outcome is what the bill became."""
    bill = bill_gateway_sync(actor=REPAIR, number=number)
    if bill.state == PayState.REVERSED:
        return "bill_refunded" if bill.refunded_at else "bill_reversed"
    return f"bill_{bill.state}"


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


@dataclass(frozen=True)
class RematchResult:
    run: ReconRun
    before: int  # open differences before
    after: int  # open differences found now


@transaction.atomic
def run_rematch(*, actor: StaffActor, day: date) -> RematchResult:
    """Match an imported day again (after a repair, or once late facts arrived): its lines as
    they were imported, its open differences found afresh; a resolved difference and its
    resolution stay, and what it says is not found a second time. Finance at HQ."""
    actor.require(Perm.FINANCE_RECONCILE)
    run = ReconRun.objects.select_for_update().filter(provider=ONLINE_PROVIDER, day=day).first()
    if run is None:
        raise NotFoundError(f"no statement of {day} is imported", code="run_not_found", day=day.isoformat())
    stale = Difference.objects.filter(run=run, resolution__isnull=True)
    before = stale.count()
    stale.delete()
    last = Difference.objects.filter(run=run).order_by("-pk").values_list("pk", flat=True).first()
    now = timezone.now()
    start, end = domain.day_bounds(day)
    run.matched = run_match(run, start=start, end=end, now=now, after=last or 0)
    run.rematched_at, run.rematched_by_id = now, actor.user_id
    run.save(update_fields=["matched", "rematched_at", "rematched_by"])
    found = Difference.objects.filter(run=run, resolution__isnull=True).count()
    return RematchResult(run, before, found)
