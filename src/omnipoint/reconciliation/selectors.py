"""Reads of reconciliation: the runs, a run's differences by class, and the three-way view of a
day (the provider's statement, our payments, the ledger and the day's close). Finance at HQ; the
open differences' count at any manager's node (the dashboards)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from omnipoint.billpay.domain import PayMode, PayState
from omnipoint.billpay.models import BillPayment
from omnipoint.clearing.domain import Measure
from omnipoint.clearing.facts import order_outlet_by_id
from omnipoint.clearing.models import ClearingFigure, ClearingRun
from omnipoint.core.errors import NotFoundError, ValidationError
from omnipoint.loyalty.models import OnlineTopup, TopupState
from omnipoint.outlets.domain import Perm, StaffActor
from omnipoint.outlets.models import Outlet
from omnipoint.outlets.selectors import scope_q
from omnipoint.payments.domain import Method, PaymentState, RefundState
from omnipoint.payments.models import Payment, Refund
from omnipoint.payments.services import ONLINE_PROVIDER
from omnipoint.reconciliation.domain import DiffKind, LineKind, day_bounds
from omnipoint.reconciliation.models import Difference, ReconRun, StatementLine


def runs_list(*, actor: StaffActor) -> QuerySet[ReconRun]:
    actor.require(Perm.FINANCE_RECONCILE)
    return ReconRun.objects.annotate(
        differences_n=Count("differences"),
        open_n=Count("differences", filter=Q(differences__resolution__isnull=True)),
    ).order_by("-day")


def run_get(*, actor: StaffActor, day: date) -> ReconRun:
    actor.require(Perm.FINANCE_RECONCILE)
    run = runs_list(actor=actor).filter(provider=ONLINE_PROVIDER, day=day).first()
    if run is None:
        raise NotFoundError(f"no statement of {day} is imported", code="run_not_found", day=day.isoformat())
    return run


def kind_counts(run: ReconRun) -> dict[str, tuple[int, int]]:
    """Per class of difference: (all, still open), every class listed."""
    rows = (
        Difference.objects.filter(run=run)
        .values("kind")
        .annotate(n=Count("pk"), open=Count("pk", filter=Q(resolution__isnull=True)))
    )
    found = {r["kind"]: (r["n"], r["open"]) for r in rows}
    return {k: found.get(k, (0, 0)) for k in DiffKind.values}


def differences_list(
    *, actor: StaffActor, run: ReconRun, kind: str = "", open_only: bool = False
) -> QuerySet[Difference]:
    actor.require(Perm.FINANCE_RECONCILE)
    qs = Difference.objects.filter(run=run).select_related("line", "resolution", "resolution__resolved_by")
    if kind and kind not in DiffKind.values:
        raise ValidationError(
            f"{kind[:24]!r} is no class of difference", code="invalid_kind", allowed=DiffKind.values
        )
    if kind:
        qs = qs.filter(kind=kind)
    if open_only:
        qs = qs.filter(resolution__isnull=True)
    return qs.order_by("kind", "pk")


def difference_get(*, actor: StaffActor, difference_id: int) -> Difference:
    actor.require(Perm.FINANCE_RECONCILE)
    difference = (
        Difference.objects.select_related("run", "line", "resolution").filter(pk=difference_id).first()
    )
    if difference is None:
        raise NotFoundError(f"difference {difference_id} not found", code="difference_not_found")
    return difference


def open_differences(*, actor: StaffActor) -> dict[str, int]:
    """The differences not resolved yet, of every run, counted by class (every class listed) in
    the actor's scope: at HQ all of them; under it those about a payment or refund of an order
    that counts at one of the scope's outlets (a line unknown here, a top-up or a bill belongs to
    no outlet, so only HQ counts it). Finance at HQ, or a manager reading their books
    (finance.close)."""
    if not actor.can(Perm.FINANCE_RECONCILE):
        actor.require(Perm.FINANCE_CLOSE)
    qs = Difference.objects.filter(resolution__isnull=True)
    if not actor.scope.is_hq:
        outlets = Outlet.objects.filter(scope_q(actor.scope)).values("pk")
        qs = qs.filter(payment__isnull=False).annotate(at=order_outlet_by_id("payment__order_id"))
        qs = qs.filter(at__in=outlets)
    found = dict(qs.values("kind").annotate(n=Count("pk")).values_list("kind", "n").order_by())
    return {k: found.get(k, 0) for k in DiffKind.values}


@dataclass(frozen=True)
class ThreeWay:
    measure: str  # paid_count, paid, refund_count, refunded, fees
    statement: int
    ours: int
    books: int | None  # the day's close (None: not closed); fees are no figure of the close


def three_way(run: ReconRun) -> list[ThreeWay]:
    """The day's totals three ways: the provider's lines, our payments, refunds, online top-ups
    and bills paid online that succeeded at the gateway that day, and the close's figures for online payments
    and online top-ups at HQ (which the close read from our payments and the ledger)."""
    lines = StatementLine.objects.filter(run=run).aggregate(
        paid_n=Count("pk", filter=Q(kind=LineKind.PAYMENT)),
        paid=Sum("amount", filter=Q(kind=LineKind.PAYMENT), default=0),
        refund_n=Count("pk", filter=Q(kind=LineKind.REFUND)),
        refunded=Sum("refund_amount", default=0),
        fees=Sum("fee", default=0),
    )
    start, end = day_bounds(run.day)
    paid = Payment.objects.filter(
        provider=ONLINE_PROVIDER, state=PaymentState.SUCCEEDED, succeeded_at__gte=start, succeeded_at__lt=end
    ).aggregate(n=Count("pk"), s=Sum("amount", default=0))
    topups = OnlineTopup.objects.filter(
        state=TopupState.PAID, credited_at__gte=start, credited_at__lt=end
    ).aggregate(n=Count("pk"), s=Sum("amount", default=0))
    bills = _bills_in(start, end).aggregate(n=Count("pk"), s=Sum("amount", default=0))
    bill_refunds = BillPayment.objects.filter(
        mode=PayMode.MEMBER_ONLINE, refunded_at__gte=start, refunded_at__lt=end
    ).exclude(refund_ref="")
    bill_back = bill_refunds.aggregate(n=Count("pk"), s=Sum("amount", default=0))
    refunds = Refund.objects.filter(
        payment__provider=ONLINE_PROVIDER,
        state=RefundState.SUCCEEDED,
        created_at__gte=start,
        created_at__lt=end,
    ).aggregate(n=Count("pk"), s=Sum("amount", default=0))
    books = _books(run.day)
    return [
        ThreeWay(
            "paid_count",
            lines["paid_n"],
            paid["n"] + topups["n"] + bills["n"],
            _sum(books, Measure.PAID_COUNT, Measure.TOPUP_COUNT),
        ),
        ThreeWay(
            "paid",
            lines["paid"],
            paid["s"] + topups["s"] + bills["s"],
            _sum(books, Measure.PAID, Measure.TOPUP_PRINCIPAL),
        ),
        ThreeWay(
            "refund_count",
            lines["refund_n"],
            refunds["n"] + bill_back["n"],
            _sum(books, Measure.REFUND_COUNT),
        ),
        ThreeWay("refunded", lines["refunded"], refunds["s"] + bill_back["s"], _sum(books, Measure.REFUNDED)),
        ThreeWay("fees", lines["fees"], 0, None),
    ]


def _bills_in(start: datetime, end: datetime) -> QuerySet[BillPayment]:
    """Bills paid online whose money reached us in the range (as matching.py dates them)."""
    return (
        BillPayment.objects.filter(mode=PayMode.MEMBER_ONLINE)
        .exclude(gateway_ref="")
        .filter(Q(state__in=[PayState.HELD, PayState.PAID]) | Q(refunded_at__isnull=False))
        .annotate(at=Coalesce("paid_at", "refunded_at", "created_at"))
        .filter(at__gte=start, at__lt=end)
    )


def _books(day: date) -> dict[str, int] | None:
    if not ClearingRun.objects.filter(day=day).exists():
        return None
    rows = (
        ClearingFigure.objects.filter(day=day, corrects=day, node="hq", method=Method.ONLINE)
        .values("measure")
        .annotate(v=Sum("value"))
    )
    return {r["measure"]: int(r["v"]) for r in rows}


def _sum(books: dict[str, int] | None, *measures: str) -> int | None:
    return None if books is None else sum(books.get(m, 0) for m in measures)
