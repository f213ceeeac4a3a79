"""Nobody reads or writes outside their node, through every endpoint of the API.

The table below has at least one row per operation in the OpenAPI schema (a new endpoint without
a row fails ``test_every_operation_has_persona_rows``). Each row names the expected status for
each persona, in the order of ``PERSONAS``:

    hq_admin, province_manager, city_manager, outlet_manager, outlet_clerk, other_city_clerk,
    member (a logged-in account with no staff role)

and, for the commerce endpoints (orders, payments, members, loyalty, marketing, showrooms), two
more: shopper (a member with a storefront login, who owns the orders of the shop) and
salesperson (a salesperson at outlet A, who has a showroom).

The network (see omnipoint.testing): outlets A (黄浦), B and warehouse W (浦东) in Shanghai,
C in Nanjing. Province and city managers hold Shanghai; outlet manager and clerk hold A; the
other-city clerk holds C. Something outside your node is "not found" (404), something inside it
that your role may not do is "forbidden" (403), and a refused request changes nothing.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from omnipoint.aftersales.tests.world import build_tickets
from omnipoint.appointments.tests.world import build_appointments
from omnipoint.billpay.tests.conftest import build_agents
from omnipoint.catalog.models import PriceListItem, Supplier
from omnipoint.flashsales.tests.helpers import build_flash, build_flash_claim
from omnipoint.identity.tests.world import build_identity, verify_body
from omnipoint.inventory.models import CycleCount, StockLevel, Transfer
from omnipoint.marketing.models import Coupon, CouponTemplate, Game, Promotion
from omnipoint.orders.models import Order, PickTask, TaskState
from omnipoint.parcels.tests.world import accept_body, build_parcels, rates_body
from omnipoint.reconciliation.tests.world import api_world, multipart
from omnipoint.settlement.tests.world import build_jobs, build_parties, build_settlement
from omnipoint.showrooms.models import CommissionRule
from omnipoint.testing import PASSWORD
from omnipoint.testing import PERSONAS as STAFF_PERSONAS

from .conftest import (
    NANJING_MOBILE,
    POWER,
    SHOPPER_MOBILE,
    UNDER_CONSTRUCTION,
    World,
    api_paths,
    assert_error,
    build_shop,
    snapshot,
)

pytestmark = pytest.mark.django_db

PERSONAS = [*STAFF_PERSONAS, "member"]  # the network's staff, then an account with no role
EXTRA = ["shopper", "salesperson"]  # in the rows of the commerce endpoints

# Outlet codes each persona's node covers.
VISIBLE = {
    "hq_admin": {"SH-A", "SH-B", "SH-W", "NJ-C"},
    "province_manager": {"SH-A", "SH-B", "SH-W"},
    "city_manager": {"SH-A", "SH-B", "SH-W"},
    "outlet_manager": {"SH-A"},
    "outlet_clerk": {"SH-A"},
    "other_city_clerk": {"NJ-C"},
    "member": set(),
    "shopper": set(),
    "salesperson": {"SH-A"},
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
    # The code of a refusal other than the usual (404: not_found above; 403: not_staff for
    # accounts without a staff role, forbidden for staff), by persona or by status ("409").
    codes: dict[str, str] = field(default_factory=dict)
    # A raw body and extra headers instead of ``body`` (a payment provider's notification).
    raw: Callable[[World], tuple[bytes, dict[str, str]]] | None = None
    # More of the world to build before the row runs (an app's own objects, on top of the shop's).
    setup: Callable[[World], object] | None = None

    @property
    def personas(self) -> list[str]:
        return PERSONAS + EXTRA if self.shop else PERSONAS

    @property
    def shop(self) -> bool:
        """Rows naming the shopper and the salesperson act on the shop (see build_shop)."""
        return len(self.expect.split()) == len(PERSONAS) + len(EXTRA)

    def status(self, persona: str) -> int:
        return int(self.expect.split()[self.personas.index(persona)])

    def code(self, persona: str, status: int) -> str:
        if persona in self.codes:
            return self.codes[persona]
        if str(status) in self.codes:
            return self.codes[str(status)]
        if status == 404:
            return self.not_found if isinstance(self.not_found, str) else self.not_found[persona]
        return "not_staff" if persona in ("member", "shopper") else "forbidden"


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
    Row("token revoke", "POST", "/auth/token/revoke", "200 200 200 200 200 200 200",
        body=lambda w, p: {"all": False}),
    Row("health live", "GET", "/health/live", ALL_OK, public=True),
    Row("health ready", "GET", "/health/ready", ALL_OK, public=True),
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
    # Availability near a point is public, as on the storefront; near "my outlet" is scoped.
    Row("nearby a point", "GET", "/inventory/nearby", ALL_OK, public=True,
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


# --- the commerce endpoints: orders, payments, members, loyalty, marketing, showrooms ---------
#
# Nine statuses per row: the seven above, then shopper and salesperson. The shop (build_shop in
# conftest) has the shopper's orders o_a (pickup at A) and o_c (pickup at C), ready_a, ship_a,
# counter sales sale_a (the shopper, at A) and sale_c (the Nanjing member, at C), offers and
# commission rules owned by Shanghai (310100) and Nanjing (320100).


def outlet_codes(ids) -> set[str]:
    from omnipoint.outlets.models import Outlet

    return set(Outlet.objects.filter(pk__in=[i for i in ids if i]).values_list("code", flat=True))


def touches(order: Order) -> set[str]:
    return outlet_codes(
        [order.origin_outlet_id, order.pickup_outlet_id, *order.lines.values_list("location_id", flat=True)]
    )


def check_orders(w, persona, body):
    expected = {o.pk for o in Order.objects.all() if touches(o) & VISIBLE[persona]}
    assert expected and {o["id"] for o in body} == expected


def check_tasks(w, persona, body):
    open_tasks = PickTask.objects.exclude(
        state__in=[TaskState.DONE, TaskState.CANCELLED, TaskState.HANDED_OVER]
    )
    expected = {t.pk for t in open_tasks if t.location.code in VISIBLE[persona]}
    assert expected and {t["id"] for t in body} == expected


def check_order_state(state: str, payment_state: str | None = None):
    def check(w, persona, body):
        order = Order.objects.get(pk=body["id"])
        assert body["state"] == order.state == state
        assert payment_state is None or order.payment_state == payment_state

    return check


def check_tracked(w, persona, body):
    order = Order.objects.get(pk=w.o_a)
    assert (body["number"], body["pickup_code"]) == (order.number, order.pickup_code)


COUNTER_FIELDS = {"id", "name", "mobile_masked", "tier", "points", "wallet"}


def check_counter(w, persona, body):
    """A clerk serving at the counter: no mobile in full, no history."""
    assert set(body) == COUNTER_FIELDS
    assert (body["id"], body["mobile_masked"], body["wallet"]) == (w.shopper, "138****8000", 500_00)


def check_me(w, persona, body):
    assert (body["id"], body["mobile"]) == (w.shopper, SHOPPER_MOBILE)


def check_my_orders(w, persona, body):
    assert {o["id"] for o in body} == {w.o_a, w.o_c, w.ready_a, w.ship_a, w.sale_a}


def check_my_points(w, persona, body):
    assert body["balance"] == sum(lot["remaining"] for lot in body["lots"]) > 0


def check_my_wallet(w, persona, body):
    assert (body["principal"], [m["code"] for m in body["movements"]]) == (500_00, ["topup"])


def check_activity(*, everywhere: set[str], in_region: set[str]):
    """A region manager sees the member's orders in their region only; HQ, all of them."""

    def check(w, persona, body):
        ids = {getattr(w, name) for name in (everywhere if persona == "hq_admin" else in_region)}
        assert {o["id"] for o in body["orders"]} == ids
        assert "mobile" not in body and body["mobile_masked"].count("*") == 4

    return check


def check_topup(w, persona, body):
    assert (body["member_id"], body["principal_added"], body["principal"]) == (w.shopper, 100_00, 600_00)


def check_names(model, field_name: str, **by_node: str):
    """List endpoints of offers: what each persona's node sees (its own, those above it)."""
    sh, nj, hq = by_node.get("sh"), by_node.get("nj"), by_node.get("hq")
    see = {
        "hq_admin": {sh, nj, hq},
        "other_city_clerk": {nj, hq},
    }

    def check(w, persona, body):
        expected = see.get(persona, {sh, hq}) - {None}
        assert {row[field_name] for row in body} == expected
        assert model.objects.count() >= len(expected)

    return check


def check_coupon_of(member: str):
    def check(w, persona, body):
        coupon = Coupon.objects.get(pk=body["id"])
        assert coupon.member_id == getattr(w, member)

    return check


def check_commissions(w, persona, body):
    expected = {w.salesperson, w.sales_c} if persona == "hq_admin" else {w.salesperson}
    assert {r["staff_id"] for r in body} == expected


def check_rules(w, persona, body):
    expected = {w.rule_sh, w.rule_nj} if persona == "hq_admin" else {w.rule_sh}
    assert {r["id"] for r in body} == expected


def check_rule_rate(rate: str):
    def check(w, persona, body):
        assert str(CommissionRule.objects.get(pk=body["id"]).rate) == rate

    return check


def check_showroom(w, persona, body):
    """The public page names the salesperson by display name and nothing else of theirs."""
    assert body["code"] == w.showroom and body["salesperson"] == "salesperson"
    assert set(body) == {"code", "title", "greeting", "salesperson", "outlet", "share_path", "products"}


ALL9 = "200 200 200 200 200 200 200 200 200"
STAFF9 = "200 200 200 200 200 200 403 403 200"
AT_A9 = "200 200 200 200 200 404 403 403 200"  # everyone holding A (the salesperson too)
AT_C9 = "200 404 404 404 404 200 403 403 404"
SHOPPER_ONLY = "403 403 403 403 403 403 403 200 403"
SALESPERSON_ONLY = "403 403 403 403 403 403 403 403 200"
REGION_MANAGERS_SH = "200 200 200 403 403 403 403 403 403"  # price.edit over Shanghai
REGION_MANAGERS_NJ = "200 404 404 403 403 403 403 403 403"
HQ_ONLY9 = "200 403 403 403 403 403 403 403 403"
MANAGERS9 = "200 200 200 200 403 403 403 403 403"  # who see salespeople's figures and rules
NOT_MEMBER = {"403": "not_member"}
NOT_SALESPERSON = {"403": "not_salesperson", "member": "not_staff", "shopper": "not_staff"}
created = lambda expect: expect.replace("200", "201")  # noqa: E731
id_of = lambda name, param: lambda w: {param: getattr(w, name)}  # noqa: E731


def pickup_order(outlet: str):
    # A guest gives a mobile number; the signed-in shopper orders as themselves.
    return lambda w, p: {
        "channel": "web", "method": "pickup", "payment_mode": "at_outlet",
        "mobile": "" if p == "shopper" else "13700000001",
        "pickup_outlet_id": getattr(w, outlet).pk, "lines": [{"sku_id": w.skus[2].pk, "quantity": 1}],
    }  # fmt: skip


