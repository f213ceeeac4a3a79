"""The benchmark code paths on tiny sizes, so `make bench` cannot rot. Correctness only: the
figures themselves are measured by `make bench` and never asserted."""

import pytest
from bench import nearby, reserve

from omnipoint.inventory.checks import inventory_breaches
from omnipoint.inventory.models import Reservation, StockLevel

pytestmark = pytest.mark.django_db(transaction=True)


def test_reserve_bench_real_and_naive_reserve_one_unit_per_call(regions):
    hot = reserve.hot_row_ensure()
    results = [
        reserve.run(impl=impl, mode="threads", workers=3, hot=hot, seconds=30, max_ops=5)
        for impl in ("real", "naive")
    ]
    for result in results:
        assert result.errors == []
        assert result.ops == 15 and len(result.latencies_ms) == 15
    # Each run is checked (reserved == successful calls) and then undone.
    assert StockLevel.objects.get(location_id=hot.location_id, sku_id=hot.sku_id).reserved == 0
    assert not Reservation.objects.filter(owner_ref__startswith="bench:").exists()
    assert inventory_breaches() == []
    assert len(reserve.rows(results)) == 2


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
        assert nearby.nearby_real(q) == nearby.nearby_naive(q)
    assert sum(n for _, _, n in real) == sum(n for _, _, n in naive) > 0
    assert len(nearby.rows(data, real, naive)) >= 2
