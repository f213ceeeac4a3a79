"""The clerk who keyed an order finds it again, wherever it goes.

Before: a hotline order keyed by the clerk at A for pickup at C (another city) without an origin
outlet touched nothing in the clerk's scope, so ``GET /orders/{id}`` answered 404 to the clerk
who had just keyed it, and it was missing from their list.
"""

import pytest

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


def test_the_clerk_who_keyed_a_hotline_order_sees_it(client, world):
    w = world
    body = {
        "channel": "hotline",
        "method": "pickup",
        "payment_mode": "at_outlet",
        "pickup_outlet_id": w.c.pk,
        "mobile": "13700000001",
        "lines": [{"sku_id": w.skus[0].pk, "quantity": 1}],
    }
    clerk = w.net.auth("outlet_clerk")
    placed = client.post(f"{V1}/orders", body, content_type="application/json", **clerk)
    assert placed.status_code == 201, placed.content
    order_id = placed.json()["id"]
    assert placed.json()["keyed_by_id"] is not None

    mine = client.get(f"{V1}/orders/{order_id}", **clerk)
    assert mine.status_code == 200 and mine.json()["id"] == order_id
    assert order_id in [o["id"] for o in client.get(f"{V1}/orders", **clerk).json()]
    # Staff who neither keyed it nor cover its outlets still do not see it.
    for persona in ("outlet_manager", "city_manager"):
        assert client.get(f"{V1}/orders/{order_id}", **w.net.auth(persona)).status_code == 404, persona
    for persona in ("other_city_clerk", "hq_admin"):  # at C; and HQ sees every order
        assert client.get(f"{V1}/orders/{order_id}", **w.net.auth(persona)).status_code == 200, persona
