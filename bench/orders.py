"""Orders placed per second, end to end over HTTP, and the SQL statements of one placement.

The real application is served by gunicorn (the production server: several worker processes,
``DEBUG=0``, persistent database connections) on 127.0.0.1 and a free port. ``clients`` threads,
each a storefront member with its own API token and its own keep-alive HTTP connection, POST
``/api/v1/orders`` in a loop for a fixed time: channel web, pickup at a random outlet of the
bench network, paid online or at the outlet, 1-3 random lines of one unit, a fresh
``Idempotency-Key`` each. Each order is priced, routed, reserved and recorded exactly as on the
storefront. Afterwards ``inventory_breaches()`` must be empty.

The bench network (outlets ``BO-*`` in Shanghai, SKUs ``BO-SKU-*`` with a national price, a
million units of each at each outlet, received through the stock service so the books hold) is
built once and reused.
"""

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench.clients import Answers, Request, cpu_by_pid, cpu_spent, drive, postgres_pids
from bench.server import Gunicorn
from bench.stats import percentile

if TYPE_CHECKING:
    from django.test import Client, override_settings

TAG = "BO"
OUTLETS = 20
SKUS = 30
STOCK = 1_000_000
MEMBERS = 64
MEMBER_OPEN_UNITS = 10**9  # each bench member places thousands of orders: no anti-hoarding limit


@dataclass
class OrdersNetwork:
    outlet_ids: list[int]
    sku_ids: list[int]
    tokens: list[str]  # one per member; a client uses one member


