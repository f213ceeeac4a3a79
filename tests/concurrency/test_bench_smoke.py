"""The benchmark code paths on tiny sizes, so `make bench` cannot rot. Correctness only: the
figures themselves are measured by `make bench` and never asserted."""

import pytest
from bench import ledger, nearby, orders, reserve
from bench import server as bench_server

from omnipoint.inventory.checks import inventory_breaches
from omnipoint.inventory.models import Reservation, StockLevel
from omnipoint.inventory.selectors import stock_nearby
from omnipoint.ledger.checks import ledger_breaches
from omnipoint.ledger.models import Account, Posting
from omnipoint.orders.models import Order
from omnipoint.outlets.models import Outlet
from omnipoint.outlets.selectors import actor_get
from omnipoint.outlets.services import outlet_update
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_reserve_bench_grouped_real_and_naive_reserve_one_unit_per_call(regions):
    hot = reserve.hot_row_ensure()
    results = [
        reserve.run(impl=impl, mode="threads", workers=3, hot=hot, seconds=30, max_ops=5)
        for impl in ("grouped", "real", "naive")
    ]
    for result in results:
        assert result.errors == []
        assert result.ops == 15 and len(result.latencies_ms) == 15
    # Each run is checked (reserved == successful calls) and then undone.
    assert StockLevel.objects.get(location_id=hot.location_id, sku_id=hot.sku_id).reserved == 0
    assert not Reservation.objects.filter(owner_ref__startswith="bench:").exists()
    assert inventory_breaches() == []
    assert len(reserve.rows(results)) == 3


def test_nearby_bench_real_and_naive_agree(regions):
    size = nearby.Size("BT", outlets=300, skus=4, per_outlet=2)
    data = nearby.dataset_ensure(size)
    assert data.built and len(data.sku_ids) == 4
    assert StockLevel.objects.filter(sku_id__in=data.sku_ids).count() == 600
    assert not nearby.dataset_ensure(size).built  # complete: reused, not rebuilt

    qs = nearby.queries(data, 30)
    real = nearby.measure("real", qs, warmup=0)
    naive = nearby.measure("naive", qs, warmup=0)
    for q in qs:
        assert nearby.nearby_real(q) == nearby.nearby_naive(q) == nearby.nearby_outlet_box(q)
    assert sum(n for _, _, n in real) == sum(n for _, _, n in naive) > 0
    assert len(nearby.rows(data, real, naive)) >= 2

    # Most outlets closed: the nearest open ones lie beyond the first batch of candidates.
    Outlet.objects.filter(code__startswith="BT-").exclude(code__endswith="7").update(is_active=False)
    for q in qs:
        found = stock_nearby(lat=q.lat, lng=q.lng, sku_id=q.sku_id, radius_km=q.radius_km, limit=3)
        assert found == nearby.nearby_naive(q, limit=3)
        assert all(s.code.endswith("7") for s in found)


def test_stock_rows_carry_their_outlets_coordinates_and_follow_a_move(network):
    """ "Where is it" searches the coordinates copied onto stock rows (the bench showed why):
    moving an outlet moves its rows, and check_inventory notices a row left behind."""
    hq = actor_get(user=user_of("hq_admin"))
    sku = network.skus[0].pk
    a, c = network.a, network.c
    assert inventory_breaches() == []
    near_a = stock_nearby(lat=a.lat, lng=a.lng, sku_id=sku, radius_km=1)
    assert a.pk in {s.outlet_id for s in near_a}

    outlet_update(actor=hq, outlet_id=a.pk, lat=c.lat + 0.001, lng=c.lng)  # to Nanjing, ~110 m from C
    assert set(StockLevel.objects.filter(location_id=a.pk).values_list("lat", "lng")) == {
        (c.lat + 0.001, c.lng)
    }
    assert inventory_breaches() == []
    assert a.pk not in {s.outlet_id for s in stock_nearby(lat=a.lat, lng=a.lng, sku_id=sku, radius_km=1)}
    near_c = stock_nearby(lat=c.lat, lng=c.lng, sku_id=sku, radius_km=1)
    assert [s.outlet_id for s in near_c] == [c.pk, a.pk]
    assert near_c[1].lat == c.lat + 0.001 and 0.1 < near_c[1].distance_km < 0.12

    StockLevel.objects.filter(location_id=a.pk, sku_id=sku).update(lat=0)  # a row left behind
    assert any("coordinates" in b for b in inventory_breaches())


