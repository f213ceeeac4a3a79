"""A technician's places a day, set by a manager (``service.setup``) whose scope covers the
technician's node (an outlet's technician where the outlet is covered, a district's team where
the district is): the standing visits a day, and a day's exception (a day off is 0).

Visits never lock anything here: a visit writes a day nobody booked yet with the standing
capacity (an insert that ignores a clash on the unique key) and takes a place by ``booked <
capacity``. The manager's writes meet them on the same rows:

- the standing capacity: the days ahead on which a visit may be agreed are inserted first (a
  visit inserting the same day waits on the unique key for the other, and the later one finds
  the row), then every day of the technician's from today that is no exception gets ``capacity
  = max(booked, new)``: a day already holding more visits keeps them, full, and is reported;
- a day's exception: ``capacity = new`` where ``booked <= new``, else 409
  ``capacity_below_booked`` and nothing changed (the desk moves the visits first);
- clearing it: back to the standing capacity, never below what is booked.

Two managers on one technician are serialised on its ``TechnicianCapacity`` row."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from omnipoint.aftersales import domain, selectors
from omnipoint.aftersales.models import TechnicianCapacity, TechnicianDay
from omnipoint.core.errors import ConflictError
from omnipoint.outlets.domain import StaffActor


@dataclass(frozen=True)
class CapacitySet:
    visits_per_day: int
    kept: list[tuple[date, int]]  # days already holding more visits: (day, booked), kept full


def _standing_locked(technician_id: int) -> TechnicianCapacity:
    TechnicianCapacity.objects.bulk_create(
        [TechnicianCapacity(technician_id=technician_id)], ignore_conflicts=True
    )
    return TechnicianCapacity.objects.select_for_update().get(technician_id=technician_id)


def technician_capacity_set(*, actor: StaffActor, technician_id: int, visits_per_day: int) -> CapacitySet:
    """The technician's standing visits a day, from today on every day that is no exception."""
    selectors.technician_for_setup(actor=actor, technician_id=technician_id)
    n = domain.check_visits_per_day(visits_per_day)
    today = timezone.localdate()
    ahead = [today + timedelta(days=i) for i in range(domain.SCHEDULE_AHEAD_DAYS + 2)]
    with transaction.atomic():
        standing = _standing_locked(technician_id)
        TechnicianCapacity.objects.filter(pk=standing.pk).update(
            visits_per_day=n, set_by_id=actor.user_id, set_at=timezone.now()
        )
        TechnicianDay.objects.bulk_create(
            [TechnicianDay(technician_id=technician_id, day=d, capacity=n) for d in ahead],
            ignore_conflicts=True,
        )
        days = TechnicianDay.objects.filter(technician_id=technician_id, day__gte=today, exception=False)
        days.update(capacity=Greatest(F("booked"), Value(n)))
        kept = list(days.filter(booked__gt=n).order_by("day").values_list("day", "booked"))
    return CapacitySet(visits_per_day=n, kept=kept)


def technician_day_set(
    *, actor: StaffActor, technician_id: int, day: date, capacity: int, note: str = ""
) -> TechnicianDay:
    """Make ``day`` an exception with ``capacity`` places (0: a day off). Refused while the day
    holds more visits than that (409 ``capacity_below_booked``), nothing changed."""
    selectors.technician_for_setup(actor=actor, technician_id=technician_id)
    n = domain.check_visits_per_day(capacity)
    domain.check_exception_day(day, today=timezone.localdate())
    text = domain.check_capacity_note(note)
    with transaction.atomic():
        standing = _standing_locked(technician_id)
        TechnicianDay.objects.bulk_create(
            [TechnicianDay(technician_id=technician_id, day=day, capacity=standing.visits_per_day)],
            ignore_conflicts=True,
        )
        row = TechnicianDay.objects.filter(technician_id=technician_id, day=day)
        if (
            row.filter(booked__lte=n).update(capacity=n, exception=True, note=text, set_by_id=actor.user_id)
            != 1
        ):
            booked = row.values_list("booked", flat=True).get()
            raise ConflictError(
                f"{booked} visits are booked that day: move them first", code="capacity_below_booked",
                booked=booked, day=day.isoformat(),
            )  # fmt: skip
    return row.get()


def technician_day_clear(*, actor: StaffActor, technician_id: int, day: date) -> TechnicianDay | None:
    """The day is no exception any more: the standing capacity again (never below what is
    booked). A day that was no exception stays as it was."""
    selectors.technician_for_setup(actor=actor, technician_id=technician_id)
    domain.check_exception_day(day, today=timezone.localdate())
    with transaction.atomic():
        standing = _standing_locked(technician_id)
        row = TechnicianDay.objects.filter(technician_id=technician_id, day=day)
        row.filter(exception=True).update(
            capacity=Greatest(F("booked"), Value(standing.visits_per_day)), exception=False, note="",
            set_by_id=actor.user_id,
        )  # fmt: skip
    return row.first()
