"""A web worker killed (SIGKILL) in the middle of idempotent requests, then the same keys retried:
every key answers, with the order that committed or a fresh run, never a duplicate.

Real processes: gunicorn serves the application against the test database (PostgreSQL, or the
SQLite test file) on a free loopback port, and its worker is killed with SIGKILL while requests
are in flight; the master starts a new one, which the retries reach. Each request names its key
in ``customer_name``, so the orders a key placed can be counted. Bounded: the server starts in
seconds and every wait has a deadline.
"""

import hashlib
import http.client
import json
import os
import random
import signal
import sqlite3
import threading
import time

import pytest
from bench import server as bench_server
from django.db import connection, connections

from omnipoint.inventory.services import stock_receive
from omnipoint.orders.models import Order
from omnipoint.outlets.domain import SYSTEM

pytestmark = pytest.mark.django_db(transaction=True)

DEADLINE_S = 60


class Gunicorn(bench_server.Gunicorn):
    """The test database's server, ready once it answers at all, with a long worker timeout: a
    worker is only ever ended here by SIGKILL."""

    def __init__(self, *, workers: int) -> None:
        super().__init__(
            bench_server.database_url(),
            workers=workers,
            timeout=120,
            ready_path="/api/v1/orders/track?number=0&mobile=0",
            any_answer=True,
        )

    def kill_a_worker(self) -> int:
        pid = random.choice(self.worker_pids())
        os.kill(pid, signal.SIGKILL)
        return pid

    def request(
        self, method: str, path: str, body: dict | None, headers: dict[str, str], *, timeout: float = 30
    ) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = json.dumps(body) if body is not None else None
            conn.request(method, path, data, {"Content-Type": "application/json", **headers})
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read() or b"null") | {
                "replayed": resp.getheader("Idempotent-Replayed")
            }
        finally:
            conn.close()


@pytest.fixture
def shopper(network):
    """The hotline clerk keying orders for customers (one member per key, so no per-member limit
    is in play)."""
    return {"Authorization": f"Bearer {network.tokens['outlet_clerk']}"}


def order_body(network, key: str) -> dict:
    return {
        "channel": "hotline",
        "method": "pickup",
        "payment_mode": "at_outlet",
        "pickup_outlet_id": network.a.pk,
        "mobile": f"139{int(hashlib.sha256(key.encode()).hexdigest(), 16) % 10**8:08d}",
        "customer_name": key,
        "lines": [{"sku_id": network.skus[0].pk, "quantity": 1}],
    }


def place_until_answered(server: Gunicorn, network, shopper, key: str) -> tuple[int, dict]:
    """A client that retries the same key until it gets an answer (not a dropped connection)."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        try:
            return server.request(
                "POST", "/api/v1/orders", order_body(network, key), shopper | {"Idempotency-Key": key}
            )
        except (OSError, http.client.HTTPException):
            assert time.monotonic() < deadline, f"{key}: no answer"
            time.sleep(0.1)


def assert_one_order_per_key(answers: dict[str, tuple[int, dict]]) -> None:
    for key, (status, body) in answers.items():
        assert status == 201, (key, status, body)
        placed = list(Order.objects.filter(customer_name=key).values_list("pk", flat=True))
        assert placed == [body["id"]], (key, placed, body)


@pytest.fixture
def server(network):
    stock_receive(actor=SYSTEM, location_id=network.a.pk, sku_id=network.skus[0].pk, quantity=100)
    s = Gunicorn(workers=2)
    try:
        yield s
    finally:
        s.stop()


def _hold_the_stock_row(network):  # type: ignore[no-untyped-def]
    """Block every checkout inside its transaction, after it has claimed its key and written its
    order, on the stock row it must reserve (PostgreSQL), or on the one write lock (SQLite)."""
    if connection.vendor == "sqlite":
        raw = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, timeout=30)
        raw.execute("BEGIN IMMEDIATE")
        return raw.rollback, lambda: time.sleep(1.0)
    locker = connections.create_connection("default")
    locker.set_autocommit(False)
    with locker.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM inventory_stocklevel WHERE location_id = %s AND sku_id = %s FOR UPDATE",
            [network.a.pk, network.skus[0].pk],
        )

    def blocked() -> None:  # wait until a checkout waits on the row lock
        deadline = time.monotonic() + DEADLINE_S
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    return
                assert time.monotonic() < deadline, "no checkout reached the stock row"
                time.sleep(0.05)

    def release() -> None:
        locker.rollback()
        locker.close()

    return release, blocked


def test_a_worker_killed_inside_the_transaction_leaves_its_key_free(server, network, shopper):
    """Killed after claiming the key and writing the order, before committing: the retry runs
    afresh (before the fix the claim had committed on its own: 409 idempotency_in_progress forever)."""
    release, blocked = _hold_the_stock_row(network)
    first: list[BaseException | tuple[int, dict]] = []

    def send() -> None:
        try:
            first.append(server.request("POST", "/api/v1/orders", order_body(network, "k-dead"),
                                        shopper | {"Idempotency-Key": "k-dead"}))  # fmt: skip
        except (OSError, http.client.HTTPException) as exc:
            first.append(exc)

    try:
        client = threading.Thread(target=send, daemon=True)
        client.start()
        blocked()
        for pid in server.worker_pids():  # whichever worker took it
            os.kill(pid, signal.SIGKILL)
        client.join(DEADLINE_S)
    finally:
        release()
    assert first and isinstance(first[0], BaseException), first  # the client lost its answer
    server.wait_ready()
    answers = {"k-dead": place_until_answered(server, network, shopper, "k-dead")}
    assert answers["k-dead"][1]["replayed"] is None  # a fresh run, not a replay of nothing
    assert_one_order_per_key(answers)
    again = place_until_answered(server, network, shopper, "k-dead")
    assert again[1]["replayed"] == "true" and again[1]["id"] == answers["k-dead"][1]["id"]


def test_workers_killed_at_random_moments_never_duplicate_an_order(server, network, shopper):
    """Kills land before, inside and after the commit of different requests: after retrying,
    each key has exactly one order and answers with it."""
    keys = [f"k-{i}" for i in range(16)]
    answers: dict[str, tuple[int, dict]] = {}
    lost: list[str] = []

    def client(mine: list[str]) -> None:
        for key in mine:
            try:
                server.request(
                    "POST", "/api/v1/orders", order_body(network, key), shopper | {"Idempotency-Key": key}
                )
            except (OSError, http.client.HTTPException):
                lost.append(key)

    clients = [threading.Thread(target=client, args=(keys[i::4],), daemon=True) for i in range(4)]
    for t in clients:
        t.start()
    rng = random.Random(7)
    for _ in range(4):
        time.sleep(rng.uniform(0.05, 0.4))
        server.kill_a_worker()
        time.sleep(0.3)
    for t in clients:
        t.join(DEADLINE_S)
    assert not any(t.is_alive() for t in clients)
    for key in keys:  # every client retries every key, answered or not
        answers[key] = place_until_answered(server, network, shopper, key)
    assert_one_order_per_key(answers)
    assert Order.objects.count() == len(keys)
