"""Nobody reads or writes outside their node, through every endpoint of the API.

The table below has at least one row per operation in the OpenAPI schema (a new endpoint without
a row fails ``test_every_operation_has_persona_rows``). Each row names the expected status for
each persona, in the order of ``PERSONAS``:

    hq_admin, province_manager, city_manager, outlet_manager, outlet_clerk, other_city_clerk,
    member (a logged-in account with no staff role)

The network (see omnipoint.core.testing): outlets A (黄浦), B and warehouse W (浦东) in Shanghai,
C in Nanjing. Province and city managers hold Shanghai; outlet manager and clerk hold A; the
other-city clerk holds C. Something outside your node is "not found" (404), something inside it
that your role may not do is "forbidden" (403), and a refused request changes nothing.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from omnipoint.catalog.models import PriceListItem
from omnipoint.core.testing import PASSWORD
from omnipoint.inventory.models import CycleCount, StockLevel, Transfer

from .conftest import UNDER_CONSTRUCTION, World, api_paths, assert_error, snapshot

pytestmark = pytest.mark.django_db

PERSONAS = [
    "hq_admin",
    "province_manager",
    "city_manager",
    "outlet_manager",
    "outlet_clerk",
    "other_city_clerk",
    "member",
]

# Outlet codes each persona's node covers.
VISIBLE = {
    "hq_admin": {"SH-A", "SH-B", "SH-W", "NJ-C"},
    "province_manager": {"SH-A", "SH-B", "SH-W"},
    "city_manager": {"SH-A", "SH-B", "SH-W"},
    "outlet_manager": {"SH-A"},
    "outlet_clerk": {"SH-A"},
    "other_city_clerk": {"NJ-C"},
    "member": set(),
}

V1 = "/api/v1"


# --- checks on successful answers ----------------------------------------------------------


def codes_of(w: World, ids) -> set[str]:
    by_id = {o.pk: o.code for o in (w.a, w.b, w.w, w.c)}
    return {by_id[i] for i in ids}


def check_me(w, persona, body):
    assert body["username"] == persona and body["role"] == w.net.staff[persona].role
    node = w.net.staff[persona]
    assert body["outlet_id"] == node.outlet_id


def check_outlets(w, persona, body):
    assert {o["code"] for o in body} == VISIBLE[persona]


def check_stock(w, persona, body):
    assert codes_of(w, {r["location_id"] for r in body}) == VISIBLE[persona]
    assert len(body) == 3 * len(VISIBLE[persona])


def check_stock_at_c(w, persona, body):
    assert codes_of(w, {r["location_id"] for r in body}) == VISIBLE[persona] & {"NJ-C"}


def check_movements_at(outlet: str):
    def check(w, persona, body):
        assert body and codes_of(w, {m["location_id"] for m in body}) == {outlet}

    return check


def check_transfers(w, persona, body):
    expected = {
        t.pk
        for t in Transfer.objects.select_related("source", "destination")
        if t.source.code in VISIBLE[persona] or t.destination.code in VISIBLE[persona]
    }
    assert {t["id"] for t in body} == expected


def check_counts(w, persona, body):
    expected = {
        k.pk for k in CycleCount.objects.select_related("location") if k.location.code in VISIBLE[persona]
    }
    assert {k["id"] for k in body} == expected


def check_nearby(*codes: str):
    def check(w, persona, body):
        assert [r["code"] for r in body][: len(codes)] == list(codes)
        assert "NJ-C" not in codes or len(body) == 1

    return check


def check_state(state: str):
    def check(w, persona, body):
        assert body["state"] == state

    return check


def check_on_hand(location: str, on_hand: int):
    def check(w, persona, body):
        row = StockLevel.objects.get(location=getattr(w, location), sku=w.skus[2])
        assert (body["on_hand"], row.on_hand) == (on_hand, on_hand)

    return check


def check_price(list_name: str, amount: int):
    def check(w, persona, body):
        item = PriceListItem.objects.get(price_list_id=getattr(w, list_name), sku=w.skus[2], channel="")
        assert (body["amount"], item.amount) == (amount, amount)

    return check


# --- the table -------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    method: str
    path: str  # as in the OpenAPI schema
    expect: str  # statuses in PERSONAS order
    params: Callable[[World], dict] = lambda w: {}
    query: Callable[[World], dict] | None = None
    body: Callable[[World, str], dict] | None = None
    not_found: str | dict[str, str] = "not_found"  # the code of a 404 (per persona when a dict)
    check: Callable[[World, str, Any], None] | None = None
    public: bool = False  # no authentication needed

    def status(self, persona: str) -> int:
        return int(self.expect.split()[PERSONAS.index(persona)])


ALL_OK = "200 200 200 200 200 200 200"
STAFF_OK = "200 200 200 200 200 200 403"
AT_A = "200 200 200 200 200 404 403"  # everyone holding A
AT_C = "200 404 404 404 404 200 403"  # HQ and the Nanjing clerk
AT_SH_REGION = "200 200 200 404 404 404 403"  # the Shanghai managers, not A's staff
CREATED_AT_A = AT_A.replace("200", "201")
CREATED_AT_C = AT_C.replace("200", "201")

sku = lambda i: lambda w: w.skus[i].pk  # noqa: E731


def outlet_body(code: str, region: str):
    return lambda w, p: {
        "code": f"{code}-{p[:8]}",
        "name": "新店",
        "kind": "franchise",
        "region_code": region,
        "lat": 31.2,
        "lng": 121.5,
    }


def line_body(outlet: str, qty: int = 1):
    return lambda w, p: {
        "owner_ref": f"cart:{p}",
        "lines": [{"location_id": getattr(w, outlet).pk, "sku_id": w.skus[2].pk, "quantity": qty}],
    }


ROWS = [
    Row("token", "POST", "/auth/token", "201 201 201 201 201 201 201", public=True,
        body=lambda w, p: {"username": p, "password": PASSWORD}),
    Row("me", "GET", "/me", STAFF_OK, check=check_me),
    Row("regions", "GET", "/regions", ALL_OK, query=lambda w: {"parent": "310100"}),
    Row("outlets", "GET", "/outlets", STAFF_OK, check=check_outlets),
    Row("outlet A", "GET", "/outlets/{outlet_id}", AT_A, lambda w: {"outlet_id": w.a.pk}, not_found="outlet_not_found"),
    Row("outlet C", "GET", "/outlets/{outlet_id}", AT_C, lambda w: {"outlet_id": w.c.pk}, not_found="outlet_not_found"),
    Row("create in 浦东", "POST", "/outlets", "201 201 201 403 403 403 403", body=outlet_body("N1", "310115")),
    Row("create in 玄武", "POST", "/outlets", "201 404 404 403 403 403 403", body=outlet_body("N2", "320102"),
        not_found="region_not_found"),
    Row("edit A", "PATCH", "/outlets/{outlet_id}", "200 200 200 403 403 403 403", lambda w: {"outlet_id": w.a.pk},
        body=lambda w, p: {"name": f"renamed by {p}"}, not_found="outlet_not_found"),
    Row("edit C", "PATCH", "/outlets/{outlet_id}", "200 404 404 403 403 403 403", lambda w: {"outlet_id": w.c.pk},
        body=lambda w, p: {"name": f"renamed by {p}"}, not_found="outlet_not_found"),
    # The catalogue is network-wide reference data: anyone logged in reads it.
    Row("categories", "GET", "/catalog/categories", ALL_OK),
    Row("products", "GET", "/catalog/products", ALL_OK),
    Row("product", "GET", "/catalog/products/{product_id}", ALL_OK, lambda w: {"product_id": w.skus[0].product_id}),
    Row("sku by barcode", "GET", "/catalog/skus/lookup", ALL_OK, query=lambda w: {"barcode": "6900000000011"}),
    Row("price", "GET", "/catalog/skus/{sku_id}/price", ALL_OK, lambda w: {"sku_id": w.skus[0].pk},
        query=lambda w: {"region": "310101"}),
    Row("national price", "PUT", "/catalog/prices", "200 404 404 403 403 403 403",
        body=lambda w, p: {"price_list_id": w.national, "sku_id": w.skus[2].pk, "amount": 123_00},
        not_found="price_list_not_found", check=check_price("national", 123_00)),
    Row("Shanghai price", "PUT", "/catalog/prices", "200 200 404 403 403 403 403",
        body=lambda w, p: {"price_list_id": w.shanghai, "sku_id": w.skus[2].pk, "amount": 99_00},
        not_found="price_list_not_found", check=check_price("shanghai", 99_00)),
    Row("stock", "GET", "/inventory/stock", STAFF_OK, check=check_stock),
    Row("stock at C", "GET", "/inventory/stock", STAFF_OK, query=lambda w: {"location_id": w.c.pk},
        check=check_stock_at_c),
    Row("ledger of A", "GET", "/inventory/movements", AT_A, query=lambda w: {"location_id": w.a.pk},
        not_found="outlet_not_found", check=check_movements_at("SH-A")),
    Row("ledger of C", "GET", "/inventory/movements", AT_C, query=lambda w: {"location_id": w.c.pk},
        not_found="outlet_not_found", check=check_movements_at("NJ-C")),
    Row("receive at A", "POST", "/inventory/receipts", "201 201 201 201 403 404 403",
        body=lambda w, p: {"location_id": w.a.pk, "sku_id": w.skus[2].pk, "quantity": 5},
        not_found="location_not_found", check=check_on_hand("a", 15)),
    Row("receive at C", "POST", "/inventory/receipts", "201 404 404 404 404 403 403",
        body=lambda w, p: {"location_id": w.c.pk, "sku_id": w.skus[2].pk, "quantity": 5},
        not_found="location_not_found", check=check_on_hand("c", 15)),
    Row("adjust at A", "POST", "/inventory/adjustments", "201 201 201 201 403 404 403",
        body=lambda w, p: {"location_id": w.a.pk, "sku_id": w.skus[2].pk, "delta": -2, "reason": "damaged"},
        not_found="location_not_found", check=check_on_hand("a", 8)),
    Row("adjust at C", "POST", "/inventory/adjustments", "201 404 404 404 404 403 403",
        body=lambda w, p: {"location_id": w.c.pk, "sku_id": w.skus[2].pk, "delta": 3, "reason": "found"},
        not_found="location_not_found", check=check_on_hand("c", 13)),
    Row("safety stock at A", "PUT", "/inventory/safety-stock", "200 200 200 200 403 404 403",
        body=lambda w, p: {"location_id": w.a.pk, "sku_id": w.skus[2].pk, "safety_stock": 3},
        not_found="location_not_found"),
    Row("safety stock at C", "PUT", "/inventory/safety-stock", "200 404 404 404 404 403 403",
        body=lambda w, p: {"location_id": w.c.pk, "sku_id": w.skus[2].pk, "safety_stock": 3},
        not_found="location_not_found"),
    Row("reserve at A", "POST", "/inventory/reservations", CREATED_AT_A, body=line_body("a"),
        not_found="location_not_found", check=check_state("held")),
    Row("reserve at C", "POST", "/inventory/reservations", CREATED_AT_C, body=line_body("c"),
        not_found="location_not_found", check=check_state("held")),
    Row("reserve at A and C", "POST", "/inventory/reservations", "201 404 404 404 404 404 403",
        body=lambda w, p: {"owner_ref": f"cart:{p}", "lines": [
            {"location_id": w.a.pk, "sku_id": w.skus[2].pk, "quantity": 1},
            {"location_id": w.c.pk, "sku_id": w.skus[2].pk, "quantity": 1}]},
        not_found="location_not_found"),
    Row("hold at A", "GET", "/inventory/reservations/{reservation_id}", AT_A,
        lambda w: {"reservation_id": w.r_a}, not_found="reservation_not_found", check=check_state("held")),
    Row("hold at C", "GET", "/inventory/reservations/{reservation_id}", AT_C,
        lambda w: {"reservation_id": w.r_c}, not_found="reservation_not_found"),
    Row("commit at A", "POST", "/inventory/reservations/{reservation_id}/commit", AT_A,
        lambda w: {"reservation_id": w.r_a}, not_found="reservation_not_found", check=check_state("committed")),
    Row("commit at C", "POST", "/inventory/reservations/{reservation_id}/commit", AT_C,
        lambda w: {"reservation_id": w.r_c}, not_found="reservation_not_found", check=check_state("committed")),
    Row("release at A", "POST", "/inventory/reservations/{reservation_id}/release", AT_A,
        lambda w: {"reservation_id": w.r_a}, not_found="reservation_not_found", check=check_state("released")),
    Row("release at C", "POST", "/inventory/reservations/{reservation_id}/release", AT_C,
        lambda w: {"reservation_id": w.r_c}, not_found="reservation_not_found", check=check_state("released")),
    # Availability near a point is public to any logged-in caller; near "my outlet" is scoped.
    Row("nearby a point", "GET", "/inventory/nearby", ALL_OK,
        query=lambda w: {"sku_id": w.skus[1].pk, "lat": w.a.lat, "lng": w.a.lng, "radius_km": 10},
        check=check_nearby("SH-A", "SH-B")),
    Row("nearby A", "GET", "/inventory/nearby", AT_A, query=lambda w: {"sku_id": w.skus[1].pk, "outlet_id": w.a.pk},
        not_found="outlet_not_found", check=check_nearby("SH-A", "SH-B")),
    Row("nearby C", "GET", "/inventory/nearby", AT_C, query=lambda w: {"sku_id": w.skus[1].pk, "outlet_id": w.c.pk},
        not_found="outlet_not_found", check=check_nearby("NJ-C")),
    Row("transfers", "GET", "/inventory/transfers", STAFF_OK, check=check_transfers),
    Row("transfer A->B", "GET", "/inventory/transfers/{transfer_id}", AT_A, lambda w: {"transfer_id": w.t_ab},
        not_found="transfer_not_found"),
    Row("transfer C->A", "GET", "/inventory/transfers/{transfer_id}", STAFF_OK, lambda w: {"transfer_id": w.t_ca}),
    Row("transfer B->W", "GET", "/inventory/transfers/{transfer_id}", AT_SH_REGION, lambda w: {"transfer_id": w.t_bw},
        not_found="transfer_not_found"),
    # Either end may plan a transfer (a franchisee short of stock asks for it).
    Row("plan A->B", "POST", "/inventory/transfers", CREATED_AT_A,
        body=lambda w, p: {"source_id": w.a.pk, "destination_id": w.b.pk, "lines": [{"sku_id": w.skus[2].pk, "quantity": 1}]},
        not_found="location_not_found", check=check_state("draft")),
    Row("plan B->W", "POST", "/inventory/transfers", AT_SH_REGION.replace("200", "201"),
        body=lambda w, p: {"source_id": w.b.pk, "destination_id": w.w.pk, "lines": [{"sku_id": w.skus[2].pk, "quantity": 1}]},
        not_found="location_not_found"),
    Row("plan B->C", "POST", "/inventory/transfers", "201 201 201 404 404 201 403",
        body=lambda w, p: {"source_id": w.b.pk, "destination_id": w.c.pk, "lines": [{"sku_id": w.skus[2].pk, "quantity": 1}]},
        not_found="location_not_found"),
    # Only the source dispatches or cancels; only the destination receives. Staff who can see the
    # transfer from the other end are told the location is not theirs; others, that there is no
    # such transfer.
    Row("dispatch A->B", "POST", "/inventory/transfers/{transfer_id}/dispatch", AT_A,
        lambda w: {"transfer_id": w.t_ab}, not_found="transfer_not_found", check=check_state("in_transit")),
    Row("dispatch C->A", "POST", "/inventory/transfers/{transfer_id}/dispatch", AT_C,
        lambda w: {"transfer_id": w.t_ca}, not_found="location_not_found", check=check_state("in_transit")),
    Row("dispatch B->W", "POST", "/inventory/transfers/{transfer_id}/dispatch", AT_SH_REGION,
        lambda w: {"transfer_id": w.t_bw}, not_found="transfer_not_found"),
    Row("receive A->B", "POST", "/inventory/transfers/{transfer_id}/receive", AT_SH_REGION,
        lambda w: {"transfer_id": w.ti_ab}, body=lambda w, p: {"lines": []},
        not_found={"outlet_manager": "location_not_found", "outlet_clerk": "location_not_found",
                   "other_city_clerk": "transfer_not_found"}, check=check_state("received")),
    Row("receive C->A", "POST", "/inventory/transfers/{transfer_id}/receive", AT_A,
        lambda w: {"transfer_id": w.ti_ca}, body=lambda w, p: {"lines": []},
        not_found="location_not_found", check=check_state("received")),
    Row("cancel A->B", "POST", "/inventory/transfers/{transfer_id}/cancel", AT_A,
        lambda w: {"transfer_id": w.t_ab}, not_found="transfer_not_found", check=check_state("cancelled")),
    Row("cancel C->A", "POST", "/inventory/transfers/{transfer_id}/cancel", AT_C,
        lambda w: {"transfer_id": w.t_ca}, not_found="location_not_found", check=check_state("cancelled")),
    Row("counts", "GET", "/inventory/counts", STAFF_OK, check=check_counts),
    Row("count at A", "GET", "/inventory/counts/{count_id}", AT_A, lambda w: {"count_id": w.k_a},
        not_found="count_not_found"),
    Row("count at C", "GET", "/inventory/counts/{count_id}", AT_C, lambda w: {"count_id": w.k_c},
        not_found="count_not_found"),
    Row("open count at A", "POST", "/inventory/counts", CREATED_AT_A, body=lambda w, p: {"location_id": w.a.pk},
        not_found="location_not_found", check=check_state("open")),
    Row("open count at C", "POST", "/inventory/counts", CREATED_AT_C, body=lambda w, p: {"location_id": w.c.pk},
        not_found="location_not_found"),
    Row("record at A", "POST", "/inventory/counts/{count_id}/lines", AT_A, lambda w: {"count_id": w.k_a},
        body=lambda w, p: {"sku_id": w.skus[2].pk, "counted": 4}, not_found="count_not_found"),
    Row("record at C", "POST", "/inventory/counts/{count_id}/lines", AT_C, lambda w: {"count_id": w.k_c},
        body=lambda w, p: {"sku_id": w.skus[2].pk, "counted": 4}, not_found="count_not_found"),
    Row("post count at A", "POST", "/inventory/counts/{count_id}/post", AT_A, lambda w: {"count_id": w.k_a},
        not_found="count_not_found", check=check_state("posted")),
    Row("post count at C", "POST", "/inventory/counts/{count_id}/post", AT_C, lambda w: {"count_id": w.k_c},
        not_found="count_not_found", check=check_state("posted")),
]  # fmt: skip


def send(client, row: Row, w: World, persona: str | None, headers: dict[str, str]):
    url = V1 + row.path.format(**row.params(w))
    if row.method == "GET":
        return client.get(url, row.query(w) if row.query else {}, **headers)
    body = row.body(w, persona or "anonymous") if row.body else {}
    return client.generic(row.method, url, json.dumps(body), "application/json", **headers)


def operations_needing_rows() -> set[tuple[str, str]]:
    from omnipoint.config.api import api

    return {
        (method.upper(), path)
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method, operation in operations.items()
        if not set(operation.get("tags", [])) & UNDER_CONSTRUCTION
    }


def test_every_operation_has_persona_rows():
    covered = {(r.method, V1 + r.path) for r in ROWS}
    missing = operations_needing_rows() - covered
    assert missing == set(), f"add rows to tests/api/test_personas.py for {sorted(missing)}"
    assert covered - api_paths() == set(), "rows for endpoints that do not exist"


def test_rows_name_every_persona():
    for row in ROWS:
        assert len(row.expect.split()) == len(PERSONAS), row.name


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_persona_stays_in_their_node(client, world, member_headers, row, persona):
    headers = member_headers if persona == "member" else world.net.auth(persona)
    expected = row.status(persona)
    before = snapshot()
    resp = send(client, row, world, persona, {} if row.public else headers)
    after = snapshot()
    if expected >= 400:
        if expected == 404:
            code = row.not_found if isinstance(row.not_found, str) else row.not_found[persona]
        else:
            code = "not_staff" if persona == "member" else "forbidden"
        assert_error(resp, expected, code)
        assert after == before, "a refused request changed the database"
        return
    assert resp.status_code == expected, (persona, resp.status_code, resp.content[:400])
    is_write = row.method != "GET" and row.name != "token"
    assert (after != before) == is_write, "reads change nothing; accepted writes change something"
    if row.check:
        row.check(world, persona, resp.json())


@pytest.mark.parametrize(
    "row",
    list({(r.method, r.path): r for r in ROWS if not r.public}.values()),
    ids=lambda r: f"{r.method} {r.path}",
)
def test_unauthenticated_is_401(client, world, row):
    before = snapshot()
    resp = send(client, row, world, None, {})
    assert_error(resp, 401, "unauthenticated")
    assert snapshot() == before


@pytest.mark.parametrize("row", [r for r in ROWS if not r.public][:6], ids=lambda r: r.name)
def test_unknown_token_is_401(client, world, row):
    resp = send(client, row, world, None, {"HTTP_AUTHORIZATION": "Bearer not-a-token"})
    assert_error(resp, 401, "unauthenticated")


def test_wrong_password_gets_no_token(client, world):
    before = snapshot()
    resp = client.post(
        f"{V1}/auth/token", {"username": "outlet_clerk", "password": "nope"}, content_type="application/json"
    )
    assert_error(resp, 401, "bad_credentials")
    assert snapshot() == before


def test_a_token_from_the_login_acts_as_its_persona(client, world):
    token = client.post(
        f"{V1}/auth/token",
        {"username": "other_city_clerk", "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    rows = client.get(f"{V1}/inventory/stock", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert codes_of(world, {r["location_id"] for r in rows}) == {"NJ-C"}


def test_clerk_at_a_reserves_and_sells_through_a_hold(client, world):
    h = world.net.auth("outlet_clerk")
    sku = world.skus[2].pk
    resp = client.post(
        f"{V1}/inventory/reservations",
        {"owner_ref": "pos:1", "lines": [{"location_id": world.a.pk, "sku_id": sku, "quantity": 4}]},
        content_type="application/json",
        **h,
    )
    assert resp.status_code == 201
    assert StockLevel.objects.get(location=world.a, sku_id=sku).reserved == 4
    assert client.post(f"{V1}/inventory/reservations/{resp.json()['id']}/commit", **h).status_code == 200
    row = StockLevel.objects.get(location=world.a, sku_id=sku)
    assert (row.on_hand, row.reserved) == (6, 0)


def test_city_manager_creates_an_outlet_in_their_city_and_sees_it(client, world):
    h = world.net.auth("city_manager")
    body = {
        "code": "SH-N",
        "name": "陆家嘴店",
        "kind": "self_operated",
        "region_code": "310115",
        "lat": 31.24,
        "lng": 121.5,
    }
    resp = client.post(f"{V1}/outlets", body, content_type="application/json", **h)
    assert resp.status_code == 201 and resp.json()["region_code"] == "310115"
    assert "SH-N" in {o["code"] for o in client.get(f"{V1}/outlets", **h).json()}
    assert "SH-N" not in {
        o["code"] for o in client.get(f"{V1}/outlets", **world.net.auth("other_city_clerk")).json()
    }


def test_national_price_is_hq_only(client, world):
    body = {"price_list_id": world.national, "sku_id": world.skus[0].pk, "amount": 88_00}
    before = snapshot()
    resp = client.put(
        f"{V1}/catalog/prices", body, content_type="application/json", **world.net.auth("city_manager")
    )
    assert_error(resp, 404, "price_list_not_found")
    assert snapshot() == before
    resp = client.put(
        f"{V1}/catalog/prices", body, content_type="application/json", **world.net.auth("hq_admin")
    )
    assert resp.status_code == 200
    assert (
        PriceListItem.objects.get(price_list_id=world.national, sku=world.skus[0], channel="").amount == 88_00
    )