def counter_sale(outlet: str):
    return lambda w, p: {
        "channel": "pos", "method": "counter", "payment_mode": "counter", "mobile": "13700000001",
        "origin_outlet_id": getattr(w, outlet).pk, "lines": [{"sku_id": w.skus[2].pk, "quantity": 1}],
    }  # fmt: skip


def return_at(outlet: str):
    return lambda w, p: {
        "outlet_id": getattr(w, outlet).pk,
        "lines": [{"sku_id": w.skus[0].pk, "quantity": 1}],
    }


def hand_over(order: str, outlet: str):
    def body(w, p):
        o = Order.objects.get(pk=getattr(w, order))
        return {"outlet_id": getattr(w, outlet).pk, "code": o.pickup_code, "order_number": o.number}

    return body


def topup_at(outlet: str):
    return lambda w, p: {
        "member_id": w.shopper,
        "outlet_id": getattr(w, outlet).pk,
        "client_key": f"till:{p}",
        "amount": 100_00,
    }


def window() -> dict[str, str]:
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    return {
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=7)).isoformat(),
    }


def template_body(region: str):
    return lambda w, p: {
        "code": f"new-{p[:20]}",
        "name": "新券",
        "kind": "fixed",
        "value": 5_00,
        "region_code": region,
        **window(),
    }


def promotion_body(region: str):
    return lambda w, p: {
        "name": "新促销",
        "kind": "discount",
        "percent_off": "10",
        "region_code": region,
        **window(),
    }


def game_body(region: str):
    return lambda w, p: {
        "name": "新游戏", "kind": "lucky_wheel", "region_code": region, **window(),
        "prizes": [{"name": "积分", "kind": "points", "weight": 1, "stock": 5, "points": 5}],
    }  # fmt: skip


ROWS += [
    # Orders. Anyone may check out on the storefront; staff channels need a seller in scope.
    Row("place web pickup at C", "POST", "/orders", created(ALL9), body=pickup_order("c"),
        check=check_order_state("confirmed")),
    Row("place counter sale at A", "POST", "/orders", "201 201 201 201 201 404 403 403 201",
        body=counter_sale("a"), not_found="outlet_not_found", check=check_order_state("pending")),
    Row("place counter sale at C", "POST", "/orders", "201 404 404 404 404 201 403 403 404",
        body=counter_sale("c"), not_found="outlet_not_found"),
    Row("orders", "GET", "/orders", STAFF9, check=check_orders),
    Row("track by number and mobile", "GET", "/orders/track", ALL9, public=True, check=check_tracked,
        query=lambda w: {"number": Order.objects.get(pk=w.o_a).number, "mobile": SHOPPER_MOBILE}),
    Row("track with another mobile", "GET", "/orders/track", "404 404 404 404 404 404 404 404 404", public=True,
        query=lambda w: {"number": Order.objects.get(pk=w.o_a).number, "mobile": NANJING_MOBILE},
        not_found="order_not_found"),
    Row("order at A", "GET", "/orders/{order_id}", AT_A9, id_of("o_a", "order_id"), not_found="order_not_found"),
    Row("order at C", "GET", "/orders/{order_id}", AT_C9, id_of("o_c", "order_id"), not_found="order_not_found"),
    Row("cancel at A", "POST", "/orders/{order_id}/cancel", AT_A9, id_of("o_a", "order_id"),
        body=lambda w, p: {"reason": "changed mind"}, not_found="order_not_found",
        check=check_order_state("cancelled")),
    Row("cancel at C", "POST", "/orders/{order_id}/cancel", AT_C9, id_of("o_c", "order_id"),
        body=lambda w, p: {"reason": "changed mind"}, not_found="order_not_found"),
    Row("deliver from A", "POST", "/orders/{order_id}/deliver", AT_A9, id_of("ship_a", "order_id"),
        not_found="order_not_found", check=check_order_state("completed")),
    Row("deliver C (not shipped)", "POST", "/orders/{order_id}/deliver", AT_C9.replace("200", "409"),
        id_of("o_c", "order_id"), not_found="order_not_found", codes={"409": "order_wrong_state"}),
    # A return is taken at any outlet in the caller's scope, against the receipt: a Nanjing sale
    # may come back at A. The outlet is what must be theirs.
    Row("return sale at A", "POST", "/orders/{order_id}/returns", created(AT_A9), id_of("sale_a", "order_id"),
        body=return_at("a"), not_found="outlet_not_found"),
    Row("return Nanjing sale at A", "POST", "/orders/{order_id}/returns", created(AT_A9),
        id_of("sale_c", "order_id"), body=return_at("a"), not_found="outlet_not_found"),
    Row("return sale at C", "POST", "/orders/{order_id}/returns", created(AT_C9), id_of("sale_a", "order_id"),
        body=return_at("c"), not_found="outlet_not_found"),
    Row("work queue", "GET", "/tasks", STAFF9, check=check_tasks),
    Row("claim task at A", "POST", "/tasks/{task_id}/{step}", AT_A9,
        lambda w: {"task_id": w.t_a, "step": "claim"}, not_found="task_not_found", check=check_state("claimed")),
    Row("claim task at C", "POST", "/tasks/{task_id}/{step}", AT_C9,
        lambda w: {"task_id": w.t_c, "step": "claim"}, not_found="task_not_found"),
    Row("hand over at A", "POST", "/pickups", AT_A9, body=hand_over("ready_a", "a"),
        not_found="outlet_not_found", check=check_order_state("completed")),
    Row("hand over at C (not ready)", "POST", "/pickups", AT_C9.replace("200", "409"), body=hand_over("o_c", "c"),
        not_found="outlet_not_found", codes={"409": "order_not_ready"}),
    # Payments. Online: the order's member or staff in scope; in hand: staff in scope.
    Row("pay online at A", "POST", "/payments/intents", "201 201 201 201 201 404 404 201 201",
        body=lambda w, p: {"order_id": w.o_a}, not_found="order_not_found"),
    Row("pay online at C", "POST", "/payments/intents", "201 404 404 404 404 201 404 201 404",
        body=lambda w, p: {"order_id": w.o_c, "amount": 2_00}, not_found="order_not_found"),
    Row("take cash at A", "POST", "/payments/capture", created(AT_A9),
        body=lambda w, p: {"order_id": w.o_a, "method": "at_outlet"}, not_found="order_not_found",
        check=lambda w, p, b: Order.objects.get(pk=w.o_a).payment_state == "paid" or pytest.fail("unpaid")),
    Row("take cash at C", "POST", "/payments/capture", created(AT_C9),
        body=lambda w, p: {"order_id": w.o_c, "method": "at_outlet"}, not_found="order_not_found"),
    Row("wallet tender at A", "POST", "/payments/tenders", "201 201 201 201 201 404 404 201 201",
        body=lambda w, p: {"order_id": w.o_a, "method": "wallet", "amount": 10_00}, not_found="order_not_found"),
    Row("wallet tender at C", "POST", "/payments/tenders", "201 404 404 404 404 201 404 201 404",
        body=lambda w, p: {"order_id": w.o_c, "method": "wallet", "amount": 10_00}, not_found="order_not_found"),
    Row("payments at A", "GET", "/payments", AT_A9, query=lambda w: {"order_id": w.sale_a},
        not_found="order_not_found", check=lambda w, p, b: [t["id"] for t in b] == [w.pay_a] or pytest.fail(b)),
    Row("payments at C", "GET", "/payments", AT_C9, query=lambda w: {"order_id": w.sale_c},
        not_found="order_not_found"),
    Row("gateway notification", "POST", "/payments/notify/{provider}", ALL9, lambda w: {"provider": "sandbox"},
        public=True, raw=lambda w: w.notify),
    Row("refund at A", "POST", "/payments/{payment_id}/refund", created(AT_A9), id_of("pay_a", "payment_id"),
        body=lambda w, p: {"amount": 1_00, "reason": "goodwill"}, not_found="payment_not_found"),
    Row("refund at C", "POST", "/payments/{payment_id}/refund", created(AT_C9), id_of("pay_c", "payment_id"),
        body=lambda w, p: {"amount": 1_00, "reason": "goodwill"}, not_found="payment_not_found"),
    # Members: sign-in is public; a member sees themselves; a clerk what serving needs; a
    # region manager the activity of members who shop in their region; the ledger is HQ's.
    Row("ask for a sign-in code", "POST", "/members/login/code", created(ALL9), public=True,
        body=lambda w, p: {"mobile": "13700000001"}),
    Row("sign in with the code", "POST", "/members/login", created(ALL9), public=True,
        body=lambda w, p: {"mobile": "13700000009", "code": w.login_code}),
    Row("counter lookup", "GET", "/members/lookup", STAFF9, query=lambda w: {"mobile": SHOPPER_MOBILE},
        check=check_counter),
    Row("my profile", "GET", "/members/me", SHOPPER_ONLY, codes=NOT_MEMBER, check=check_me),
    Row("my points", "GET", "/members/me/points", SHOPPER_ONLY, codes=NOT_MEMBER, check=check_my_points),
    Row("my wallet", "GET", "/members/me/wallet", SHOPPER_ONLY, codes=NOT_MEMBER, check=check_my_wallet),
    Row("my orders", "GET", "/members/me/orders", SHOPPER_ONLY, codes=NOT_MEMBER, check=check_my_orders),
    Row("activity of a Shanghai member", "GET", "/members/{member_id}/activity", REGION_MANAGERS_SH,
        id_of("shopper", "member_id"), not_found="member_not_found",
        check=check_activity(everywhere={"o_a", "o_c", "ready_a", "ship_a", "sale_a"},
                             in_region={"o_a", "ready_a", "ship_a", "sale_a"})),
    Row("activity of a Nanjing member", "GET", "/members/{member_id}/activity", REGION_MANAGERS_NJ,
        id_of("nanjing", "member_id"), not_found="member_not_found",
        check=check_activity(everywhere={"sale_c"}, in_region=set())),
    Row("top-up packages", "GET", "/loyalty/packages", ALL9),
    Row("top up at A", "POST", "/loyalty/topups", created(AT_A9), body=topup_at("a"),
        not_found="outlet_not_found", check=check_topup),
    Row("top up at C", "POST", "/loyalty/topups", created(AT_C9), body=topup_at("c"),
        not_found="outlet_not_found"),
    Row("ledger audit", "GET", "/ledger/postings", HQ_ONLY9),
    # Marketing: members claim and play; staff manage the offers of their node.
    Row("claimable coupons", "GET", "/marketing/coupon-templates/claimable", ALL9,
        check=lambda w, p, b: {t["code"] for t in b} == {"tpl-sh", "tpl-nj", "tpl-hq"} or pytest.fail(b)),
    Row("claim a coupon", "POST", "/marketing/coupons/claim", created(SHOPPER_ONLY), codes=NOT_MEMBER,
        body=lambda w, p: {"template_code": "tpl-sh"}, check=check_coupon_of("shopper")),
    Row("my coupons", "GET", "/marketing/coupons/mine", SHOPPER_ONLY, codes=NOT_MEMBER),
    Row("a game", "GET", "/marketing/games/{game_id}", ALL9, id_of("game_sh", "game_id")),
    Row("play", "POST", "/marketing/games/{game_id}/play", created(SHOPPER_ONLY), id_of("game_sh", "game_id"),
        codes=NOT_MEMBER),
    Row("my attempts", "GET", "/marketing/games/{game_id}/attempts/mine", SHOPPER_ONLY,
        id_of("game_sh", "game_id"), codes=NOT_MEMBER),
    Row("coupon template in Shanghai", "POST", "/marketing/coupon-templates", created(REGION_MANAGERS_SH),
        body=template_body("310100")),
    Row("coupon template in Nanjing", "POST", "/marketing/coupon-templates", created(REGION_MANAGERS_NJ),
        body=template_body("320100"), not_found="region_not_found"),
    Row("network-wide coupon template", "POST", "/marketing/coupon-templates", created(HQ_ONLY9),
        body=template_body(""), codes={"province_manager": "hq_only", "city_manager": "hq_only"}),
    Row("coupon templates", "GET", "/marketing/coupon-templates", STAFF9,
        check=check_names(CouponTemplate, "code", sh="tpl-sh", nj="tpl-nj", hq="tpl-hq")),
    Row("coupons of a Shanghai template", "GET", "/marketing/coupon-templates/{template_id}/coupons", AT_A9,
        id_of("tpl_sh", "template_id"), not_found="template_not_found"),
    Row("coupons of a Nanjing template", "GET", "/marketing/coupon-templates/{template_id}/coupons", AT_C9,
        id_of("tpl_nj", "template_id"), not_found="template_not_found"),
    Row("issue a Shanghai coupon", "POST", "/marketing/coupon-templates/{template_id}/issue", created(AT_A9),
        id_of("tpl_sh", "template_id"), body=lambda w, p: {"member_id": w.nanjing},
        not_found="template_not_found", check=check_coupon_of("nanjing")),
    Row("issue a Nanjing coupon", "POST", "/marketing/coupon-templates/{template_id}/issue", created(AT_C9),
        id_of("tpl_nj", "template_id"), body=lambda w, p: {"member_id": w.shopper},
        not_found="template_not_found"),
    Row("campaign in Shanghai", "POST", "/marketing/coupon-templates/{template_id}/campaign", REGION_MANAGERS_SH,
        id_of("tpl_sh", "template_id"), body=lambda w, p: {"member_ids": [w.shopper, w.nanjing]},
        not_found="template_not_found", check=lambda w, p, b: b["issued"] == 2 or pytest.fail(b)),
    Row("campaign in Nanjing", "POST", "/marketing/coupon-templates/{template_id}/campaign", REGION_MANAGERS_NJ,
        id_of("tpl_nj", "template_id"), body=lambda w, p: {"member_ids": [w.shopper]},
        not_found="template_not_found"),
    Row("promotion in Shanghai", "POST", "/marketing/promotions", created(REGION_MANAGERS_SH),
        body=promotion_body("310100")),
    Row("promotion in Nanjing", "POST", "/marketing/promotions", created(REGION_MANAGERS_NJ),
        body=promotion_body("320100"), not_found="region_not_found"),
    Row("promotions", "GET", "/marketing/promotions", STAFF9,
        check=check_names(Promotion, "name", sh="九五折 sh", nj="九五折 nj")),
    Row("end a Shanghai promotion", "POST", "/marketing/promotions/{promotion_id}/end", REGION_MANAGERS_SH,
        id_of("promo_sh", "promotion_id"), not_found="promotion_not_found",
        check=lambda w, p, b: Promotion.objects.get(pk=w.promo_sh).is_active is False or pytest.fail(b)),
    Row("end a Nanjing promotion", "POST", "/marketing/promotions/{promotion_id}/end", REGION_MANAGERS_NJ,
        id_of("promo_nj", "promotion_id"), not_found="promotion_not_found"),
    Row("game in Shanghai", "POST", "/marketing/games", created(REGION_MANAGERS_SH), body=game_body("310100")),
    Row("game in Nanjing", "POST", "/marketing/games", created(REGION_MANAGERS_NJ), body=game_body("320100"),
        not_found="region_not_found"),
    Row("games", "GET", "/marketing/games", STAFF9, check=check_names(Game, "name", sh="刮刮乐 sh", nj="刮刮乐 nj")),
    # Showrooms: the salesperson's own; managers see their salespeople and set the rules.
    Row("my showroom", "GET", "/showrooms/me", SALESPERSON_ONLY, codes=NOT_SALESPERSON),
    Row("edit my showroom", "PATCH", "/showrooms/me", SALESPERSON_ONLY, codes=NOT_SALESPERSON,
        body=lambda w, p: {"title": "欢迎光临", "greeting": "hi"}),
    Row("my sales", "GET", "/showrooms/me/sales", SALESPERSON_ONLY, codes=NOT_SALESPERSON),
    Row("salespeople", "GET", "/showrooms/commissions", MANAGERS9, check=check_commissions),
    Row("a Nanjing salesperson", "GET", "/showrooms/commissions", "200 404 404 404 403 403 403 403 403",
        query=lambda w: {"staff_id": w.sales_c}, not_found="salesperson_not_found"),
    Row("commission rules", "GET", "/showrooms/rules", MANAGERS9, check=check_rules),
    Row("commission rule for my node", "POST", "/showrooms/rules", created(REGION_MANAGERS_SH),
        body=lambda w, p: {"product_id": w.skus[0].product_id, "rate": "0.03"}),
    Row("commission rule in Nanjing", "POST", "/showrooms/rules", created(REGION_MANAGERS_NJ),
        body=lambda w, p: {"region_code": "320100", "product_id": w.skus[0].product_id, "rate": "0.03"},
        not_found="region_not_found"),
    Row("change a Shanghai rule", "PATCH", "/showrooms/rules/{rule_id}", REGION_MANAGERS_SH,
        id_of("rule_sh", "rule_id"), body=lambda w, p: {"rate": "0.0600"}, not_found="rule_not_found",
        check=check_rule_rate("0.0600")),
    Row("change a Nanjing rule", "PATCH", "/showrooms/rules/{rule_id}", REGION_MANAGERS_NJ,
        id_of("rule_nj", "rule_id"), body=lambda w, p: {"rate": "0.0600"}, not_found="rule_not_found"),
    Row("delete a Shanghai rule", "DELETE", "/showrooms/rules/{rule_id}", REGION_MANAGERS_SH.replace("200", "204"),
        id_of("rule_sh", "rule_id"), not_found="rule_not_found"),
    Row("delete a Nanjing rule", "DELETE", "/showrooms/rules/{rule_id}", REGION_MANAGERS_NJ.replace("200", "204"),
        id_of("rule_nj", "rule_id"), not_found="rule_not_found"),
    Row("a showroom", "GET", "/showrooms/{code}", ALL9, lambda w: {"code": w.showroom}, public=True,
        check=check_showroom),
    Row("no such showroom", "GET", "/showrooms/{code}", "404 404 404 404 404 404 404 404 404",
        lambda w: {"code": "nosuch"}, public=True, not_found="showroom_not_found"),
]  # fmt: skip


