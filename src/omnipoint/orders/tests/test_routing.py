"""Routing as pure policy: no database."""

import pytest

from omnipoint.core.explain import Explanation
from omnipoint.orders.domain import Candidate, NoRouteError, RouteWhy, route_delivery, route_pickup

HOME = (31.2300, 121.4700)


def cand(loc, lat, lng, available, *, ships=True, radius=20):
    return Candidate(loc, f"L{loc}", lat, lng, ships, radius, available)


def test_delivery_prefers_one_shipment_over_nearer_split():
    near_a = cand(1, 31.231, 121.471, {10: 1})  # ~0.1 km, only SKU 10
    near_b = cand(2, 31.232, 121.472, {11: 1})  # ~0.3 km, only SKU 11
    far_all = cand(3, 31.300, 121.500, {10: 5, 11: 5})  # ~8 km, both
    plan = route_delivery(
        lines={10: 1, 11: 1}, lat=HOME[0], lng=HOME[1], candidates=[near_a, near_b, far_all]
    )
    assert [s.location_id for s in plan.shipments] == [3]
    assert Explanation(RouteWhy.ONE_LOCATION) in plan.reasons


def test_delivery_nearest_among_equal_shipments():
    far = cand(1, 31.30, 121.50, {10: 5})
    near = cand(2, 31.24, 121.47, {10: 5})
    plan = route_delivery(lines={10: 2}, lat=HOME[0], lng=HOME[1], candidates=[far, near])
    assert plan.shipments[0].location_id == 2


def test_delivery_respects_radius_and_capability():
    out_of_radius = cand(1, 31.40, 121.47, {10: 5}, radius=5)  # ~19 km away, delivers 5 km
    no_ship = cand(2, 31.231, 121.471, {10: 5}, ships=False)
    ok = cand(3, 31.30, 121.47, {10: 5}, radius=10)  # ~7.8 km
    plan = route_delivery(lines={10: 1}, lat=HOME[0], lng=HOME[1], candidates=[out_of_radius, no_ship, ok])
    assert plan.shipments[0].location_id == 3
    assert Explanation(RouteWhy.DO_NOT_SHIP, {"count": 1}) in plan.reasons
    assert Explanation(RouteWhy.BEYOND_RADIUS, {"count": 1}) in plan.reasons


def test_delivery_fewest_shipments_when_none_has_all():
    a = cand(1, 31.231, 121.471, {10: 1, 11: 1})
    b = cand(2, 31.232, 121.472, {12: 1})
    c = cand(3, 31.233, 121.473, {10: 1})
    d = cand(4, 31.234, 121.474, {11: 1})
    plan = route_delivery(lines={10: 1, 11: 1, 12: 1}, lat=HOME[0], lng=HOME[1], candidates=[a, b, c, d])
    assert sorted(s.location_id for s in plan.shipments) == [1, 2]
    assert Explanation(RouteWhy.FEWEST_SHIPMENTS, {"count": 2}) in plan.reasons


def test_no_stock_anywhere_is_refused():
    with pytest.raises(NoRouteError):
        route_delivery(lines={10: 3}, lat=HOME[0], lng=HOME[1], candidates=[cand(1, 31.23, 121.47, {10: 2})])


def test_pickup_outlet_short_brings_rest_by_transfer_from_nearest():
    pickup = cand(1, 31.23, 121.47, {10: 1}, ships=False)
    near = cand(2, 31.24, 121.48, {11: 3})
    far = cand(3, 31.40, 121.60, {11: 3})
    plan = route_pickup(lines={10: 1, 11: 2}, pickup=pickup, candidates=[pickup, near, far])
    assert [(s.location_id, s.lines) for s in plan.shipments] == [(1, ((10, 1),)), (2, ((11, 2),))]
    assert [t.location_id for t in plan.transfers] == [2]
    transfer = next(r for r in plan.reasons if r.kind == RouteWhy.TRANSFER_FROM)
    assert transfer.params["location"] == "L2" and transfer.params["pickup"] == "L1"


def test_pickup_all_local_needs_no_transfer():
    pickup = cand(1, 31.23, 121.47, {10: 5})
    plan = route_pickup(lines={10: 5}, pickup=pickup, candidates=[pickup])
    assert plan.transfers == [] and plan.shipments[0].location_id == 1
