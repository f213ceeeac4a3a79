"""Writes of the books: close a business day, open and close a counter shift.

Closing a day is one transaction that starts by inserting the day's ``ClearingRun``: the unique
day decides between two closes at once (the second waits for the first, then finds its run and
returns it), so a day is closed once and its figures are written once. A closed day never
changes: a re-run that would give the same figures returns the run; one whose facts have moved
since (a late refund or payment) is refused, and the difference is booked by the next close as
adjustments naming the day they correct.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from omnipoint.clearing import domain, selectors
from omnipoint.clearing.domain import Cell, Level, NodeCell
from omnipoint.clearing.facts import day_facts
from omnipoint.clearing.models import ClearingFigure, ClearingRun, CounterShift
from omnipoint.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from omnipoint.outlets.domain import Perm, StaffActor
from omnipoint.outlets.models import Outlet, Staff

MAX_CASH = 10**10  # fen: a till does not hold a hundred million yuan


@dataclass(frozen=True)
class CloseResult:
    run: ClearingRun
    created: bool  # False: the day was already closed (by this call's twin, or before)


def _region_paths(cells: dict[Cell, int]) -> dict[int, str]:
    ids = {c.outlet_id for c in cells if c.outlet_id is not None}
    return dict(Outlet.objects.filter(pk__in=ids).values_list("pk", "region_path"))


FigureRow = tuple[int, date, date, str, str, str, int | None, str, str, str, int]
_FIGURE_COLUMNS = (
    "run_id", "day", "corrects", "level", "node", "region_path", "outlet_id", "channel", "method", "measure", "value",
)  # fmt: skip


def _figure_rows(run: ClearingRun, corrects: date, cells: dict[Cell, int]) -> list[FigureRow]:
    rolled: dict[NodeCell, int] = domain.rollup(cells, _region_paths(cells))
    rows: list[FigureRow] = [
        (
            run.pk,
            run.day,
            corrects,
            k.node.level,
            k.node.key,
            k.node.region_path,
            int(k.node.key[7:]) if k.node.level == Level.OUTLET else None,
            k.channel,
            k.method,
            k.measure,
            value,
        )
        for k, value in rolled.items()
    ]
    rows.sort(key=lambda r: (r[3], r[4], r[7], r[8], r[9]))
    return rows


def _write_figures(rows: list[FigureRow]) -> None:
    """Insert the figures: by COPY on PostgreSQL (a day over 10,000 outlets writes hundreds of
    thousands), in batches elsewhere."""
    if connection.vendor != "postgresql":
        figures = [ClearingFigure(**dict(zip(_FIGURE_COLUMNS, r, strict=True))) for r in rows]
        ClearingFigure.objects.bulk_create(figures, batch_size=1000)
        return
    from psycopg import sql

    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(ClearingFigure._meta.db_table),
        sql.SQL(", ").join(map(sql.Identifier, _FIGURE_COLUMNS)),
    )
    with connection.cursor() as cur, cur.cursor.copy(stmt) as copy:
        for row in rows:
            copy.write_row(row)


def _check_unchanged(day: date) -> None:
    """A closed day re-run: the same figures, or a refusal naming how many moved since."""
    now = domain.with_net(day_facts(day, day).get(day, {}))
    changed = domain.corrections(now, selectors.booked_cells(day))
    if changed:
        raise ConflictError(
            f"{day} is closed and its facts have changed since: the next close books the difference",
            code="day_locked",
            day=day.isoformat(),
            changed=len(changed),
        )


def _book(run: ClearingRun) -> None:
    """Write the day's figures and the corrections of the closed days before it."""
    day = run.day
    closed = list(
        ClearingRun.objects.filter(day__gte=day - timedelta(days=domain.CORRECTION_DAYS), day__lt=day)
        .order_by("day")
        .values_list("day", flat=True)
    )
    facts = day_facts(closed[0] if closed else day, day)
    rows = _figure_rows(run, day, domain.with_net(facts.get(day, {})))
    for earlier in closed:
        adjustment = domain.corrections(
            domain.with_net(facts.get(earlier, {})), selectors.booked_cells(earlier)
        )
        rows += _figure_rows(run, earlier, adjustment)
    _write_figures(rows)


