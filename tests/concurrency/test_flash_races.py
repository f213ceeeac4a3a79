"""A flash sale's rush on real threads and PostgreSQL: many members race for a small pool with a
limit per member, their holds folded by the group-committed hold path. Afterwards: exactly the
pool sold, nobody above the limit, the rest handed back in proportion, the books clean."""

from collections import Counter

import pytest
from django.db.models import Sum

from omnipoint.core.errors import ConflictError
from omnipoint.flashsales import selectors, services
from omnipoint.flashsales.models import FlashBuyer, FlashClaim
from omnipoint.flashsales.tests.helpers import buyer, sale_make
from omnipoint.inventory.checks import inventory_breaches
from omnipoint.inventory.models import StockLevel
from omnipoint.inventory.services import reservation_release
from omnipoint.outlets.domain import SYSTEM

from .threads import raised, run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

MEMBERS, POOL, LIMIT = 24, 10, 2


def test_members_racing_for_a_small_pool_take_exactly_the_pool(network):
    sale = sale_make(network, a=6, b=4, limit=LIMIT)
    actors = [buyer(i)[1] for i in range(MEMBERS)]

    def rush(i: int) -> list[str]:
        out = []
        for attempt in range(3):  # each asks for more than the limit allows, some 2 at once
            try:
                services.flash_claim(actor=actors[i], sale_id=sale.pk, quantity=1 + (i + attempt) % 2)
                out.append("ok")
            except ConflictError as exc:
                out.append(exc.code)
        return out

    results = run_together([lambda i=i: rush(i) for i in range(MEMBERS)])
    assert not raised(results)
    assert set(Counter(c for r in results for c in r)) <= {"ok", "flash_limit_reached", "in_line", "sold_out"}
    claimed = dict(
        FlashClaim.objects.filter(sale=sale)
        .values_list("member_id")
        .annotate(t=Sum("quantity"))
        .values_list("member_id", "t")
    )
    assert sum(claimed.values()) == POOL  # exactly the pool: no unit twice, none left behind
    assert max(claimed.values()) <= LIMIT
    # Each member's counter is what they hold: a refused claim gave its units back.
    assert {b.member_id: b.units for b in FlashBuyer.objects.filter(sale=sale, units__gt=0)} == claimed
    pool = selectors.pool_of(sale)
    assert (pool.on_hand, pool.reserved) == (POOL, POOL)

    # Three units come back (claims given up), the sale ends: they go back 6:4, A 2 and B 1.
    back = 0
    for c in FlashClaim.objects.filter(sale=sale).order_by("pk"):
        if back + c.quantity <= 3:
            reservation_release(actor=SYSTEM, reservation_id=c.reservation_id)
            back += c.quantity
    assert back == 3
    services.flash_sales_settle(actor=services.SETTLE)  # still open: nothing moves
    services.flash_sale_end(actor=SYSTEM, sale_id=sale.pk)
    cable = network.skus[2]
    assert StockLevel.objects.get(location=network.a, sku=cable).on_hand == 10 - 6 + 2
    assert StockLevel.objects.get(location=network.b, sku=cable).on_hand == 10 - 4 + 1
    assert selectors.pool_of(sale).on_hand == POOL - back
    assert inventory_breaches() == []
