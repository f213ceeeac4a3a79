from datetime import UTC, date, datetime, time, timedelta

import pytest

from omnipoint.appointments import domain
from omnipoint.appointments.domain import Opening
from omnipoint.core.errors import DomainError


def test_a_day_is_cut_into_slots_of_the_service_in_shanghai_time():
    monday = date(2026, 12, 7)
    openings = [Opening(0, time(9, 0), time(10, 40), 3), Opening(1, time(9, 0), time(12, 0), 1)]
    slots = domain.day_slots(monday, openings, duration_min=30)
    assert [s.starts_at.astimezone(UTC).strftime("%H:%M") for s in slots] == ["01:00", "01:30", "02:00"]
    assert {s.capacity for s in slots} == {3}  # 10:30-10:40 is too short for a slot
    assert domain.day_slots(monday + timedelta(days=2), openings, duration_min=30) == []


@pytest.mark.parametrize(
    ("openings", "code"),
    [
        ([Opening(7, time(9), time(10), 1)], "invalid_weekday"),
        ([Opening(0, time(10), time(9), 1)], "invalid_opening"),
        ([Opening(0, time(9), time(10), 0)], "invalid_capacity"),
        ([Opening(0, time(9), time(11), 1), Opening(0, time(10), time(12), 1)], "openings_overlap"),
    ],
)
def test_a_bad_timetable_is_refused(openings, code):
    with pytest.raises(DomainError) as e:
        domain.check_openings(openings)
    assert e.value.code == code


def test_booking_and_change_windows():
    now = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    with pytest.raises(DomainError, match="started"):
        domain.check_bookable(starts_at=now, now=now)
    with pytest.raises(DomainError) as e:
        domain.check_bookable(starts_at=now + timedelta(days=domain.BOOK_AHEAD_DAYS), now=now)
    assert e.value.code == "too_far_ahead"
    soon = now + timedelta(hours=1)
    domain.check_changeable(starts_at=soon, now=now, by_member=False)
    with pytest.raises(DomainError) as e:
        domain.check_changeable(starts_at=soon, now=now, by_member=True)
    assert e.value.details["reason"]["kind"] == domain.AppointmentWhy.TOO_LATE_TO_CHANGE


def test_check_in_window_and_no_show_limit():
    start = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    domain.check_in_window(starts_at=start, now=start - timedelta(minutes=59))
    domain.check_in_window(starts_at=start, now=start + timedelta(minutes=15))
    for now, code in (
        (start - timedelta(minutes=61), "check_in_too_early"),
        (start + timedelta(minutes=16), "check_in_too_late"),
    ):
        with pytest.raises(DomainError) as e:
            domain.check_in_window(starts_at=start, now=now)
        assert e.value.code == code
    domain.check_no_shows(domain.NO_SHOW_LIMIT - 1)
    with pytest.raises(DomainError, match="missed"):
        domain.check_no_shows(domain.NO_SHOW_LIMIT)


def test_queue_labels_and_materials():
    assert domain.queue_label("A", 7) == "A007"
    assert domain.check_materials(["photo", "id_card"], ["id_card", "photo", "form"]) == ["id_card", "photo"]
    with pytest.raises(DomainError):
        domain.check_materials(["passport"], ["id_card"])
    with pytest.raises(DomainError):
        domain.check_prefix("I")
