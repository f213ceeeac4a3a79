"""Idempotency keys (core.idempotency.claim): the claim, the work and the answer commit together.

What a dead worker would leave is built here directly (a worker killed with SIGKILL is in
tests/concurrency/test_worker_kill.py): the earlier scheme committed the claim before the work,
so a retry after a crash got 409 ``idempotency_in_progress`` for good.
"""

import hashlib
import json

import pytest
from django.db import transaction

from omnipoint.core import idempotency
from omnipoint.core.models import IdempotencyRecord
from omnipoint.orders.models import Order
from omnipoint.outlets.models import Outlet

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


def order(w) -> dict:
    return {
        "channel": "hotline",
        "method": "pickup",
        "payment_mode": "at_outlet",
        "pickup_outlet_id": w.a.pk,
        "mobile": "13700000001",
        "lines": [{"sku_id": w.skus[2].pk, "quantity": 1}],
    }


def test_a_key_left_claimed_by_a_dead_worker_is_run_again(client, world):
    auth = world.net.auth("outlet_clerk")
    body = json.dumps(order(world))
    IdempotencyRecord.objects.create(  # the claim of the same request, whose worker died
        client=hashlib.sha256(auth["HTTP_AUTHORIZATION"].encode()).hexdigest(),
        key="k-1",
        method="POST",
        path=f"{V1}/orders",
        request_hash=hashlib.sha256(f"POST{V1}/orders{body}".encode()).hexdigest(),
    )
    headers = auth | {"HTTP_IDEMPOTENCY_KEY": "k-1"}
    first = client.post(f"{V1}/orders", body, "application/json", **headers)
    assert first.status_code == 201, first.content
    again = client.post(f"{V1}/orders", body, "application/json", **headers)
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert Order.objects.count() == 1


def claim(key: str = "k"):  # type: ignore[no-untyped-def]
    return idempotency.claim(client="c", key=key, fingerprint="f", method="POST", path="/p")


def test_work_that_fails_leaves_neither_its_writes_nor_the_claim(world):
    with pytest.raises(RuntimeError), claim() as held:
        assert held.first is None
        Outlet.objects.filter(pk=world.a.pk).update(name="renamed")
        raise RuntimeError("the worker fails mid-request")
    assert not IdempotencyRecord.objects.exists()
    assert Outlet.objects.get(pk=world.a.pk).name != "renamed"

    with claim() as held:  # a server error answers, and undoes both
        Outlet.objects.filter(pk=world.a.pk).update(name="renamed")
        held.undo()
    assert not IdempotencyRecord.objects.exists()
    assert Outlet.objects.get(pk=world.a.pk).name != "renamed"


def test_the_answer_commits_with_the_work_and_is_replayed(world):
    with transaction.atomic(), claim() as held:
        Outlet.objects.filter(pk=world.a.pk).update(name="renamed")
        held.finish(idempotency.Answer(201, "text/plain", b"done"))
    with claim() as again:
        assert again.first == idempotency.Answer(201, "text/plain", b"done")
    with pytest.raises(idempotency.KeyReusedError):
        with idempotency.claim(client="c", key="k", fingerprint="other", method="POST", path="/p"):
            pass
    with claim("other") as other:
        assert other.first is None  # left without an answer: the key stays free
    assert list(IdempotencyRecord.objects.values_list("key", "status")) == [("k", 201)]