# --- the books: closed days and their figures for managers at their node; counter shifts ------

MANAGERS = "200 200 200 200 403 403 403"  # finance.close: outlet manager and up
HOME_NODE = {"hq_admin": "hq", "province_manager": "/31/", "city_manager": "/31/3101/"}


def check_day_at_home(w, persona, body):
    expected = HOME_NODE.get(persona, f"outlet:{w.a.pk}")
    assert body["node"]["key"] == expected and body["created"] is True, body["node"]


def check_shifts(w, persona, body):
    expected = {"hq_admin": {w.shift_a, w.shift_c}, "other_city_clerk": {w.shift_c}}.get(persona, {w.shift_a})
    assert {s["id"] for s in body} == expected


def check_shift_closed(w, persona, body):
    assert body["closed_at"] and (body["declared_cash"], body["expected_cash"], body["difference"]) == (
        5_00,
        0,
        5_00,
    )


day_of = lambda name: lambda w: {"day": getattr(w, name)}  # noqa: E731
node_at = lambda outlet: lambda w: {"node": f"outlet:{getattr(w, outlet).pk}"}  # noqa: E731
declared = lambda w, p: {"declared_cash": 5_00}  # noqa: E731
export_of = lambda fmt: lambda w: {"day": w.closed_day, "fmt": fmt}  # noqa: E731

ROWS += [
    Row("closed days", "GET", "/clearing/days", MANAGERS,
        check=lambda w, p, b: [d["day"] for d in b] == [w.closed_day] or pytest.fail(b)),
    Row("close yesterday", "POST", "/clearing/days/{day}/close", created(MANAGERS), day_of("open_day"),
        check=check_day_at_home),
    Row("the day at A", "GET", "/clearing/days/{day}", MANAGERS, day_of("closed_day"), query=node_at("a"),
        not_found="node_not_found"),
    Row("the day at C", "GET", "/clearing/days/{day}", "200 404 404 404 403 403 403", day_of("closed_day"),
        query=node_at("c"), not_found="node_not_found"),
    Row("the day in Shanghai", "GET", "/clearing/days/{day}", "200 200 404 404 403 403 403", day_of("closed_day"),
        query=lambda w: {"node": "310000"}, not_found="node_not_found"),
    # Downloads of a closed day: the node's report as a file (read back in clearing's tests).
    Row("the day as CSV", "GET", "/clearing/days/{day}/export.{fmt}", MANAGERS, export_of("csv")),
    Row("the day at A as XLSX", "GET", "/clearing/days/{day}/export.{fmt}", MANAGERS, export_of("xlsx"),
        query=node_at("a"), not_found="node_not_found"),
    Row("the day at C as PDF", "GET", "/clearing/days/{day}/export.{fmt}", "200 404 404 404 403 403 403",
        export_of("pdf"), query=node_at("c"), not_found="node_not_found"),
    Row("the day in Shanghai as CSV", "GET", "/clearing/days/{day}/export.{fmt}", "200 200 404 404 403 403 403",
        export_of("csv"), query=lambda w: {"node": "310000"}, not_found="node_not_found"),
    Row("shifts", "GET", "/clearing/shifts", STAFF_OK, check=check_shifts),
    Row("open a shift at A", "POST", "/clearing/shifts", "201 201 201 201 409 404 403",
        body=lambda w, p: {"outlet_id": w.a.pk}, not_found="outlet_not_found",
        codes={"outlet_clerk": "shift_already_open"}),
    Row("open a shift at C", "POST", "/clearing/shifts", "201 404 404 404 404 409 403",
        body=lambda w, p: {"outlet_id": w.c.pk}, not_found="outlet_not_found",
        codes={"other_city_clerk": "shift_already_open"}),
    Row("close the shift at A", "POST", "/clearing/shifts/{shift_id}/close", "200 200 200 200 200 404 403",
        id_of("shift_a", "shift_id"), body=declared, not_found="shift_not_found", check=check_shift_closed),
    Row("close the shift at C", "POST", "/clearing/shifts/{shift_id}/close", "200 404 404 404 404 200 403",
        id_of("shift_c", "shift_id"), body=declared, not_found="shift_not_found"),
]  # fmt: skip


# --- reconciliation with the payment provider: finance at HQ (finance.reconcile) only. See
# omnipoint.reconciliation.tests.world.api_world.

