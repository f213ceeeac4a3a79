"""Counter shifts (交班): expected cash is the clerk's own cash at their outlet during the shift."""

import pytest

from omnipoint.clearing import services
from omnipoint.clearing.models import CounterShift
from omnipoint.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders import services as orders
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments import services as payments
from omnipoint.testing import build_network, user_of

pytestmark = pytest.mark.django_db


def _cash_sale(persona: str, outlet, sku) -> int:
    actor = actor_get(user=user_of(persona))
    sale = orders.order_place(
        actor=actor_for_user(user=user_of(persona)),
        channel="pos",
        method="counter",
        payment_mode="counter",
        origin_outlet_id=outlet.pk,
        lines=[orders.LineRequest(sku_id=sku.pk, quantity=1)],
    )
    return payments.payment_capture(actor=actor, order_id=sale.pk, method="cash").pk


def test_a_shift_closes_with_expected_cash_against_the_count():
    net = build_network()
    clerk = actor_get(user=user_of("outlet_clerk"))
    shift = services.shift_open(actor=clerk, outlet_id=net.a.pk)
    mine = _cash_sale("outlet_clerk", net.a, net.skus[2])  # 300.00
    _cash_sale("outlet_manager", net.a, net.skus[2])  # someone else's till
    _cash_sale("other_city_clerk", net.c, net.skus[2])
    payments.payment_refund(actor=clerk, payment_id=mine, amount=20_00, reason="scratched")

    closed = services.shift_close(actor=clerk, shift_id=shift.pk, declared_cash=279_50)
    assert (closed.cash_taken, closed.cash_refunded, closed.expected_cash) == (300_00, 20_00, 280_00)
    assert (closed.declared_cash, closed.difference) == (279_50, -50)
    with pytest.raises(ConflictError) as refused:
        services.shift_close(actor=clerk, shift_id=shift.pk, declared_cash=0)
    assert refused.value.code == "shift_closed"


def test_one_open_shift_per_clerk_and_only_at_their_counters():
    net = build_network()
    clerk = actor_get(user=user_of("outlet_clerk"))
    services.shift_open(actor=clerk, outlet_id=net.a.pk)
    with pytest.raises(ConflictError) as refused:
        services.shift_open(actor=clerk, outlet_id=net.a.pk)
    assert refused.value.code == "shift_already_open"
    for outlet_id, error, code in (
        (net.c.pk, NotFoundError, "outlet_not_found"),
        (net.w.pk, NotFoundError, "outlet_not_found"),
    ):
        with pytest.raises(error) as refused:
            services.shift_open(actor=clerk, outlet_id=outlet_id)
        assert refused.value.code == code
    hq = actor_get(user=user_of("hq_admin"))
    with pytest.raises(ValidationError) as refused:
        services.shift_open(actor=hq, outlet_id=net.w.pk)
    assert refused.value.code == "no_counter"
    with pytest.raises(PermissionDeniedError):
        services.shift_open(actor=SYSTEM, outlet_id=net.a.pk)
    assert CounterShift.objects.count() == 1


def test_a_manager_closes_a_clerks_shift_and_nobody_else_does():
    net = build_network()
    shift = services.shift_open(actor=actor_get(user=user_of("outlet_clerk")), outlet_id=net.a.pk)
    for persona in ("other_city_clerk",):
        with pytest.raises(NotFoundError):
            services.shift_close(actor=actor_get(user=user_of(persona)), shift_id=shift.pk, declared_cash=0)
    for bad in (-1, True, 10**11):
        with pytest.raises(ValidationError):
            services.shift_close(
                actor=actor_get(user=user_of("outlet_manager")), shift_id=shift.pk, declared_cash=bad
            )
    closed = services.shift_close(
        actor=actor_get(user=user_of("outlet_manager")), shift_id=shift.pk, declared_cash=0
    )
    assert closed.closed_by_id == user_of("outlet_manager").pk and closed.difference == 0
