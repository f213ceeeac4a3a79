"""The ticket's rules without a database: steps in and out of order, the SLA deadlines and
what is overdue, which lines open tickets, visit days, codes and notes."""

from datetime import UTC, date, datetime, timedelta

import pytest

from omnipoint.aftersales import domain
from omnipoint.aftersales.domain import LineForTickets, Step, TicketKind
from omnipoint.aftersales.domain import TicketState as S
from omnipoint.core.errors import InvalidStateError, ValidationError

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def test_the_happy_path_and_a_second_visit():
    state = S.OPEN
    for step, to in ((Step.SCHEDULE, S.SCHEDULED), (Step.DEPART, S.ON_THE_WAY), (Step.ARRIVE, S.ON_SITE),
                     (Step.FAIL, S.NOT_DONE), (Step.RESCHEDULE, S.RESCHEDULED), (Step.DEPART, S.ON_THE_WAY),
                     (Step.ARRIVE, S.ON_SITE), (Step.COMPLETE, S.DONE)):  # fmt: skip
        state = domain.next_state(step, state)
        assert state == to


@pytest.mark.parametrize(
    "step,state",
    [(Step.COMPLETE, S.SCHEDULED), (Step.ARRIVE, S.SCHEDULED), (Step.DEPART, S.OPEN), (Step.DEPART, S.DONE),
     (Step.SCHEDULE, S.SCHEDULED), (Step.CANCEL, S.DONE), (Step.FAIL, S.SCHEDULED), (Step.RESCHEDULE, S.OPEN)],
)  # fmt: skip
def test_a_step_out_of_order_is_refused_with_the_state(step, state):
    with pytest.raises(InvalidStateError) as e:
        domain.next_state(step, state)
    assert (e.value.code, e.value.details["state"], e.value.status) == ("ticket_wrong_state", state, 409)


def test_an_unknown_step_is_invalid_input():
    with pytest.raises(ValidationError):
        domain.next_state("teleport", S.OPEN)


def test_allowed_steps_split_the_technician_from_the_desk():
    assert domain.allowed_steps(S.SCHEDULED, technician=True) == [Step.DEPART]
    assert domain.allowed_steps(S.ON_SITE, technician=True) == [Step.COMPLETE, Step.FAIL]
    assert domain.allowed_steps(S.NOT_DONE, technician=False) == [Step.RESCHEDULE, Step.CANCEL]
    assert domain.allowed_steps(S.DONE, technician=False) == []


def test_deadlines_per_kind():
    due = domain.deadlines(TicketKind.COMPLAINT, T0)
    assert (due.respond_by - T0, due.complete_by - T0) == (timedelta(hours=4), timedelta(hours=48))
    assert domain.deadlines(TicketKind.INSTALLATION, T0).complete_by == T0 + timedelta(hours=72)
    assert set(domain.SLA) == set(TicketKind.values)


def test_overdue_for_response_until_a_visit_is_agreed_and_for_completion_until_closed():
    due = domain.deadlines(TicketKind.INSTALLATION, T0)
    late = lambda state, now, responded=None: domain.overdue(  # noqa: E731
        state=state, now=now, respond_by=due.respond_by, complete_by=due.complete_by, responded_at=responded
    )
    assert late(S.OPEN, T0 + timedelta(hours=23)) == []
    assert late(S.OPEN, T0 + timedelta(hours=25)) == ["response"]
    assert late(S.SCHEDULED, T0 + timedelta(hours=25), T0 + timedelta(hours=2)) == []
    assert late(S.SCHEDULED, T0 + timedelta(hours=73), T0 + timedelta(hours=2)) == ["completion"]
    assert late(S.OPEN, T0 + timedelta(hours=73)) == ["response", "completion"]
    assert late(S.DONE, T0 + timedelta(hours=99)) == late(S.CANCELLED, T0 + timedelta(hours=99)) == []


def test_which_lines_open_tickets():
    goods = LineForTickets(line_id=1, needs_ticket=True, is_goods=True)
    plain = LineForTickets(line_id=2, needs_ticket=False, is_goods=True)
    service = LineForTickets(line_id=3, needs_ticket=True, is_goods=False)
    assert domain.tickets_for_lines([goods, plain, service]) == [(1, "installation"), (3, "installation")]
    assert domain.tickets_for_lines([plain, service]) == [(3, "installation")]  # sold with the goods
    assert domain.tickets_for_lines([service]) == [(3, "service")]  # sold alone
    assert domain.tickets_for_lines([plain]) == []


def test_visit_days_codes_and_notes():
    today = date(2026, 12, 7)
    domain.check_visit_day(today, today=today)
    for day, code in (
        (today - timedelta(days=1), "visit_day_past"),
        (today + timedelta(days=31), "visit_day_too_far"),
    ):
        with pytest.raises(ValidationError) as e:
            domain.check_visit_day(day, today=today)
        assert e.value.code == code
    assert domain.code_matches(" 123456 ", "123456") and not domain.code_matches("123457", "123456")
    assert not domain.code_matches("", "123456")
    with pytest.raises(ValidationError):
        domain.check_note("  ", required=True)
    with pytest.raises(ValidationError):
        domain.check_note("x" * 301, required=False)
    assert domain.check_note(" 客户不在家 ", required=True) == "客户不在家"