RECON = {"setup": api_world}
FINANCE = "200 403 403 403 403 403 403"
recon_day = lambda name: lambda w: {"day": getattr(w, name)}  # noqa: E731

ROWS += [
    Row("reconciliation runs", "GET", "/reconciliation/runs", FINANCE, **RECON,
        check=lambda w, p, b: [r["day"] for r in b] == [w.recon_day] or pytest.fail(str(b))),
    Row("a reconciliation run", "GET", "/reconciliation/runs/{day}", FINANCE, recon_day("recon_day"), **RECON,
        check=lambda w, p, b: b["lines"] == 2 and b["matched"] == 1 or pytest.fail(str(b))),
    Row("no such reconciliation run", "GET", "/reconciliation/runs/{day}", FINANCE.replace("200", "404"),
        recon_day("recon_open_day"), **RECON, not_found="run_not_found"),
    Row("fetch a statement", "POST", "/reconciliation/runs/{day}/fetch", created(FINANCE),
        recon_day("recon_open_day"), **RECON),
    Row("upload a statement", "POST", "/reconciliation/runs/{day}/statement", created(FINANCE),
        recon_day("recon_open_day"), **RECON, raw=lambda w: multipart(w.recon_file)),
    Row("a run's differences", "GET", "/reconciliation/runs/{day}/differences", FINANCE, recon_day("recon_day"),
        **RECON, check=lambda w, p, b: [d["kind"] for d in b] == ["lost_notification"] or pytest.fail(str(b))),
    Row("repair a lost notification", "POST", "/reconciliation/differences/{difference_id}/repair", FINANCE,
        id_of("recon_lost", "difference_id"), **RECON,
        check=lambda w, p, b: b["outcome"] == "applied" or pytest.fail(str(b))),
    Row("resolve a difference", "POST", "/reconciliation/differences/{difference_id}/resolve", FINANCE,
        id_of("recon_lost", "difference_id"), **RECON,
        body=lambda w, p: {"reason": "timing", "note": "次日到账"}),
]  # fmt: skip


# --- settlement: statements of the parties at the reader's node; finance (city and up) acts ---

SETTLERS = "200 200 200 403 403 403 403"  # finance.settle: city manager and up
SEES = {  # the world's statements each persona's node covers (build_settlement)
    "hq_admin": {"st_sh", "st_b", "st_c"}, "province_manager": {"st_sh", "st_b"}, "city_manager": {"st_b"},
}  # fmt: skip


def check_statements(w, persona, body):
    assert {s["id"] for s in body} == {getattr(w, n) for n in SEES.get(persona, set())}, body


def check_parties(w, persona, body):
    assert len(body) == len(SEES.get(persona, set())), body


statement_of = lambda name: lambda w: {"statement_id": getattr(w, name)}  # noqa: E731
settle = {"setup": build_settlement, "not_found": "statement_not_found"}

ROWS += [
    Row("parties", "GET", "/settlement/parties", MANAGERS, setup=build_settlement, check=check_parties),
    Row("statements", "GET", "/settlement/statements", MANAGERS, setup=build_settlement, check=check_statements),
    Row("statement of B", "GET", "/settlement/statements/{statement_id}", "200 200 200 404 403 403 403",
        statement_of("st_b"), **settle),
    Row("statement of C", "GET", "/settlement/statements/{statement_id}", "200 404 404 404 403 403 403",
        statement_of("st_c"), **settle),
    Row("statement of B as CSV", "GET", "/settlement/statements/{statement_id}/export.{fmt}",
        "200 200 200 404 403 403 403", lambda w: {"statement_id": w.st_b, "fmt": "csv"}, **settle),
    Row("generate a period", "POST", "/settlement/periods/{period}/generate", SETTLERS,
        lambda w: {"period": w.period_new}, setup=build_settlement),
    Row("confirm B's", "POST", "/settlement/statements/{statement_id}/confirm", SETTLERS,
        statement_of("st_b"), **settle),
    Row("confirm C's", "POST", "/settlement/statements/{statement_id}/confirm", "200 404 404 403 403 403 403",
        statement_of("st_c"), **settle),
    Row("pay Shanghai's supplier", "POST", "/settlement/statements/{statement_id}/pay", "201 201 404 403 403 403 403",
        statement_of("st_sh"), body=lambda w, p: {"key": f"pay-{p}"}, **settle),
]  # fmt: skip


# --- dashboards: the console home's figures at the caller's node (every staff member: a clerk
# their outlet's), nobody a node outside their scope ------------------------------------------


def check_dashboard(w, persona, body):
    outlet = w.c if persona == "other_city_clerk" else w.a
    assert body["node"]["key"] == HOME_NODE.get(persona, f"outlet:{outlet.pk}"), body["node"]
    assert {r["code"] for r in body["ranking"]} <= VISIBLE[persona]
    assert len(body["days"]) == 14 and body["period"]["last"] == body["period"]["today"]


ROWS += [
    Row("my dashboard", "GET", "/dashboards", STAFF_OK, check=check_dashboard),
    Row("the dashboard at C", "GET", "/dashboards", "200 404 404 404 404 200 403", query=node_at("c"),
        not_found="node_not_found"),
    Row("the dashboard of Shanghai", "GET", "/dashboards", "200 200 404 404 404 404 403",
        query=lambda w: {"node": "310000"}, not_found="node_not_found"),
]  # fmt: skip


# --- appointments: the services and slots are anyone's to read; bookings a member's own or in
# the staff's scope; timetables for managers (service.setup), the desk for clerks and up
# (appointment.desk, not salespeople). See omnipoint.appointments.tests.world.

APPT = {"setup": build_appointments}
NOT_MEMBER9 = {"member": "not_member"}
AT_A_DESK = "200 200 200 200 200 404 403 403 403"
AT_C_DESK = "200 404 404 404 404 200 403 403 404"
AT_A_SETUP = "200 200 200 200 403 404 403 403 403"
AT_C_SETUP = "200 404 404 404 404 403 403 403 404"
ap_id = lambda name, param: lambda w: {param: getattr(w, name)}  # noqa: E731
ap_outlet = lambda o: lambda w: {"outlet_id": getattr(w, o).pk}  # noqa: E731


def ap_timetable(w, p):
    return {"openings": [{"weekday": d, "start": "09:00", "end": "17:00", "capacity": 3} for d in range(7)]}


def ap_book(outlet: str):
    def body(w, p):
        if p == "shopper":
            return {"slot_id": getattr(w, f"ap_free_{outlet}"), "channel": "web", "client_key": "k1"}
        return {"slot_id": getattr(w, f"ap_free_{outlet}"), "channel": "hotline", "member_id": w.nanjing}

    return body


def check_ap_bookings(w, persona, body):
    from omnipoint.appointments.models import Booking

    mine = {"shopper": {"member_id": w.shopper}}.get(persona)
    qs = (
        Booking.objects.filter(**mine)
        if mine
        else Booking.objects.filter(
            outlet__code__in=VISIBLE[persona] if persona != "hq_admin" else ["SH-A", "NJ-C"]
        )
    )
    assert body and {b["id"] for b in body} == set(qs.values_list("pk", flat=True))


def check_ap_state(state: str):
    def check(w, persona, body):
        assert body["state"] == state, body

    return check