def network_ensure(*, outlets: int = OUTLETS, skus: int = SKUS, members: int = MEMBERS) -> OrdersNetwork:
    """Outlets, SKUs, stock and members for the order benchmark, created when missing."""
    from django.contrib.auth import get_user_model

    from omnipoint.catalog.models import Category, PriceList, PriceListItem, Product, Sku
    from omnipoint.core.models import ApiToken
    from omnipoint.inventory.models import StockLevel
    from omnipoint.inventory.services import stock_receive
    from omnipoint.members.services import member_get_or_create
    from omnipoint.outlets.domain import SYSTEM
    from omnipoint.outlets.models import Outlet, OutletKind, Region

    districts = list(Region.objects.filter(level="district", path__startswith="/31/").order_by("code"))
    for i in range(outlets):
        d = districts[i % len(districts)]
        Outlet.objects.get_or_create(
            code=f"{TAG}-{i:03d}",
            defaults={
                "name": f"Bench pickup outlet {i}",
                "kind": OutletKind.SELF_OPERATED,
                "region": d,
                "region_path": d.path,
                "lat": d.lat + 0.001 * (i // len(districts)),
                "lng": d.lng,
                "pickup_point": True,
            },
        )
    category, _ = Category.objects.get_or_create(code="bench", defaults={"name": "Benchmark"})
    product, _ = Product.objects.get_or_create(
        code="BENCH-P", defaults={"name": "Benchmark product", "category": category}
    )
    national, _ = PriceList.objects.get_or_create(name="Bench national", region=None)
    for n in range(skus):
        sku, _ = Sku.objects.get_or_create(code=f"{TAG}-SKU-{n:03d}", defaults={"product": product})
        PriceListItem.objects.get_or_create(
            price_list=national, sku=sku, defaults={"amount": (n + 1) * 10_00}
        )
    outlet_ids = list(
        Outlet.objects.filter(code__startswith=f"{TAG}-").order_by("code").values_list("pk", flat=True)
    )[:outlets]
    sku_ids = list(
        Sku.objects.filter(code__startswith=f"{TAG}-SKU-").order_by("code").values_list("pk", flat=True)
    )[:skus]
    stocked = set(
        StockLevel.objects.filter(
            location_id__in=outlet_ids, sku_id__in=sku_ids, on_hand__gte=STOCK // 2
        ).values_list("location_id", "sku_id")
    )
    for location_id in outlet_ids:
        for sku_id in sku_ids:
            if (location_id, sku_id) not in stocked:
                stock_receive(
                    actor=SYSTEM, location_id=location_id, sku_id=sku_id, quantity=STOCK, reference="bench"
                )
    users = get_user_model().objects
    ApiToken.objects.filter(user__username__startswith="bench-member-", name="bench").delete()
    tokens = []
    for m in range(members):
        user, created = users.get_or_create(username=f"bench-member-{m:03d}")
        if created:
            user.set_unusable_password()
            user.save()
        member = member_get_or_create(actor=SYSTEM, mobile=f"1390000{m:04d}", name=f"Bench member {m}")
        if member.user_id != user.pk:
            member.user = user
            member.save(update_fields=["user"])
        tokens.append(ApiToken.issue(user, name="bench"))
    return OrdersNetwork(outlet_ids, sku_ids, tokens)


def order_body(net: OrdersNetwork, rng: random.Random) -> dict:
    return {
        "channel": "web",
        "method": "pickup",
        "payment_mode": rng.choice(["online", "at_outlet"]),
        "pickup_outlet_id": rng.choice(net.outlet_ids),
        "lines": [{"sku_id": s, "quantity": 1} for s in rng.sample(net.sku_ids, rng.randint(1, 3))],
    }


# --- SQL statements of one placement ----------------------------------------------------------


def in_process_client() -> "Client":
    """Django's test client; place orders with it inside ``as_the_server()``."""
    from django.conf import settings
    from django.test import Client

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    return Client()


def as_the_server() -> "override_settings":
    """This process's settings as the bench server's are, for the block (restored after it, so
    a test that counts statements leaves the anti-hoarding limit to the tests after it)."""
    from django.test import override_settings

    return override_settings(MEMBER_MAX_OPEN_UNITS_PER_SKU=MEMBER_OPEN_UNITS)


def statements_per_order(net: OrdersNetwork) -> int:
    """Place one order of three lines through Django's test client (the whole request: auth,
    idempotency, pricing, routing, reservations, response) and count its SQL statements, with
    what rarely changes cached (``core.cached``) by an order placed just before, as on a
    server that has been up for a moment."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    body = order_body(net, random.Random(1)) | {
        "lines": [{"sku_id": s, "quantity": 1} for s in net.sku_ids[:3]],
        "payment_mode": "online",
    }
    client = in_process_client()

    def place() -> None:
        headers = {
            "Authorization": f"Bearer {net.tokens[0]}",
            "Idempotency-Key": f"bench-count-{time.time_ns()}",
        }
        r = client.post("/api/v1/orders", json.dumps(body), content_type="application/json", headers=headers)
        if r.status_code != 201:
            raise RuntimeError(f"order placement failed: {r.status_code} {r.content[:200]!r}")

    with as_the_server():
        place()  # the warm-up
        connection.queries_log.clear()  # a full log (DEBUG on) would hide what this request adds
        with CaptureQueriesContext(connection) as ctx:
            place()
    return len(ctx.captured_queries)


def cpu_in_process(net: OrdersNetwork, *, orders: int = 400, warmup: int = 30) -> tuple[float, float, float]:
    """One client placing ``orders`` orders one after another through Django's test client (the
    whole request, as a worker runs it, without gunicorn and HTTP): the CPU ms per order of this
    process and of its PostgreSQL backend, and the wall ms per order. Nothing waits in a queue,
    so on a busy machine this moves far less than the figures over HTTP."""
    from django.db import connection

    rng, client = random.Random(7), in_process_client()

    def place(n: int) -> None:
        body = order_body(net, rng) | {"payment_mode": "online"}
        token = net.tokens[n % len(net.tokens)]
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"bench-cpu-{time.time_ns()}"}
        r = client.post("/api/v1/orders", json.dumps(body), content_type="application/json", headers=headers)
        if r.status_code != 201:
            raise RuntimeError(f"order placement failed: {r.status_code} {r.content[:200]!r}")

    with as_the_server():
        for n in range(warmup):
            place(n)
        backend = []
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                backend = [cur.fetchone()[0]]
        py0, pg0, wall0 = time.process_time(), cpu_by_pid(backend), time.perf_counter()
        for n in range(orders):
            place(n)
        py1, pg1, wall1 = time.process_time(), cpu_by_pid(backend), time.perf_counter()
    return 1000 * (py1 - py0) / orders, 1000 * cpu_spent(pg0, pg1) / orders, 1000 * (wall1 - wall0) / orders


# --- over HTTP --------------------------------------------------------------------------------


class Server(Gunicorn):
    """gunicorn serving the application against the bench database, stopped on exit."""

    def __init__(self, database_url: str, *, workers: int, threads: int = 1, binding: str = "") -> None:
        """``binding``: "" (psycopg binds the parameters in the client, Django's default), "server"
        (server-side binding) or "prepared" (server-side binding, each statement prepared once a
        connection has run it twice)."""
        env = {
            "CONN_MAX_AGE": "60",
            # Each bench member places thousands of orders: the anti-hoarding limit is not measured.
            "MEMBER_MAX_OPEN_UNITS_PER_SKU": str(MEMBER_OPEN_UNITS),
            "DATABASE_SERVER_SIDE_BINDING": "1" if binding else "0",
            "DATABASE_PREPARE_THRESHOLD": "2" if binding == "prepared" else "",
        }
        super().__init__(database_url, workers=workers, threads=threads, env=env)


def order_request(net: OrdersNetwork, body: Callable[[random.Random], dict] | None = None) -> Request:
    """Each client a member on its own token, a fresh ``Idempotency-Key`` each order."""
    rngs: dict[int, random.Random] = {}

    def request(c: int, n: int) -> tuple[str, str, bytes, dict[str, str]]:
        rng = rngs.setdefault(c, random.Random(f"{c}-{time.time_ns()}"))
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {net.tokens[c % len(net.tokens)]}",
            "Idempotency-Key": f"bench-{c}-{n}-{time.time_ns()}",
        }
        return (
            "POST",
            "/api/v1/orders",
            json.dumps((body or (lambda r: order_body(net, r)))(rng)).encode(),
            headers,
        )

    return request


def place_over_http(
    net: OrdersNetwork, port: int, *, clients: int, seconds: float, max_orders: int = 10**9
) -> Answers:
    """``clients`` threads, each a member on its own keep-alive connection, placing orders."""
    return drive(port, clients=clients, seconds=seconds, request=order_request(net), max_requests=max_orders)


def measured_over_http(server: Gunicorn, run: Callable[[], Answers]) -> Answers:
    """``run()``, with the CPU the server's workers and PostgreSQL spent on it, per answer done."""
    pids = server.worker_pids()
    before = cpu_by_pid(pids) | cpu_by_pid(postgres_pids())
    result = run()
    after = cpu_by_pid(pids) | cpu_by_pid(postgres_pids())
    if result.ok:
        result.cpu_ms = cpu_spent(before, after) * 1000 / result.ok
    return result


# --- the last units of one SKU, raced over HTTP -------------------------------------------------


def last_units_sku(net: OrdersNetwork, units: int) -> int:
    """A SKU of its own for this race, priced, with exactly ``units`` on hand at the first
    bench outlet and none anywhere else."""
    from omnipoint.catalog.models import PriceList, PriceListItem, Product, Sku
    from omnipoint.inventory.services import stock_receive
    from omnipoint.outlets.domain import SYSTEM

    sku = Sku.objects.create(code=f"{TAG}-LAST-{time.time_ns()}", product=Product.objects.get(code="BENCH-P"))
    PriceListItem.objects.create(
        price_list=PriceList.objects.get(name="Bench national"), sku=sku, amount=99_00
    )
    stock_receive(
        actor=SYSTEM, location_id=net.outlet_ids[0], sku_id=sku.pk, quantity=units, reference="bench"
    )
    return sku.pk


def last_units_race(net: OrdersNetwork, port: int, *, clients: int, units: int, seconds: float) -> Answers:
    """``clients`` members at once order one unit at a time of a SKU with ``units`` left, each
    until it is told the SKU is sold out: exactly ``units`` orders may succeed, every client
    ends refused, and the stock row holds exactly what was sold."""
    from omnipoint.inventory.checks import inventory_breaches
    from omnipoint.inventory.models import StockLevel
    from omnipoint.orders.models import OrderLine

    sku_id = last_units_sku(net, units)
    outlet_id = net.outlet_ids[0]
    order = order_request(net, lambda rng: {
        "channel": "web", "method": "pickup", "payment_mode": "online", "pickup_outlet_id": outlet_id,
        "lines": [{"sku_id": sku_id, "quantity": 1}],
    })  # fmt: skip
    result = drive(port, clients=clients, seconds=seconds, request=order, stop_on="409 insufficient_stock")
    sold = OrderLine.objects.filter(sku_id=sku_id).count()
    on_hand, reserved = (
        StockLevel.objects.filter(location_id=outlet_id, sku_id=sku_id)
        .values_list("on_hand", "reserved")
        .get()
    )
    breaches = inventory_breaches()
    refused = result.errors.get("409 insufficient_stock", 0)
    good = result.ok == sold == reserved == units == on_hand and refused == clients and not breaches
    result.check = "ok" if good else f"201s={result.ok}, lines={sold}, reserved={reserved}/{on_hand}"[:120]
    result.label = f"race for the last {units} units of one SKU"
    return result


def holds_sweep() -> None:
    """Run the payment timeout and the hold expiry for earlier runs' orders (the Huey consumer
    that runs them every minute is not running here), so check_inventory does not report holds
    kept past their expiry."""
    from omnipoint.inventory.services import reservations_expire
    from omnipoint.orders.services import orders_expire_unpaid
    from omnipoint.outlets.domain import SYSTEM

    while orders_expire_unpaid(actor=SYSTEM, batch=200):
        pass
    while reservations_expire(actor=SYSTEM, batch=500):
        pass
    statistics_refresh()


def statistics_refresh() -> None:
    """ANALYZE the tables every run grows: autovacuum lags on a busy machine, and with stale
    statistics the anti-hoarding count of a bench member's open orders (hundreds of them: they
    place thousands of orders) took a bad plan, 108 ms a placement instead of 5."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "ANALYZE orders_order, orders_orderline, inventory_reservation, inventory_reservationline"
        )


def rows(results: list[Answers]) -> list[list[object]]:
    return [
        [
            r.label or "place order over HTTP (POST /api/v1/orders)",
            r.server,
            r.clients,
            r.ok,
            f"{r.per_second:,.0f}/s",
            f"{percentile(r.latencies_ms, 50):.0f}",
            f"{percentile(r.latencies_ms, 99):.0f}",
            "" if r.cpu_ms is None else f"{r.cpu_ms:.1f}",
            r.errors_text(),
            r.check,
        ]
        for r in results
    ]


HEADER = [
    "benchmark", "server", "clients", "orders", "orders/s", "p50 ms", "p99 ms",
    "CPU ms/order (server + PostgreSQL)", "errors", "check",
]  # fmt: skip