def test_ledger_bench_grouped_real_and_naive_post_once_per_key_and_keep_the_books(regions):
    results = [
        ledger.run(
            impl=impl,
            shape=shape,
            batch=batch,
            mode="threads",
            workers_n=3,
            seconds=60,
            max_calls=4,
            accounts=5,
        )
        for impl in ("grouped", "real", "naive")
        for shape in ("hot", "many")
        for batch in (1, 3)
    ]
    for r in results:
        assert r.errors == [], (r.impl, r.shape, r.batch)
        # 3 workers x 4 calls; each worker's first call was sent twice and posted once
        assert (r.outcome.calls, r.outcome.ops, r.outcome.extra) == (12, 12 * r.batch, {"retries": 3})
    assert len(ledger.rows(results)) == 12
    # Each run was checked (ledger_breaches among its checks) and then removed.
    assert not Posting.objects.exists() and not Account.objects.exists()
    assert ledger_breaches() == []


def test_orders_bench_places_orders_through_gunicorn(regions):
    net = orders.network_ensure(outlets=2, skus=3, members=2)
    assert orders.statements_per_order(net) > 0  # the ceiling is asserted in the orders tests
    assert all(ms >= 0 for ms in orders.cpu_in_process(net, orders=2, warmup=1))
    with orders.Server(bench_server.database_url(), workers=2) as server:
        result = orders.measured_over_http(
            server, lambda: orders.place_over_http(net, server.port, clients=2, seconds=60, max_orders=3)
        )
        race = orders.last_units_race(net, server.port, clients=3, units=2, seconds=60)
    assert result.errors == {} and result.ok == 6 and result.cpu_ms is not None
    assert race.check == "ok", race.check  # 2 sold, each of the 3 clients told it is sold out
    # 2 counted (one warms the cache), 3 in process, 6 over HTTP, 2 in the race
    assert Order.objects.filter(channel="web", method="pickup").count() == 2 + 3 + 6 + 2
    assert inventory_breaches() == []
    assert len(orders.rows([result, race])) == 2


@pytest.mark.postgres_only
def test_books_bench_closes_and_matches_as_the_naive_and_the_injections_say(regions):
    from datetime import date

    from bench import books

    size = books.Size("BT", outlets=5, payments=90, refunds=10, lines=100, refund_lines=10,
                      close_day=date(2021, 1, 15), match_day=date(2021, 1, 16))  # fmt: skip
    assert books.close_data_ensure(size) and books.match_data_ensure(size)
    assert not books.close_data_ensure(size) and not books.match_data_ensure(size)  # reused
    real, naive = books.close_real(size), books.close_naive(size)
    books.close_compare(real, naive)
    assert real.extra["ok"] and real.extra["figures"], real.check
    written, imported, matched = books.match(size)
    assert imported.extra["found"] == books.expected_differences(size)
    assert len(books.rows([real, naive, written, imported, matched])) == 5


def test_bills_bench_real_and_naive_pay_each_bill_once_and_keep_the_books(regions):
    from bench import bills

    from omnipoint.billpay.models import BillPayment

    agents = bills.agents_ensure(3)
    results = [
        bills.run(impl=impl, shape=shape, workers_n=2, seconds=60, agents=agents, max_calls=2, rtt_ms=rtt)
        for impl in ("real", "naive")
        for shape, rtt in (("hot", 0.0), ("many", 1.0))
    ]
    for r in results:
        assert r.errors == [] and r.outcome.ops == 4, (r.impl, r.shape)
    assert BillPayment.objects.filter(state="paid").count() == 16
    assert ledger_breaches() == [] and len(bills.rows(results)) == 4