ROWS += [
    Row("services", "GET", "/appointments/services", ALL9, **APPT),
    Row("new service", "POST", "/appointments/services", HQ_ONLY9.replace("200", "201"), **APPT,
        body=lambda w, p: {"code": f"svc-{p}", "name": "社保卡办理", "name_en": "Social security card",
                           "duration_min": 20, "materials": [], "queue_prefix": "S"}),
    Row("services near A", "GET", "/appointments/nearby", ALL9, **APPT,
        query=lambda w: {"service_id": w.ap_passport, "lat": w.a.lat, "lng": w.a.lng},
        check=lambda w, p, b: [n["outlet_code"] for n in b] == ["SH-A"] or pytest.fail(str(b))),
    Row("slots at A", "GET", "/appointments/slots", ALL9, **APPT,
        query=lambda w: {"outlet_id": w.a.pk, "service_id": w.ap_passport},
        check=lambda w, p, b: len(b) > 3 or pytest.fail(str(b))),
    Row("timetable at A", "PUT", "/appointments/outlets/{outlet_id}/services/{service_id}", AT_A_SETUP, **APPT,
        params=lambda w: {"outlet_id": w.a.pk, "service_id": w.ap_broadband}, body=ap_timetable,
        not_found="outlet_not_found"),
    Row("timetable at C", "PUT", "/appointments/outlets/{outlet_id}/services/{service_id}", AT_C_SETUP, **APPT,
        params=lambda w: {"outlet_id": w.c.pk, "service_id": w.ap_passport}, body=ap_timetable,
        not_found="outlet_not_found"),
    Row("closure at A", "POST", "/appointments/outlets/{outlet_id}/closures", created(AT_A_SETUP), **APPT,
        params=ap_outlet("a"), not_found="outlet_not_found",
        body=lambda w, p: {"day": str(timezone.localdate() + timedelta(days=3)), "reason": "元旦"}),
    Row("closure at C", "POST", "/appointments/outlets/{outlet_id}/closures", created(AT_C_SETUP), **APPT,
        params=ap_outlet("c"), not_found="outlet_not_found",
        body=lambda w, p: {"day": str(timezone.localdate() + timedelta(days=3)), "reason": "元旦"}),
    Row("bookings", "GET", "/appointments/bookings", "200 200 200 200 200 200 403 200 200", **APPT,
        codes=NOT_MEMBER9, check=check_ap_bookings),
    Row("book at A", "POST", "/appointments/bookings", "201 201 201 201 201 404 403 201 403", **APPT,
        body=ap_book("a"), not_found="slot_not_found", codes=NOT_MEMBER9, check=check_ap_state("booked")),
    Row("book at C", "POST", "/appointments/bookings", "201 404 404 404 404 201 403 201 404", **APPT,
        body=ap_book("c"), not_found="slot_not_found", codes=NOT_MEMBER9),
    Row("booking at A", "GET", "/appointments/bookings/{booking_id}", "200 200 200 200 200 404 403 200 200",
        ap_id("ap_bk_a", "booking_id"), **APPT, not_found="booking_not_found", codes=NOT_MEMBER9),
    Row("booking at C", "GET", "/appointments/bookings/{booking_id}", "200 404 404 404 404 200 403 404 404",
        ap_id("ap_bk_c", "booking_id"), **APPT, not_found="booking_not_found", codes=NOT_MEMBER9),
    Row("cancel booking at A", "POST", "/appointments/bookings/{booking_id}/cancel", "200 200 200 200 200 404 403 200 403",
        ap_id("ap_bk_a", "booking_id"), **APPT, not_found="booking_not_found", codes=NOT_MEMBER9,
        check=check_ap_state("cancelled")),
    Row("cancel booking at C", "POST", "/appointments/bookings/{booking_id}/cancel", "200 404 404 404 404 200 403 404 404",
        ap_id("ap_bk_c", "booking_id"), **APPT, not_found="booking_not_found", codes=NOT_MEMBER9),
    Row("move at A", "POST", "/appointments/bookings/{booking_id}/reschedule", "200 200 200 200 200 404 403 200 403",
        ap_id("ap_bk_a", "booking_id"), **APPT, body=lambda w, p: {"slot_id": w.ap_free2_a},
        not_found="booking_not_found", codes=NOT_MEMBER9),
    Row("move at C", "POST", "/appointments/bookings/{booking_id}/reschedule", "200 404 404 404 404 200 403 404 404",
        ap_id("ap_bk_c", "booking_id"), **APPT, body=lambda w, p: {"slot_id": w.ap_free2_c},
        not_found="booking_not_found", codes=NOT_MEMBER9),
    Row("materials at A", "POST", "/appointments/bookings/{booking_id}/materials", AT_A_DESK,
        ap_id("ap_bk_a", "booking_id"), **APPT, body=lambda w, p: {"checked": ["id_card"], "note": "照片待补"},
        not_found="booking_not_found"),
    Row("materials at C", "POST", "/appointments/bookings/{booking_id}/materials", AT_C_DESK,
        ap_id("ap_bk_c", "booking_id"), **APPT, body=lambda w, p: {"checked": ["id_card"]},
        not_found="booking_not_found"),
    Row("check in at A", "POST", "/appointments/outlets/{outlet_id}/check-in", AT_A_DESK, ap_outlet("a"), **APPT,
        body=lambda w, p: {"code": w.ap_now_a}, not_found="outlet_not_found", check=check_ap_state("waiting")),
    Row("check in at C", "POST", "/appointments/outlets/{outlet_id}/check-in", AT_C_DESK, ap_outlet("c"), **APPT,
        body=lambda w, p: {"code": w.ap_now_c}, not_found="outlet_not_found"),
    Row("walk-in at A", "POST", "/appointments/outlets/{outlet_id}/tickets", created(AT_A_DESK), ap_outlet("a"),
        **APPT, body=lambda w, p: {"service_id": w.ap_broadband}, not_found="outlet_not_found"),
    Row("walk-in at C", "POST", "/appointments/outlets/{outlet_id}/tickets", created(AT_C_DESK), ap_outlet("c"),
        **APPT, body=lambda w, p: {"service_id": w.ap_passport}, not_found="outlet_not_found"),
    Row("call at A", "POST", "/appointments/outlets/{outlet_id}/call", AT_A_DESK, ap_outlet("a"), **APPT,
        body=lambda w, p: {"counter": "2"}, not_found="outlet_not_found", check=check_ap_state("called")),
    Row("call at C", "POST", "/appointments/outlets/{outlet_id}/call", AT_C_DESK, ap_outlet("c"), **APPT,
        body=lambda w, p: {"counter": "2"}, not_found="outlet_not_found"),
    Row("queue at A", "GET", "/appointments/outlets/{outlet_id}/queue", "200 200 200 200 200 404 403 403 200",
        ap_outlet("a"), **APPT, not_found="outlet_not_found",
        check=lambda w, p, b: len(b["called"]) == len(b["waiting"]) == 1 or pytest.fail(str(b))),
    Row("queue at C", "GET", "/appointments/outlets/{outlet_id}/queue", "200 404 404 404 404 200 403 403 404",
        ap_outlet("c"), **APPT, not_found="outlet_not_found"),
    Row("serve at A", "POST", "/appointments/tickets/{ticket_id}/finish", AT_A_DESK, ap_id("ap_tk_a", "ticket_id"),
        **APPT, not_found="ticket_not_found", check=check_ap_state("done")),
    Row("serve at C", "POST", "/appointments/tickets/{ticket_id}/finish", AT_C_DESK, ap_id("ap_tk_c", "ticket_id"),
        **APPT, not_found="ticket_not_found"),
    Row("skip at A", "POST", "/appointments/tickets/{ticket_id}/skip", AT_A_DESK, ap_id("ap_tk_a", "ticket_id"),
        **APPT, not_found="ticket_not_found", check=check_ap_state("skipped")),
    Row("skip at C", "POST", "/appointments/tickets/{ticket_id}/skip", AT_C_DESK, ap_id("ap_tk_c", "ticket_id"),
        **APPT, not_found="ticket_not_found"),
]  # fmt: skip


# --- installation and after-sales tickets: a member's own (opened from their order); staff's at
# the outlets of their scope (ticket.desk: clerks and up, not salespeople); the technician's
# steps only for the technician assigned (none of these personas: see aftersales' test_api).
# See omnipoint.aftersales.tests.world.

TK = {"setup": build_tickets}
TK_AT_A = "200 200 200 200 200 404 403 200 403"  # the shopper's ticket at A
TK_AT_C = "200 404 404 404 404 200 403 404 403"  # the Nanjing member's at C
TK_DESK_A = "200 200 200 200 200 404 403 403 403"
TK_DESK_C = "200 404 404 404 404 200 403 403 403"
tk_id = lambda name: lambda w: {"ticket_id": getattr(w, name)}  # noqa: E731
tk_visit = lambda tech: lambda w, p: {"technician_id": getattr(w, tech), "day": str(w.tk_day), "window": "pm"}  # noqa: E731


def check_tk_list(w, persona, body):
    from omnipoint.aftersales.models import Ticket

    mine = {"member_id": w.shopper} if persona == "shopper" else None
    qs = (
        Ticket.objects.filter(**mine)
        if mine
        else Ticket.objects.filter(
            outlet__code__in=VISIBLE[persona] if persona != "hq_admin" else ["SH-A", "NJ-C"]
        )
    )
    assert body and {t["id"] for t in body} == set(qs.values_list("pk", flat=True)), body
    assert all((t["confirmation_code"] is not None) == (persona == "shopper") for t in body)


ROWS += [
    Row("tickets", "GET", "/tickets", "200 200 200 200 200 200 403 200 403", **TK, codes=NOT_MEMBER9,
        check=check_tk_list),
    Row("open a ticket at A", "POST", "/tickets", "201 201 201 201 201 404 403 201 403", **TK, codes=NOT_MEMBER9,
        body=lambda w, p: {"order_id": w.sale_a, "kind": "repair", "description": "遥控器失灵"},
        not_found="order_not_found", check=check_ap_state("open")),
    Row("open a ticket at C", "POST", "/tickets", "201 404 404 404 404 201 403 404 403", **TK, codes=NOT_MEMBER9,
        body=lambda w, p: {"order_id": w.sale_c, "kind": "complaint", "description": "服务态度"},
        not_found="order_not_found"),
    Row("overdue tickets", "GET", "/tickets/overdue", "200 200 200 200 200 200 403 403 403", **TK,
        check=lambda w, p, b: b["open"] == {"hq_admin": 5, "other_city_clerk": 1}.get(p, 4) or pytest.fail(str(b))),
    Row("ticket at A", "GET", "/tickets/{ticket_id}", TK_AT_A, tk_id("tk_a"), **TK, codes=NOT_MEMBER9,
        not_found="ticket_not_found"),
    Row("ticket at C", "GET", "/tickets/{ticket_id}", TK_AT_C, tk_id("tk_c"), **TK, codes=NOT_MEMBER9,
        not_found="ticket_not_found"),
    Row("technicians for A", "GET", "/tickets/{ticket_id}/technicians", TK_DESK_A, tk_id("tk_a"), **TK,
        not_found="ticket_not_found",
        check=lambda w, p, b: [t["id"] for t in b] == [w.tech_a] or pytest.fail(str(b))),
    Row("technicians for C", "GET", "/tickets/{ticket_id}/technicians", TK_DESK_C, tk_id("tk_c"), **TK,
        not_found="ticket_not_found"),
    Row("schedule at A", "POST", "/tickets/{ticket_id}/schedule", TK_DESK_A, tk_id("tk_a"), **TK,
        body=tk_visit("tech_a"), not_found="ticket_not_found", check=check_ap_state("scheduled")),
    Row("schedule at C", "POST", "/tickets/{ticket_id}/schedule", TK_DESK_C, tk_id("tk_c"), **TK,
        body=tk_visit("tech_c"), not_found="ticket_not_found"),
    Row("reschedule at A", "POST", "/tickets/{ticket_id}/reschedule", TK_DESK_A, tk_id("tk_sched_a"), **TK,
        body=tk_visit("tech_a"), not_found="ticket_not_found", check=check_ap_state("rescheduled")),
    Row("cancel a ticket at A", "POST", "/tickets/{ticket_id}/cancel", TK_DESK_A, tk_id("tk_a"), **TK,
        body=lambda w, p: {"note": "顾客撤回"}, not_found="ticket_not_found", check=check_ap_state("cancelled")),
    Row("cancel a ticket at C", "POST", "/tickets/{ticket_id}/cancel", TK_DESK_C, tk_id("tk_c"), **TK,
        body=lambda w, p: {"note": "顾客撤回"}, not_found="ticket_not_found"),
    Row("step at A", "POST", "/tickets/{ticket_id}/steps", "403 403 403 403 403 404 403 403 403",
        tk_id("tk_run_a"), **TK, body=lambda w, p: {"step": "arrive"}, not_found="ticket_not_found"),
    # The customer's own visit: the slots to its customer and the desk; the pick the customer's alone.
    Row("visit slots at A", "GET", "/tickets/{ticket_id}/slots", TK_AT_A, tk_id("tk_a"), **TK, codes=NOT_MEMBER9,
        not_found="ticket_not_found", check=lambda w, p, b: len(b) == 28 or pytest.fail(str(b))),
    Row("visit slots at C", "GET", "/tickets/{ticket_id}/slots", TK_AT_C, tk_id("tk_c"), **TK, codes=NOT_MEMBER9,
        not_found="ticket_not_found"),
    Row("pick my visit at A", "POST", "/tickets/{ticket_id}/visit", SHOPPER_ONLY, tk_id("tk_a"), **TK,
        codes=NOT_MEMBER, body=lambda w, p: {"day": str(w.tk_day), "window": "am"},
        check=check_ap_state("scheduled")),
    Row("pick a visit at C", "POST", "/tickets/{ticket_id}/visit", "403 403 403 403 403 403 403 404 403",
        tk_id("tk_c"), **TK, codes=NOT_MEMBER, not_found="ticket_not_found",
        body=lambda w, p: {"day": str(w.tk_day), "window": "am"}),
]  # fmt: skip


# --- bill payment: anyone signed in sees the billers; staff look bills up; the counter's ------


def pay_body(outlet: str):
    return lambda w, p: {"outlet_id": getattr(w, outlet).pk, "biller": POWER, "account": w.acct_pay,
                         "amount": w.amount_pay}  # fmt: skip


def check_bill_held(w, persona, body):
    assert (body["state"], body["account"], body["mode"]) == ("held", w.acct_pay, "counter_cash"), body