def day_close(*, actor: StaffActor, day: date) -> CloseResult:
    """Close a business day for the whole network (a manager holding finance.close may start it;
    each reads the figures of their own node). Idempotent: the same day again returns its run."""
    actor.require(Perm.FINANCE_CLOSE)
    existing = ClearingRun.objects.filter(day=day).first()
    if existing is not None:
        _check_unchanged(day)
        return CloseResult(existing, created=False)
    domain.check_closable(
        day, today=domain.business_today(timezone.now()), last_closed=selectors.last_closed_day()
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = ClearingRun.objects.create(
                    day=day,
                    closed_at=timezone.now(),
                    closed_by_id=actor.user_id,
                    task=actor.name if actor.is_system else "",
                )
        except IntegrityError:  # a close of the same day got there first and has committed
            return CloseResult(ClearingRun.objects.get(day=day), created=False)
        _book(run)
    return CloseResult(run, created=True)


def days_close_due(*, actor: StaffActor) -> list[CloseResult]:
    """The scheduled close: every open day up to yesterday, in order."""
    today = domain.business_today(timezone.now())
    due = domain.days_to_close(today=today, last_closed=selectors.last_closed_day())
    return [day_close(actor=actor, day=d) for d in due]


# --- counter shifts -------------------------------------------------------------------------


def shift_open(*, actor: StaffActor, outlet_id: int) -> CounterShift:
    """A clerk starts a shift at a counter in their scope: one open shift at a time."""
    actor.require(Perm.STOCK_SELL)
    if actor.staff_id is None:
        raise PermissionDeniedError("a shift is a staff member's", code="not_staff")
    outlet = Outlet.objects.filter(pk=outlet_id).first()
    if outlet is None or not actor.scope.covers_outlet(outlet_id=outlet.pk, region_path=outlet.region_path):
        raise NotFoundError(f"outlet {outlet_id} not found", code="outlet_not_found")
    if not outlet.sells_at_counter:
        raise ValidationError(f"{outlet.code} has no counter", code="no_counter")
    try:
        with transaction.atomic():
            return CounterShift.objects.create(
                outlet=outlet, clerk_id=actor.staff_id, opened_at=timezone.now()
            )
    except IntegrityError:
        open_id = CounterShift.objects.filter(clerk_id=actor.staff_id, closed_at__isnull=True).values_list(
            "pk", flat=True
        )
        raise ConflictError(
            "close your open shift first", code="shift_already_open", shift_id=open_id.first()
        ) from None


def _declared(value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_CASH:
        raise ValidationError("the cash counted is 0 or more fen", code="invalid_amount")
    return value


@transaction.atomic
def shift_close(*, actor: StaffActor, shift_id: int, declared_cash: int) -> CounterShift:
    """Close a shift with the cash counted in the till: the clerk's own, or any in scope for a
    manager. Expected cash is the clerk's cash tenders less cash refunds at that outlet during
    the shift; closing twice is refused."""
    declared = _declared(declared_cash)
    shift = selectors.shift_get(actor=actor, shift_id=shift_id)
    if shift.clerk_id != actor.staff_id and not actor.can(Perm.FINANCE_CLOSE):
        raise PermissionDeniedError("only the clerk or a manager closes a shift", code="forbidden")
    if shift.closed_at is not None:
        raise ConflictError(f"shift {shift_id} is already closed", code="shift_closed")
    now = timezone.now()
    clerk_user = Staff.objects.values_list("user_id", flat=True).get(pk=shift.clerk_id)
    taken, refunded = selectors.shift_cash(
        outlet_id=shift.outlet_id, user_id=clerk_user, start=shift.opened_at, end=now
    )
    closed = CounterShift.objects.filter(pk=shift.pk, closed_at__isnull=True).update(
        closed_at=now,
        closed_by_id=actor.user_id,
        cash_taken=taken,
        cash_refunded=refunded,
        declared_cash=declared,
    )
    if closed != 1:
        raise ConflictError(f"shift {shift_id} is already closed", code="shift_closed")
    shift.refresh_from_db()
    return shift
