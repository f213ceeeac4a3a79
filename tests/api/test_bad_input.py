"""Every write endpoint refuses bad input with a stable code, a readable message, and no change.

Bad JSON is 400 ``malformed_json``; a body of the wrong shape is 422 ``invalid_input``; an id that
names nothing is a 404 with a code saying what was not found; a request that does not fit the
object's state is a 409. All as ``{code, message, details?}``, and the database as it was.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from omnipoint.core.errors import MAX_QUANTITY
from omnipoint.inventory import services
from omnipoint.inventory.models import Reservation

from .conftest import World, assert_error, snapshot

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
MISSING = 987_654_321
HUGE = MAX_QUANTITY + 1
# The tags whose write operations this file covers (see test_personas for the others).
TAGS = {"auth", "network", "catalog", "inventory"}


@dataclass
class Op:
    method: str
    path: str  # as in the OpenAPI schema
    params: Callable[[World], dict]
    good: Callable[[World], dict] | None  # a valid body; None when the operation takes none


def rsv(w, **line):
    return {
        "owner_ref": "cart:x",
        "lines": [{"location_id": w.a.pk, "sku_id": w.skus[2].pk, "quantity": 1, **line}],
    }


def plan(w, **line):
    return {
        "source_id": w.a.pk,
        "destination_id": w.b.pk,
        "lines": [{"sku_id": w.skus[2].pk, "quantity": 1, **line}],
    }


def stock(w, **kw):
    return {"location_id": w.a.pk, "sku_id": w.skus[2].pk, **kw}


def new_outlet(w, **kw):
    body = {
        "code": "SH-N",
        "name": "新店",
        "kind": "franchise",
        "region_code": "310115",
        "lat": 31.2,
        "lng": 121.5,
    }
    return {**body, **kw}


OPS = {
    "token": Op(
        "POST", "/auth/token", lambda w: {}, lambda w: {"username": "hq_admin", "password": "omnipoint"}
    ),
    "outlet_create": Op("POST", "/outlets", lambda w: {}, new_outlet),
    "outlet_update": Op(
        "PATCH", "/outlets/{outlet_id}", lambda w: {"outlet_id": w.a.pk}, lambda w: {"name": "x"}
    ),
    "price_set": Op(
        "PUT",
        "/catalog/prices",
        lambda w: {},
        lambda w: {"price_list_id": w.national, "sku_id": w.skus[0].pk, "amount": 100},
    ),
    "receipt": Op("POST", "/inventory/receipts", lambda w: {}, lambda w: stock(w, quantity=1)),
    "adjustment": Op(
        "POST", "/inventory/adjustments", lambda w: {}, lambda w: stock(w, delta=1, reason="found")
    ),
    "safety": Op("PUT", "/inventory/safety-stock", lambda w: {}, lambda w: stock(w, safety_stock=1)),
    "reserve": Op("POST", "/inventory/reservations", lambda w: {}, rsv),
    "commit": Op(
        "POST", "/inventory/reservations/{reservation_id}/commit", lambda w: {"reservation_id": w.r_a}, None
    ),
    "release": Op(
        "POST", "/inventory/reservations/{reservation_id}/release", lambda w: {"reservation_id": w.r_a}, None
    ),
    "transfer_create": Op("POST", "/inventory/transfers", lambda w: {}, plan),
    "dispatch": Op(
        "POST", "/inventory/transfers/{transfer_id}/dispatch", lambda w: {"transfer_id": w.t_ab}, None
    ),
    "receive": Op(
        "POST",
        "/inventory/transfers/{transfer_id}/receive",
        lambda w: {"transfer_id": w.ti_ab},
        lambda w: {"lines": []},
    ),
    "cancel": Op(
        "POST", "/inventory/transfers/{transfer_id}/cancel", lambda w: {"transfer_id": w.t_ab}, None
    ),
    "count_open": Op("POST", "/inventory/counts", lambda w: {}, lambda w: {"location_id": w.a.pk}),
    "count_record": Op(
        "POST",
        "/inventory/counts/{count_id}/lines",
        lambda w: {"count_id": w.k_a},
        lambda w: {"sku_id": w.skus[0].pk, "counted": 1},
    ),
    "count_post": Op("POST", "/inventory/counts/{count_id}/post", lambda w: {"count_id": w.k_a}, None),
}
BODY_OPS = [name for name, op in OPS.items() if op.good is not None]


def call(client, w: World, op: Op, body: Any, params: dict | None = None, *, raw: bytes | str | None = None):
    url = V1 + op.path.format(**(params if params is not None else op.params(w)))
    data = raw if raw is not None else json.dumps(body)
    return client.generic(op.method, url, data, "application/json", **w.net.auth("hq_admin"))


def refused(client, w, op, body, status, code, params=None, raw=None):
    before = snapshot()
    resp = call(client, w, op, body, params, raw=raw)
    assert_error(resp, status, code)
    assert snapshot() == before, "a refused request changed the database"
    return resp


def test_every_write_operation_is_in_the_table():
    from omnipoint.config.api import api

    writes = {
        (method.upper(), path, "requestBody" in operation)
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method, operation in operations.items()
        if method != "get" and set(operation.get("tags", [])) & TAGS
    }
    assert writes == {(op.method, V1 + op.path, op.good is not None) for op in OPS.values()}


@pytest.mark.parametrize("name", list(OPS))
def test_the_good_body_is_accepted(client, world, name):
    """The baseline that the refusals below vary: so each refusal is about the one thing changed."""
    op = OPS[name]
    resp = call(client, world, op, op.good(world) if op.good else {})
    assert resp.status_code in (200, 201), resp.content


@pytest.mark.parametrize(
    "raw", ["{bad", '{"a": 1,}', "{'a': 1}", b"\xff\xfe{}", '{"lat": NaN}', "[1, 2", '"unterminated']
)
@pytest.mark.parametrize("name", BODY_OPS)
def test_malformed_json_is_400(client, world, name, raw):
    refused(client, world, OPS[name], None, 400, "malformed_json", raw=raw)


@pytest.mark.parametrize("body", [{}, [], "text", 7, None], ids=["empty", "list", "string", "number", "null"])
@pytest.mark.parametrize("name", [n for n in BODY_OPS if n not in ("outlet_update", "receive")])
def test_missing_fields_are_422(client, world, name, body):
    refused(client, world, OPS[name], body, 422, "invalid_input")


def wrong_types(w) -> list[tuple[str, dict]]:
    """(operation, body): one field of the right name and the wrong type."""
    return [
        ("token", {"username": ["hq_admin"], "password": "omnipoint"}),
        ("outlet_create", new_outlet(w, lat="north")),
        ("outlet_create", new_outlet(w, kind="castle")),
        ("outlet_create", new_outlet(w, pickup_point="sometimes")),
        ("outlet_update", {"lat": "north"}),
        ("outlet_update", {"is_active": "maybe"}),
        ("outlet_update", {"delivery_radius_km": 1.5}),
        ("price_set", {"price_list_id": "national", "sku_id": w.skus[0].pk, "amount": 100}),
        ("price_set", {"price_list_id": w.national, "sku_id": w.skus[0].pk, "amount": "100"}),
        ("price_set", {"price_list_id": w.national, "sku_id": w.skus[0].pk, "amount": 1.5}),
        ("price_set", {"price_list_id": w.national, "sku_id": w.skus[0].pk, "amount": 100, "channel": "fax"}),
        ("receipt", stock(w, quantity="5")),
        ("receipt", stock(w, quantity=True)),
        ("receipt", stock(w, quantity=2.5)),
        ("receipt", {"location_id": {"id": w.a.pk}, "sku_id": w.skus[2].pk, "quantity": 1}),
        ("adjustment", stock(w, delta=[1], reason="x")),
        ("adjustment", stock(w, delta=1, reason="")),
        ("safety", stock(w, safety_stock=None)),
        ("reserve", {"owner_ref": "cart:x", "lines": {"location_id": w.a.pk}}),
        ("reserve", {"owner_ref": "", "lines": rsv(w)["lines"]}),
        ("reserve", {"owner_ref": "x" * 81, "lines": rsv(w)["lines"]}),
        ("reserve", {**rsv(w), "ttl_seconds": "soon"}),
        ("reserve", {**rsv(w), "lines": []}),
        ("transfer_create", {**plan(w), "source_id": None}),
        ("transfer_create", {**plan(w), "lines": []}),
        ("transfer_create", {**plan(w), "note": "x" * 201}),
        ("receive", {"lines": "all of them"}),
        ("receive", {"lines": [{"sku_id": w.skus[1].pk, "quantity": "2"}]}),
        ("count_open", {"location_id": w.a.pk, "sku_ids": "all"}),
        ("count_open", {"location_id": w.a.pk, "sku_ids": []}),
        ("count_record", {"sku_id": w.skus[0].pk, "counted": "9"}),
        ("count_record", {"sku_id": w.skus[0].pk, "counted": False}),
    ]


def test_wrong_types_are_422(client, world):
    for name, body in wrong_types(world):
        resp = refused(client, world, OPS[name], body, 422, "invalid_input")
        assert resp.json()["details"]["errors"], (name, body)


def test_text_with_nul_is_422(client, world):
    refused(client, world, OPS["reserve"], {**rsv(world), "owner_ref": "cart:\x00"}, 422, "invalid_input")
    refused(client, world, OPS["outlet_update"], {"name": "a\x00b"}, 422, "invalid_input")
    resp = world.net.auth("hq_admin")
    assert_error(client.get(f"{V1}/outlets", {"search": "a\x00"}, **resp), 422, "invalid_input")


def unknown_ids(w) -> list[tuple[str, dict | None, dict | None, int, str]]:
    """(operation, path params or None for the usual, body, status, code)."""
    t_sku = w.skus[1].pk
    return [
        ("token", None, {"username": "nobody", "password": "x"}, 401, "bad_credentials"),
        ("outlet_create", None, new_outlet(w, region_code="999999"), 404, "region_not_found"),
        ("outlet_update", {"outlet_id": MISSING}, {"name": "x"}, 404, "outlet_not_found"),
        (
            "price_set",
            None,
            {"price_list_id": MISSING, "sku_id": t_sku, "amount": 1},
            404,
            "price_list_not_found",
        ),
        (
            "price_set",
            None,
            {"price_list_id": w.national, "sku_id": MISSING, "amount": 1},
            404,
            "sku_not_found",
        ),
        ("receipt", None, {**stock(w, quantity=1), "location_id": MISSING}, 404, "location_not_found"),
        ("receipt", None, {**stock(w, quantity=1), "sku_id": MISSING}, 404, "sku_not_found"),
        (
            "adjustment",
            None,
            {**stock(w, delta=1, reason="x"), "location_id": MISSING},
            404,
            "location_not_found",
        ),
        ("adjustment", None, {**stock(w, delta=1, reason="x"), "sku_id": MISSING}, 404, "sku_not_found"),
        ("safety", None, {**stock(w, safety_stock=1), "location_id": MISSING}, 404, "location_not_found"),
        ("safety", None, {**stock(w, safety_stock=1), "sku_id": MISSING}, 404, "sku_not_found"),
        ("reserve", None, rsv(w, location_id=MISSING), 404, "location_not_found"),
        ("reserve", None, rsv(w, sku_id=MISSING), 404, "sku_not_found"),
        ("commit", {"reservation_id": MISSING}, None, 404, "reservation_not_found"),
        ("release", {"reservation_id": MISSING}, None, 404, "reservation_not_found"),
        ("transfer_create", None, {**plan(w), "source_id": MISSING}, 404, "location_not_found"),
        ("transfer_create", None, {**plan(w), "destination_id": MISSING}, 404, "location_not_found"),
        ("transfer_create", None, plan(w, sku_id=MISSING), 404, "sku_not_found"),
        ("dispatch", {"transfer_id": MISSING}, None, 404, "transfer_not_found"),
        ("receive", {"transfer_id": MISSING}, {"lines": []}, 404, "transfer_not_found"),
        ("cancel", {"transfer_id": MISSING}, None, 404, "transfer_not_found"),
        ("count_open", None, {"location_id": MISSING}, 404, "location_not_found"),
        (
            "count_open",
            None,
            {"location_id": w.a.pk, "sku_ids": [w.skus[0].pk, MISSING]},
            404,
            "sku_not_found",
        ),
        ("count_record", {"count_id": MISSING}, {"sku_id": t_sku, "counted": 1}, 404, "count_not_found"),
        ("count_record", None, {"sku_id": MISSING, "counted": 1}, 404, "sku_not_found"),
        ("count_post", {"count_id": MISSING}, None, 404, "count_not_found"),
        # Ids no table can hold: refused as input, before any query.
        ("receipt", None, {**stock(w, quantity=1), "location_id": 2**63}, 422, "invalid_input"),
        ("reserve", None, rsv(w, sku_id=2**70), 422, "invalid_input"),
        ("transfer_create", None, {**plan(w), "destination_id": 0}, 422, "invalid_input"),
        ("count_open", None, {"location_id": w.a.pk, "sku_ids": [-1]}, 422, "invalid_input"),
        ("commit", {"reservation_id": 2**64}, None, 404, "reservation_not_found"),
        ("count_post", {"count_id": -5}, None, 404, "count_not_found"),
    ]


def test_unknown_ids_say_what_was_not_found(client, world):
    for name, params, body, status, code in unknown_ids(world):
        refused(client, world, OPS[name], body, status, code, params=params)


def bad_quantities(w) -> list[tuple[str, dict, str]]:
    """(operation, body, code): every quantity at zero, below zero, and past the ceiling."""
    cases: list[tuple[str, dict, str]] = []
    for q in (0, -1, HUGE, 10**30):
        cases += [
            ("receipt", stock(w, quantity=q), "invalid_input"),
            ("reserve", rsv(w, quantity=q), "invalid_input"),
            ("transfer_create", plan(w, quantity=q), "invalid_input"),
        ]
    for q in (-1, HUGE):
        cases += [
            ("safety", stock(w, safety_stock=q), "invalid_input"),
            ("receive", {"lines": [{"sku_id": w.skus[1].pk, "quantity": q}]}, "invalid_input"),
            ("count_record", {"sku_id": w.skus[0].pk, "counted": q}, "invalid_input"),
        ]
    for d in (-HUGE, HUGE):
        cases.append(("adjustment", stock(w, delta=d, reason="x"), "invalid_input"))
    cases += [
        ("adjustment", stock(w, delta=0, reason="x"), "invalid_quantity"),
        ("reserve", {**rsv(w), "ttl_seconds": 0}, "invalid_input"),
        ("reserve", {**rsv(w), "ttl_seconds": 31 * 86400}, "invalid_input"),
        ("price_set", {"price_list_id": w.national, "sku_id": w.skus[0].pk, "amount": 0}, "invalid_input"),
        ("price_set", {"price_list_id": w.national, "sku_id": w.skus[0].pk, "amount": -100}, "invalid_input"),
        (
            "price_set",
            {"price_list_id": w.national, "sku_id": w.skus[0].pk, "amount": 10**12},
            "invalid_amount",
        ),
        ("outlet_create", new_outlet(w, lat=91), "invalid_input"),
        ("outlet_create", new_outlet(w, lng=-181), "invalid_input"),
        ("outlet_create", new_outlet(w, delivery_radius_km=501), "invalid_input"),
        ("outlet_create", new_outlet(w, region_code="310100"), "not_a_district"),
        ("outlet_create", new_outlet(w, code="SH-A"), "duplicate_code"),
        ("outlet_update", {"delivery_radius_km": -1}, "invalid_input"),
        ("transfer_create", {**plan(w), "destination_id": w.a.pk}, "same_location"),
        ("receive", {"lines": [{"sku_id": w.skus[1].pk, "quantity": 3}]}, "over_receipt"),
        ("receive", {"lines": [{"sku_id": w.skus[0].pk, "quantity": 1}]}, "sku_not_on_transfer"),
        ("receive", {"lines": [{"sku_id": w.skus[1].pk, "quantity": 1}] * 2}, "duplicate_line"),
    ]
    return cases


def test_bad_quantities_are_422(client, world):
    for name, body, code in bad_quantities(world):
        refused(client, world, OPS[name], body, 422, code)


def test_more_than_available_is_409(client, world):
    w = world
    refused(client, w, OPS["reserve"], rsv(w, quantity=11), 409, "insufficient_stock")
    refused(client, w, OPS["adjustment"], stock(w, delta=-11, reason="lost"), 409, "insufficient_stock")
    big = services.transfer_create(
        actor=None, source_id=w.a.pk, destination_id=w.b.pk, lines=[(w.skus[2].pk, 11)]
    )
    refused(client, w, OPS["dispatch"], None, 409, "insufficient_stock", params={"transfer_id": big.pk})


# --- wrong state -------------------------------------------------------------------------------


def test_expired_reservation_cannot_be_committed(client, world):
    Reservation.objects.filter(pk=world.r_a).update(expires_at=timezone.now() - timedelta(seconds=1))
    refused(client, world, OPS["commit"], None, 409, "reservation_expired")


def test_closed_reservations_stay_closed(client, world):
    w = world
    services.reservation_release(actor=None, reservation_id=w.r_a)
    refused(client, w, OPS["commit"], None, 409, "reservation_not_held")
    refused(client, w, OPS["release"], None, 409, "reservation_not_held")
    services.reservation_commit(actor=None, reservation_id=w.r_c)
    for op in ("commit", "release"):
        refused(client, w, OPS[op], None, 409, "reservation_not_held", params={"reservation_id": w.r_c})


def test_owner_ref_reused_for_other_lines_is_409(client, world):
    body = {
        "owner_ref": "cart:a",
        "lines": [{"location_id": world.a.pk, "sku_id": world.skus[0].pk, "quantity": 2}],
    }
    refused(client, world, OPS["reserve"], body, 409, "owner_ref_reused")


def test_transfers_move_forward_only(client, world):
    w = world
    in_transit = {"transfer_id": w.ti_ab}
    refused(client, w, OPS["dispatch"], None, 409, "transfer_wrong_state", params=in_transit)
    refused(client, w, OPS["cancel"], None, 409, "transfer_wrong_state", params=in_transit)
    refused(
        client, w, OPS["receive"], {"lines": []}, 409, "transfer_wrong_state", params={"transfer_id": w.t_ab}
    )
    services.transfer_receive(actor=None, transfer_id=w.ti_ab)
    refused(client, w, OPS["receive"], {"lines": []}, 409, "transfer_wrong_state", params=in_transit)
    services.transfer_cancel(actor=None, transfer_id=w.t_ab)
    for op in ("dispatch", "cancel"):
        refused(client, w, OPS[op], None, 409, "transfer_wrong_state", params={"transfer_id": w.t_ab})


def test_dispatching_twice_moves_stock_once(client, world):
    w = world
    assert call(client, w, OPS["dispatch"], None).status_code == 200
    refused(client, w, OPS["dispatch"], None, 409, "transfer_wrong_state")


def test_posted_count_is_closed(client, world):
    w = world
    services.count_post(actor=None, count_id=w.k_a)
    refused(client, w, OPS["count_post"], None, 409, "count_not_open")
    refused(client, w, OPS["count_record"], {"sku_id": w.skus[0].pk, "counted": 1}, 409, "count_not_open")


def test_count_rules(client, world):
    w = world
    fresh = services.count_open(actor=None, location_id=w.a.pk, sku_ids=[w.skus[1].pk])
    refused(client, w, OPS["count_post"], None, 422, "nothing_counted", params={"count_id": fresh.pk})
    # Outlet A holds one unit of SKU 0 for cart:a: a count of zero would eat a customer's hold.
    services.count_record(actor=None, count_id=w.k_a, sku_id=w.skus[0].pk, counted=0)
    refused(client, w, OPS["count_post"], None, 409, "count_below_reserved")