ROWS += [
    Row("billers", "GET", "/bills/billers", ALL_OK,
        check=lambda w, p, b: POWER in {x["code"] for x in b} or pytest.fail(b)),
    Row("look up a bill", "GET", "/bills/lookup", STAFF_OK, query=lambda w: {"biller": POWER, "account": w.acct_pay},
        check=lambda w, p, b: b["amount"] == w.amount_pay or pytest.fail(b)),
    Row("pay a bill at A", "POST", "/bills/payments", CREATED_AT_A, body=pay_body("a"), not_found="outlet_not_found",
        check=check_bill_held),
    Row("pay a bill at C", "POST", "/bills/payments", CREATED_AT_C, body=pay_body("c"), not_found="outlet_not_found"),
    Row("pay a bill by phone", "POST", "/bills/hotline/payments", "201 201 201 201 201 201 403 403 403",
        body=lambda w, p: {"mobile": SHOPPER_MOBILE, "biller": POWER, "account": w.acct_phone, "amount": w.amount_phone},
        check=lambda w, p, b: (b["state"], b["mode"]) == ("held", "member_wallet") or pytest.fail(b)),
    Row("a bill payment at A", "GET", "/bills/payments/{number}", AT_A, lambda w: {"number": w.bill_a},
        not_found="payment_not_found"),
    Row("a bill payment at C", "GET", "/bills/payments/{number}", AT_C, lambda w: {"number": w.bill_c},
        not_found="payment_not_found"),
    Row("a biller's callback", "POST", "/bills/callback/{biller}", ALL_OK, lambda w: {"biller": POWER}, public=True,
        raw=lambda w: w.callback_a, check=lambda w, p, b: b["outcome"] == "paid" or pytest.fail(b)),
]  # fmt: skip


# --- identity verification: the counter verifies (clerks and up, at outlets in their area),
# managers revoke, a member gives their own consents, only a partner system asks, HQ adds
# partners. See omnipoint.identity.tests.world.

IDT = {"setup": build_identity}
NOT_MEMBER_ANY = {"403": "not_member"}


def check_id_list(w, persona, body):
    from omnipoint.identity.models import Verification

    seen = {"hq_admin": ["SH-A", "NJ-C"], "other_city_clerk": ["NJ-C"]}.get(persona, ["SH-A"])
    assert {v["id"] for v in body} == set(
        Verification.objects.filter(outlet__code__in=seen).values_list("pk", flat=True)
    ), body


ROWS += [
    Row("verify at A", "POST", "/identity/verifications", "201 201 201 201 201 404 403 403 403", **IDT,
        body=lambda w, p: verify_body(w, "a"), not_found="outlet_not_found",
        check=lambda w, p, b: b["number_masked"] == "110***********4477" or pytest.fail(b)),
    Row("verify at C", "POST", "/identity/verifications", "201 404 404 404 404 201 403 403 403", **IDT,
        body=lambda w, p: verify_body(w, "c"), not_found="outlet_not_found"),
    Row("verifications", "GET", "/identity/verifications", "200 200 200 200 200 200 403 403 403", **IDT,
        check=check_id_list),
    Row("a member's verification", "GET", "/identity/members/{member_id}", "200 200 200 200 200 200 403 403 403",
        lambda w: {"member_id": w.shopper}, **IDT, not_found="member_not_found"),
    Row("revoke at A", "POST", "/identity/verifications/{verification_id}/revoke",
        "200 200 200 200 403 403 403 403 403", lambda w: {"verification_id": w.id_v_a}, **IDT,
        body=lambda w, p: {"reason": "member_asked"}, not_found="verification_not_found"),
    Row("revoke at C", "POST", "/identity/verifications/{verification_id}/revoke",
        "200 404 404 404 403 403 403 403 403", lambda w: {"verification_id": w.id_v_c}, **IDT,
        body=lambda w, p: {"reason": "other"}, not_found="verification_not_found"),
    Row("my identity", "GET", "/identity/me", "403 403 403 403 403 403 403 200 403", **IDT, codes=NOT_MEMBER_ANY,
        check=lambda w, p, b: b["verified"] is True or pytest.fail(b)),
    Row("give consent", "POST", "/identity/me/consents", "403 403 403 403 403 403 403 200 403", **IDT,
        body=lambda w, p: {"partner": w.id_partner_2}, codes=NOT_MEMBER_ANY),
    Row("withdraw consent", "POST", "/identity/me/consents/withdraw", "403 403 403 403 403 403 403 200 403",
        **IDT, body=lambda w, p: {"partner": w.id_partner_1}, codes=NOT_MEMBER_ANY),
    Row("a partner's question", "POST", "/identity/lookups", "403 403 403 403 403 403 403 403 403", **IDT,
        body=lambda w, p: {"mobile": SHOPPER_MOBILE}, codes={"403": "not_partner"}),
    Row("add a partner", "POST", "/identity/partners", "201 403 403 403 403 403 403 403 403", **IDT,
        body=lambda w, p: {"name": f"Bank {p}"}),
]  # fmt: skip


# Agents: the managers who edit outlets onboard and fund them in their area; whoever holds the
# agent reads its day (agent_k in A's district, agent_n in Nanjing; build_agents).
def new_agent(district: str):
    return lambda w, p: {"code": f"AG-{p[:12]}", "name": "报刊亭", "region_code": district, "lat": 31.2, "lng": 121.4,
                         "schedule": {"basis": "count", "tiers": [{"threshold": 0, "per_bill": 20},
                                                                  {"threshold": 100, "per_bill": 30, "rate": "0.001"}]},
                         "opening_float": 500_00}  # fmt: skip


def check_agent(w, persona, body):
    assert (body["kind"], body["mode"], body["float_available"]) == ("agent_point", "agent_float", 500_00), (
        body
    )
    assert [t["per_bill"] for t in body["tiers"]] == [20, 30], body


AGENTS = {"setup": build_agents}
ROWS += [
    Row("onboard an agent in Shanghai", "POST", "/bills/agents", "201 201 201 403 403 403 403",
        body=new_agent("310101"), check=check_agent),
    Row("onboard an agent in Nanjing", "POST", "/bills/agents", "201 404 404 403 403 403 403",
        body=new_agent("320102"), not_found="region_not_found"),
    Row("fund agent K", "POST", "/bills/outlets/{outlet_id}/float", "201 201 201 403 403 403 403",
        lambda w: {"outlet_id": w.agent_k}, body=lambda w, p: {"amount": 100_00, "key": "k1"}, **AGENTS,
        check=lambda w, p, b: b["float_available"] == 1100_00 or pytest.fail(b)),
    Row("fund agent N", "POST", "/bills/outlets/{outlet_id}/float", "201 404 404 403 403 403 403",
        lambda w: {"outlet_id": w.agent_n}, body=lambda w, p: {"amount": 100_00, "key": "k1"}, **AGENTS,
        not_found="outlet_not_found"),
    Row("agent K's day", "GET", "/bills/agents/{outlet_id}/day", "200 200 200 404 404 404 403",
        lambda w: {"outlet_id": w.agent_k}, **AGENTS, not_found="outlet_not_found",
        check=lambda w, p, b: (b["float_available"], b["tier"], b["today_count"]) == (1000_00, 1, 0) or pytest.fail(b)),
    Row("agent N's day", "GET", "/bills/agents/{outlet_id}/day", "200 404 404 404 404 404 403",
        lambda w: {"outlet_id": w.agent_n}, **AGENTS, not_found="outlet_not_found"),
]  # fmt: skip


# --- parcels: staff at the outlets they hold; tracking and the carrier's webhook are public ------

PARCEL = {"setup": build_parcels}


def parcel_no(name: str):
    return lambda w: {"number": getattr(w, name)}


def check_parcels_seen(w, persona, body):
    mine = {"hq_admin": {w.p_a, w.p_c, w.unpaid_a, w.held_b}, "other_city_clerk": {w.p_c}}
    assert {p["number"] for p in body} == mine.get(persona, {w.p_a, w.unpaid_a, w.held_b}), body


def check_tracked(w, persona, body):
    assert (
        body["recipient_name"] == "李*" and "****" in body["recipient_mobile"] and body["pickup_code"] is None
    )


ROWS += [
    Row("accept a parcel at A", "POST", "/parcels", CREATED_AT_A, body=lambda w, p: accept_body(w),
        not_found="outlet_not_found", **PARCEL, check=lambda w, p, b: b["state"] == "created" or pytest.fail(b)),
    Row("accept a parcel at C", "POST", "/parcels", CREATED_AT_C, body=lambda w, p: accept_body(w, outlet_id=w.c.pk),
        not_found="outlet_not_found", **PARCEL),
    Row("parcels", "GET", "/parcels", STAFF_OK, **PARCEL, check=check_parcels_seen),
    Row("a parcel from A", "GET", "/parcels/{number}", AT_A, parcel_no("p_a"), not_found="parcel_not_found",
        **PARCEL),
    Row("a parcel from C", "GET", "/parcels/{number}", AT_C, parcel_no("p_c"), not_found="parcel_not_found",
        **PARCEL),
    Row("pay a parcel at A", "POST", "/parcels/{number}/pay", AT_A, parcel_no("unpaid_a"),
        body=lambda w, p: {"method": "cash"}, not_found="parcel_not_found", **PARCEL,
        check=lambda w, p, b: b["state"] == "accepted" or pytest.fail(b)),
    Row("a parcel's label", "GET", "/parcels/{number}/label.pdf", AT_A, parcel_no("p_a"),
        not_found="parcel_not_found", **PARCEL),
    Row("scan a parcel at A", "POST", "/parcels/{number}/scans", CREATED_AT_A, parcel_no("p_a"),
        body=lambda w, p: {"outlet_id": w.a.pk, "kind": "dispatched"}, not_found="outlet_not_found", **PARCEL),
    Row("scan a parcel at C", "POST", "/parcels/{number}/scans", CREATED_AT_C, parcel_no("p_a"),
        body=lambda w, p: {"outlet_id": w.c.pk, "kind": "in_transit"}, not_found="outlet_not_found", **PARCEL),
    Row("collect a parcel at B", "POST", "/parcels/collect", AT_SH_REGION, not_found="outlet_not_found",
        body=lambda w, p: {"outlet_id": w.b.pk, "number": w.held_b, "code": w.held_b_code}, **PARCEL,
        check=lambda w, p, b: b["state"] == "collected" or pytest.fail(b)),
    Row("track a parcel", "GET", "/parcels/track", ALL_OK, query=lambda w: {"number": w.held_b}, public=True,
        **PARCEL, check=check_tracked),
    Row("a carrier's webhook", "POST", "/parcels/webhooks/{carrier}", ALL_OK, lambda w: {"carrier": "sbx-carrier"},
        public=True, raw=lambda w: w.webhook_a, **PARCEL,
        check=lambda w, p, b: (b["applied"], b["moved"]) == (1, 1) or pytest.fail(b)),
    Row("my parcels", "GET", "/parcels/me", SHOPPER_ONLY, codes={"403": "not_member"}, **PARCEL,
        check=lambda w, p, b: {x["number"] for x in b} == {w.p_a, w.p_c, w.held_b} or pytest.fail(b)),
    Row("void a parcel at A", "POST", "/parcels/{number}/void", AT_A, parcel_no("p_a"),
        body=lambda w, p: {"reason": "寄件人取消"}, not_found="parcel_not_found", **PARCEL,
        check=lambda w, p, b: b["state"] == "voided" or pytest.fail(b)),
    Row("the parcel rates", "GET", "/parcels/rates", STAFF_OK,
        check=lambda w, p, b: len(b["steps"]) == 10 or pytest.fail(b)),
    Row("set the parcel rates", "PUT", "/parcels/rates", "200 403 403 403 403 403 403",
        body=lambda w, p: rates_body(w), check=lambda w, p, b: b["zones"][0]["zone"] == "local" or pytest.fail(b)),
]  # fmt: skip


