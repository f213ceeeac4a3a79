"""Repairing a lost notification pays the order once, through the payments' own step; every
other difference is resolved by a typed reason; the imported lines never change."""

import pytest

from omnipoint.core.errors import ConflictError, PermissionDeniedError, ValidationError
from omnipoint.orders.models import Order
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.models import OrderBalance
from omnipoint.payments.sandbox import statement_build
from omnipoint.reconciliation import selectors, services
from omnipoint.reconciliation.domain import DiffKind
from omnipoint.reconciliation.models import Difference, StatementLine
from omnipoint.testing import user_of

from .world import day_build, notify, read, write

pytestmark = pytest.mark.django_db


def test_repair_applies_the_lost_payment_once_and_records_who():
    w = day_build(paid=1, lost=1, refunds=0)
    run = services.statement_import(actor=w.hq, day=w.day, content=statement_build(day=w.day)).run
    lines_before = list(StatementLine.objects.values_list("pk", "amount", "fee", "state"))
    (lost,) = Difference.objects.filter(run=run)
    assert (lost.kind, lost.payment_id) == (DiffKind.LOST_NOTIFICATION, w.lost[0].pk)

    resolution = services.difference_repair(actor=w.hq, difference_id=lost.pk)
    assert (resolution.reason, resolution.outcome, resolution.resolved_by_id) == (
        "repaired",
        "applied",
        w.hq.user_id,
    )
    order = Order.objects.get(pk=w.lost[0].order_id)
    assert (order.payment_state, OrderBalance.objects.get(order_id=order.pk).paid) == ("paid", order.total)
    with pytest.raises(ConflictError) as e:
        services.difference_repair(actor=w.hq, difference_id=lost.pk)
    assert e.value.code == "already_resolved"
    notify(w.lost[0])()  # the real notification, late: a duplicate
    assert OrderBalance.objects.get(order_id=order.pk).paid == order.total
    assert list(StatementLine.objects.values_list("pk", "amount", "fee", "state")) == lines_before
    assert selectors.kind_counts(run)[DiffKind.LOST_NOTIFICATION] == (1, 0)


def test_resolve_needs_a_typed_reason_and_a_note_and_finance():
    w = day_build(paid=1, lost=0, refunds=0)
    rows = read(statement_build(day=w.day))
    rows[0][10] = "9.99"  # a fee that is not the contracted rate
    run = services.statement_import(actor=w.hq, day=w.day, content=write(rows)).run
    (fee,) = Difference.objects.filter(run=run)
    manager = actor_get(user=user_of("city_manager"))
    with pytest.raises(PermissionDeniedError):
        services.difference_resolve(
            actor=manager, difference_id=fee.pk, reason="written_off", note="rounding"
        )
    for reason, note, code in [
        ("repaired", "x", "invalid_reason"),
        ("nonsense", "x", "invalid_reason"),
        ("written_off", " ", "note_required"),
    ]:
        with pytest.raises(ValidationError) as e:
            services.difference_resolve(actor=w.hq, difference_id=fee.pk, reason=reason, note=note)
        assert e.value.code == code
    with pytest.raises(ValidationError) as e:
        services.difference_repair(actor=w.hq, difference_id=fee.pk)
    assert e.value.code == "not_repairable"
    done = services.difference_resolve(
        actor=w.hq, difference_id=fee.pk, reason="written_off", note="分位取整"
    )
    assert (done.reason, done.note, done.resolved_by_id) == ("written_off", "分位取整", w.hq.user_id)


def test_the_scheduled_pull_imports_yesterday_once():
    from omnipoint.reconciliation.tasks import FETCHER

    w = day_build(paid=1, lost=0, refunds=0)
    first = services.statement_fetch_due(actor=FETCHER)
    assert first is not None and (first.run.day, first.run.source, first.run.task) == (
        w.day,
        "scheduled",
        "reconciliation.fetch_yesterday",
    )
    assert first.run.lines == first.run.matched == 1
    assert services.statement_fetch_due(actor=FETCHER) is None