def virtual_top_up(w: World) -> None:
    """A top-up sold at A's counter, paid, taken by the sandbox carrier and credited: its signed
    callback ready to deliver (a fresh nonce for each persona: ``callback_v``)."""
    from omnipoint.members.selectors import actor_for_user
    from omnipoint.orders.services import LineRequest, order_place
    from omnipoint.outlets.domain import SYSTEM
    from omnipoint.outlets.selectors import actor_get
    from omnipoint.payments.services import payment_capture
    from omnipoint.testing import services_and_virtual, user_of
    from omnipoint.virtuals import sandbox as virtual_sandbox
    from omnipoint.virtuals.models import VirtualFulfilment
    from omnipoint.virtuals.services import virtual_send

    _, topup = services_and_virtual(w.net)
    clerk = user_of("outlet_clerk")
    order = order_place(actor=actor_for_user(user=clerk), channel="pos", method="counter",
                        payment_mode="counter", origin_outlet_id=w.a.pk,
                        lines=[LineRequest(sku_id=topup.pk, quantity=1, target="13900139005")])  # fmt: skip
    payment_capture(actor=actor_get(user=clerk), order_id=order.pk, method="cash")
    row = VirtualFulfilment.objects.get()
    virtual_send(actor=SYSTEM, fulfilment_id=row.pk)
    settled = virtual_sandbox.topup_settle(merchant_ref=row.merchant_ref)
    w.objects["callback_v"] = lambda: virtual_sandbox.callback_build(settled)


ROWS += [
    Row("a virtual item provider's callback", "POST", "/virtuals/callback/{provider}", ALL_OK,
        lambda w: {"provider": "sandbox"}, public=True, setup=virtual_top_up, raw=lambda w: w.callback_v(),
        check=lambda w, p, b: b["outcome"] == "fulfilled" or pytest.fail(b)),
]  # fmt: skip


# --- the dashboards' work tiles: the open reconciliation differences to those who read the books
# (finance.close and up), at their node; the overdue tickets to the ticket desk (api_world: one
# lost notification, of an order picked up at A) ------------------------------------------------

PENDING = {"hq_admin": 1, "province_manager": 1, "city_manager": 1, "outlet_manager": 1}


def check_work_tiles(w, persona, body):
    assert body["tiles"]["pending_differences"] == PENDING.get(persona), body["tiles"]
    assert body["differences"] is None or body["differences"]["lost_notification"] == PENDING[persona]
    assert body["tiles"]["overdue_tickets"] == 0 and body["overdue"]["open"] == 0, body["overdue"]


ROWS += [
    Row("my dashboard's work", "GET", "/dashboards", STAFF_OK, **RECON, check=check_work_tiles),
    Row("the work at C", "GET", "/dashboards", "200 404 404 404 404 200 403", **RECON, query=node_at("c"),
        not_found="node_not_found",
        check=lambda w, p, b: b["tiles"]["pending_differences"] in (0, None) or pytest.fail(str(b["tiles"]))),
]  # fmt: skip


# --- reconciliation: matching a day again, finance at HQ --------------------------------------

ROWS += [
    Row("match a day again", "POST", "/reconciliation/runs/{day}/rematch", FINANCE, recon_day("recon_day"), **RECON,
        check=lambda w, p, b: b["rematched_at"] and b["matched"] == 1 or pytest.fail(str(b))),
    Row("match a day never imported", "POST", "/reconciliation/runs/{day}/rematch", FINANCE.replace("200", "404"),
        recon_day("recon_open_day"), **RECON, not_found="run_not_found"),
]  # fmt: skip


# --- settlement: the parties and their rates; finance (city and up) adds and edits them, at its
# node (build_parties: build_settlement's supplier at Shanghai with an appliances rate, the agent
# point B, the franchise store C) ------------------------------------------------------------


PARTY = {"setup": build_parties, "not_found": "party_not_found"}
gree = lambda: Supplier.objects.get(name="格力电器").pk  # noqa: E731
party_of = lambda name: lambda w: {"party_id": getattr(w, name)}  # noqa: E731
rate_of = lambda name: lambda w: {"party_id": getattr(w, name), "category_id": w.appliances}  # noqa: E731

ROWS += [
    Row("the party of Shanghai", "GET", "/settlement/parties/{party_id}", "200 200 404 404 403 403 403",
        party_of("party_sh"), **PARTY,
        check=lambda w, p, b: [r["rate"] for r in b["rates"]] == ["0.1800"] or pytest.fail(str(b))),
    Row("the party at B", "GET", "/settlement/parties/{party_id}", "200 200 200 404 403 403 403",
        party_of("party_b"), **PARTY),
    Row("add an agent at A", "POST", "/settlement/parties", created(SETTLERS), setup=build_parties,
        body=lambda w, p: {"kind": "agent", "outlet_id": w.a.pk},
        check=lambda w, p, b: b["kind"] == "agent" and b["outlet_id"] == w.a.pk or pytest.fail(str(b))),
    Row("add a clerk as a salesperson", "POST", "/settlement/parties", "404 404 404 403 403 403 403",
        setup=build_parties, body=lambda w, p: {"kind": "salesperson", "staff_id": w.net.staff["outlet_clerk"].pk},
        not_found="staff_not_found"),
    Row("add a supplier for Nanjing", "POST", "/settlement/parties", "201 404 404 403 403 403 403",
        setup=build_parties, body=lambda w, p: {"kind": "supplier", "supplier_id": gree(), "region_code": "320100",
                                                "rate": "0.2"}, not_found="node_not_found"),
    Row("edit the party at B", "PATCH", "/settlement/parties/{party_id}", SETTLERS, party_of("party_b"), **PARTY,
        body=lambda w, p: {"name": f"代理点 {p}"}),
    Row("edit the party at C", "PATCH", "/settlement/parties/{party_id}", "200 404 404 403 403 403 403",
        party_of("party_c"), **PARTY, body=lambda w, p: {"rate": "0.12", "cycle": "week"}),
    Row("rate Shanghai's appliances", "PUT", "/settlement/parties/{party_id}/rates/{category_id}",
        "200 200 404 403 403 403 403", rate_of("party_sh"), **PARTY, body=lambda w, p: {"rate": "0.15"}),
    Row("unrate Shanghai's appliances", "DELETE", "/settlement/parties/{party_id}/rates/{category_id}",
        "200 200 404 403 403 403 403", rate_of("party_sh"), **PARTY,
        check=lambda w, p, b: b["rates"] == [] or pytest.fail(str(b))),
]  # fmt: skip


# --- settlement's long runs on the task queue: anyone reading the statements queues a file of one
# they see, finance a period; a job is its starter's alone (build_jobs: hq_admin's) -------------

JOBS = {"setup": build_jobs, "not_found": "job_not_found"}
job_of = lambda name: lambda w: {"job_id": getattr(w, name)}  # noqa: E731

ROWS += [
    Row("queue B's statement as CSV", "POST", "/settlement/jobs", "201 201 201 404 403 403 403", setup=build_jobs,
        body=lambda w, p: {"kind": "export", "statement_id": w.st_b, "fmt": "csv"}, not_found="statement_not_found",
        check=lambda w, p, b: b["state"] == "queued" and b["file_url"] is None or pytest.fail(str(b))),
    Row("queue a period", "POST", "/settlement/jobs", created(SETTLERS), setup=build_jobs,
        body=lambda w, p: {"kind": "generate", "period": w.period_new}),
    Row("a job done", "GET", "/settlement/jobs/{job_id}", "200 404 404 404 404 404 403", job_of("job_done"), **JOBS,
        check=lambda w, p, b: b["state"] == "done" and b["file_url"] or pytest.fail(str(b))),
    Row("a done job's file", "GET", "/settlement/jobs/{job_id}/file", "200 404 404 404 404 404 403",
        job_of("job_done"), **JOBS),
    Row("a queued job's file", "GET", "/settlement/jobs/{job_id}/file", "409 404 404 404 404 404 403",
        job_of("job_queued"), **JOBS, codes={"409": "job_not_done"}),
]  # fmt: skip


def send(client, row: Row, w: World, persona: str | None, headers: dict[str, str]):
    url = V1 + row.path.format(**row.params(w))
    if row.method == "GET":
        return client.get(url, row.query(w) if row.query else {}, **headers)
    if row.raw:
        data, extra = row.raw(w)
        meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in extra.items() if k != "Content-Type"}
        content_type = extra.get("Content-Type", "application/json")
        return client.generic(row.method, url, data, content_type, **headers, **meta)
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
        assert len(row.expect.split()) in (len(PERSONAS), len(PERSONAS) + len(EXTRA)), row.name
    names = [r.name for r in ROWS]
    assert len(names) == len(set(names)), "row names are test ids: keep them unique"


# Operations anyone may call without logging in, on purpose: signing in (staff and members),
# order tracking by number and mobile (what a guest has), the payment provider's notification
# (signed by the provider, not logged in), a salesperson's public showroom page and "where is
# it" near a point (the storefront shows it to anyone).
PUBLIC = {
    ("GET", "/inventory/nearby"),
    ("POST", "/auth/token"),
    ("GET", "/health/live"),  # probes: a load balancer has no login
    ("GET", "/health/ready"),
    ("POST", "/members/login/code"),
    ("POST", "/members/login"),
    ("GET", "/orders/track"),
    ("POST", "/payments/notify/{provider}"),
    ("POST", "/bills/callback/{biller}"),  # signed by the biller
    ("GET", "/parcels/track"),  # anyone tracks a parcel by its number (masked)
    ("POST", "/parcels/webhooks/{carrier}"),  # signed by the carrier
    ("POST", "/virtuals/callback/{provider}"),  # signed by the provider
    ("GET", "/showrooms/{code}"),
}


def test_public_operations_are_public_on_purpose():
    from omnipoint.config.api import api

    open_ops = {
        (method.upper(), path.removeprefix(V1))
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method, operation in operations.items()
        if not operation.get("security")
    }
    assert open_ops == PUBLIC
    assert {(r.method, r.path) for r in ROWS if r.public} == PUBLIC


def persona_answers(client, w: World, member_headers, row: Row, persona: str, before) -> None:
    headers = member_headers if persona == "member" else w.net.auth(persona)
    expected = row.status(persona)
    resp = send(client, row, w, persona, {} if row.public else headers)
    after = snapshot()
    if expected >= 400:
        assert_error(resp, expected, row.code(persona, expected))
        assert after == before, "a refused request changed the database"
        return
    assert resp.status_code == expected, (resp.status_code, resp.content[:400])
    is_write = row.method != "GET"  # issuing or revoking a token is a write too
    assert (after != before) == is_write, "reads change nothing; accepted writes change something"
    if row.check:
        row.check(w, persona, resp.json() if resp.content else None)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_persona_stays_in_their_node(client, world, member_headers, row):
    """Each persona in turn, from the same database: each request runs in a savepoint that is
    rolled back after it (one world per row keeps the run short)."""
    if row.shop:
        build_shop(world)
    if row.setup:
        row.setup(world)
    before = snapshot()
    failures = []
    for persona in row.personas:
        with transaction.atomic():
            try:
                persona_answers(client, world, member_headers, row, persona, before)
            except AssertionError as exc:
                failures.append(f"{persona}: {exc}")
            transaction.set_rollback(True)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "row",
    list({(r.method, r.path): r for r in ROWS if not r.public}.values()),
    ids=lambda r: f"{r.method} {r.path}",
)
def test_unauthenticated_is_401(client, world, row):
    if row.shop:
        build_shop(world)
    if row.setup:
        row.setup(world)
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


# --- flash sales: set up by flash.sale over the outlets given; claimed by members ------------------

FLASH = {"setup": build_flash}
FLASH_CLAIM = {"setup": build_flash_claim}
SH_MANAGERS = "200 200 200 403 403 403 403"  # flash.sale over Shanghai


def flash_body(outlet: str):
    return lambda w, p: {
        "name": f"秒杀 {p}", "sku_id": w.skus[2].pk, "sources": [{"outlet_id": getattr(w, outlet).pk, "quantity": 2}],
        "starts_at": timezone.now().isoformat(), "ends_at": (timezone.now() + timedelta(hours=1)).isoformat(),
        "per_member_limit": 1,
    }  # fmt: skip


ROWS += [
    Row("set a flash sale aside at A", "POST", "/flash/sales", "201 201 201 403 403 404 403",
        body=flash_body("a"), not_found="location_not_found",
        check=lambda w, p, b: (b["pooled"], b["available"]) == (2, 2) or pytest.fail(b)),
    Row("set a flash sale aside at C", "POST", "/flash/sales", "201 404 404 404 404 403 403",
        body=flash_body("c"), not_found="location_not_found"),
    Row("flash sales", "GET", "/flash/sales", SH_MANAGERS, **FLASH,
        check=lambda w, p, b: len(b) == (2 if p == "hq_admin" else 1) or pytest.fail(b)),
    Row("a Shanghai flash sale", "GET", "/flash/sales/{sale_id}", SH_MANAGERS, id_of("flash_sh", "sale_id"),
        **FLASH),
    Row("a Nanjing flash sale", "GET", "/flash/sales/{sale_id}", "200 404 404 403 403 403 403",
        id_of("flash_nj", "sale_id"), not_found="sale_not_found", **FLASH),
    Row("end a Shanghai flash sale", "POST", "/flash/sales/{sale_id}/end", SH_MANAGERS, id_of("flash_sh", "sale_id"),
        **FLASH, check=lambda w, p, b: (b["state"], b["on_hand"]) == ("closed", 0) or pytest.fail(b)),
    Row("end a Nanjing flash sale", "POST", "/flash/sales/{sale_id}/end", "200 404 404 403 403 403 403",
        id_of("flash_nj", "sale_id"), not_found="sale_not_found", **FLASH),
    Row("claim in a flash sale", "POST", "/flash/sales/{sale_id}/claims", created(SHOPPER_ONLY),
        id_of("flash_sh", "sale_id"), body=lambda w, p: {"quantity": 1}, codes=NOT_MEMBER, **FLASH),
    Row("where I stand in a flash sale", "GET", "/flash/sales/{sale_id}/standing", SHOPPER_ONLY,
        id_of("flash_sh", "sale_id"), codes=NOT_MEMBER, **FLASH_CLAIM,
        check=lambda w, p, b: b["stand"] == "claimed" or pytest.fail(b)),
    Row("check a flash claim out", "POST", "/flash/claims/{claim_id}/order", created(SHOPPER_ONLY),
        id_of("flash_claim", "claim_id"), body=lambda w, p: {"pickup_outlet_id": w.b.pk}, codes=NOT_MEMBER,
        **FLASH_CLAIM, check=lambda w, p, b: b["state"] == "pending" or pytest.fail(b)),
]  # fmt: skip


# --- appointments' materials: a member sends the files of their own booking; its member and the
# staff whose scope covers its outlet read them; the desk (appointment.desk) checks them. See
# omnipoint.appointments.tests.world (ap_up_a: the shopper's ID card at A, ap_up_c: at C).


def ap_file(name: str = "id.jpg"):
    from omnipoint.appointments.tests.world import JPEG

    return lambda w: multipart(JPEG, name)


def ap_upload(booking: str, upload: str):
    return lambda w: {"booking_id": getattr(w, booking), "upload_id": getattr(w, upload)}


def check_ap_materials(w, persona, body):
    assert [(m["code"], m["status"]) for m in body] == [("id_card", "pending"), ("photo", "missing")], body


ROWS += [
    Row("materials of a booking at A", "GET", "/appointments/bookings/{booking_id}/materials",
        "200 200 200 200 200 404 403 200 200", ap_id("ap_bk_a", "booking_id"), **APPT, not_found="booking_not_found",
        codes=NOT_MEMBER9, check=check_ap_materials),
    Row("materials of a booking at C", "GET", "/appointments/bookings/{booking_id}/materials",
        "200 404 404 404 404 200 403 404 404", ap_id("ap_bk_c", "booking_id"), **APPT, not_found="booking_not_found",
        codes=NOT_MEMBER9),
    Row("send a file for my booking at A", "POST", "/appointments/bookings/{booking_id}/materials/{item}/uploads",
        "403 403 403 403 403 403 403 201 403", lambda w: {"booking_id": w.ap_bk_a, "item": "photo"}, **APPT,
        raw=ap_file(), codes={"403": "not_member"},
        check=lambda w, p, b: (b["item"], b["version"], b["content_type"]) == ("photo", 1, "image/jpeg") or pytest.fail(b)),
    Row("send a file for someone's booking at C", "POST", "/appointments/bookings/{booking_id}/materials/{item}/uploads",
        "403 403 403 403 403 403 403 404 403", lambda w: {"booking_id": w.ap_bk_c, "item": "photo"}, **APPT,
        raw=ap_file(), not_found="booking_not_found", codes={"403": "not_member"}),
    Row("check a file at A", "POST", "/appointments/bookings/{booking_id}/materials/{item}/review", AT_A_DESK,
        lambda w: {"booking_id": w.ap_bk_a, "item": "id_card"}, **APPT, not_found="booking_not_found",
        body=lambda w, p: {"decision": "rejected", "reason": "照片模糊", "upload_id": w.ap_up_a},
        check=lambda w, p, b: (b["status"], b["review"]["reviewed_by"]) == ("rejected", p) or pytest.fail(b)),
    Row("check a file at C", "POST", "/appointments/bookings/{booking_id}/materials/{item}/review", AT_C_DESK,
        lambda w: {"booking_id": w.ap_bk_c, "item": "id_card"}, **APPT, not_found="booking_not_found",
        body=lambda w, p: {"decision": "accepted"}),
    Row("a file sent at A", "GET", "/appointments/bookings/{booking_id}/uploads/{upload_id}",
        "200 200 200 200 200 404 403 200 200", ap_upload("ap_bk_a", "ap_up_a"), **APPT, not_found="booking_not_found",
        codes=NOT_MEMBER9),
    Row("a file sent at C", "GET", "/appointments/bookings/{booking_id}/uploads/{upload_id}",
        "200 404 404 404 404 200 403 404 404", ap_upload("ap_bk_c", "ap_up_c"), **APPT, not_found="booking_not_found",
        codes=NOT_MEMBER9),
]  # fmt: skip


# --- a member's own bills online: the shopper pays and sees only their own -----------------


def build_member_bills(w: World) -> None:
    """On top of the shop: a bill the shopper paid in cash at A (my_bill), one they are paying
    online, paid at the gateway but not yet notified (my_online), the Nanjing member's bill paid
    at C (nj_bill), and an account with a bill due for the shopper to pay (acct_mine)."""
    if "my_bill" in w.objects:
        return
    from omnipoint.billpay import services as billpay
    from omnipoint.billpay.billers import biller_get
    from omnipoint.members.models import Member
    from omnipoint.members.selectors import member_actor
    from omnipoint.outlets.domain import SYSTEM
    from omnipoint.payments.sandbox import charge_pay

    power, o = biller_get(POWER), w.objects
    due = lambda i: (power.account(i), power.lookup(power.account(i)).amount)  # noqa: E731
    for name, outlet, i, mobile in (
        ("my_bill", w.a, 40, SHOPPER_MOBILE),
        ("nj_bill", w.c, 41, NANJING_MOBILE),
    ):
        account, amount = due(i)
        o[name] = billpay.bill_pay(actor=SYSTEM, outlet_id=outlet.pk, biller=POWER, account=account,
                                   amount=amount, mobile=mobile).number  # fmt: skip
    account, amount = due(42)
    online = billpay.bill_pay_gateway(actor=member_actor(Member.objects.get(pk=w.shopper)), biller=POWER,
                                      account=account, amount=amount)  # fmt: skip
    charge_pay(ref=online.gateway_ref)
    o["my_online"] = online.number
    o["acct_mine"], o["amount_mine"] = due(43)


MINE = {"setup": build_member_bills, "codes": NOT_MEMBER}
NOT_THEIRS = "403 403 403 403 403 403 403 404 403"


def check_my_bills(w, persona, body):
    numbers = {p["number"] for p in body}
    assert {w.my_bill, w.my_online} <= numbers and w.nj_bill not in numbers, body


ROWS += [
    Row("my bills", "GET", "/bills/me/payments", SHOPPER_ONLY, **MINE, check=check_my_bills),
    Row("my saved accounts", "GET", "/bills/me/accounts", SHOPPER_ONLY, **MINE,
        check=lambda w, p, b: w.my_bill in {a["last_paid"]["number"] for a in b} or pytest.fail(b)),
    Row("a bill of mine", "GET", "/bills/me/payments/{number}", SHOPPER_ONLY, lambda w: {"number": w.my_bill},
        **MINE, not_found="payment_not_found"),
    Row("another member's bill", "GET", "/bills/me/payments/{number}", NOT_THEIRS,
        lambda w: {"number": w.nj_bill}, **MINE, not_found="payment_not_found"),
    Row("pay my bill online", "POST", "/bills/me/payments", SHOPPER_ONLY.replace("200", "201"), **MINE,
        body=lambda w, p: {"biller": POWER, "account": w.acct_mine, "amount": w.amount_mine, "tender": "online"},
        check=lambda w, p, b: (b["state"], b["mode"]) == ("awaiting", "member_online") and b["pay_url"]
        or pytest.fail(b)),
    Row("back from the gateway", "POST", "/bills/me/payments/{number}/sync", SHOPPER_ONLY,
        lambda w: {"number": w.my_online}, **MINE, not_found="payment_not_found",
        check=lambda w, p, b: b["state"] != "awaiting" or pytest.fail(b)),
    Row("another member's bill synced", "POST", "/bills/me/payments/{number}/sync", NOT_THEIRS,
        lambda w: {"number": w.nj_bill}, **MINE, not_found="payment_not_found"),
]  # fmt: skip
