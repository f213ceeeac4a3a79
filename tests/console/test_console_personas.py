"""The staff console, persona by persona: every page and every POST sees and changes only what
lies under the persona's node, and a refused form changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from tests.console.conftest import staff_at

from omnipoint.inventory import services
from omnipoint.inventory.models import (
    CountState,
    CycleCount,
    StockLevel,
    StockMovement,
    Transfer,
    TransferState,
)
from omnipoint.outlets.domain import SYSTEM
from omnipoint.testing import PERSONAS, user_of

SHANGHAI = ["hq_admin", "province_manager", "city_manager", "outlet_manager", "outlet_clerk"]


def login(client: Client, persona: str) -> Client:
    client.force_login(user_of(persona))
    return client


def on_hand(outlet, sku) -> int:
    row = StockLevel.objects.filter(location=outlet, sku=sku).first()
    return row.on_hand if row else 0


def snapshot():
    """Everything a console POST could change."""
    return (
        list(StockLevel.objects.order_by("pk").values_list("pk", "on_hand", "reserved")),
        StockMovement.objects.count(),
        list(Transfer.objects.order_by("pk").values_list("pk", "state")),
        list(CycleCount.objects.order_by("pk").values_list("pk", "state")),
        list(
            CycleCount.objects.order_by("lines__pk").values_list(
                "lines__pk", "lines__counted", "lines__correction"
            )
        ),
    )


@pytest.fixture
def draft(network):
    """A draft transfer from outlet a to outlet b."""
    s0, s1 = network.skus[0], network.skus[1]
    return services.transfer_create(
        actor=SYSTEM, source_id=network.a.pk, destination_id=network.b.pk, lines=[(s0.pk, 3), (s1.pk, 2)]
    )


@pytest.fixture
def in_transit(network):
    t = services.transfer_create(
        actor=SYSTEM, source_id=network.a.pk, destination_id=network.b.pk, lines=[(network.skus[0].pk, 4)]
    )
    return services.transfer_dispatch(actor=SYSTEM, transfer_id=t.pk)


@pytest.fixture
def count_a(network):
    count = services.count_open(actor=SYSTEM, location_id=network.a.pk)
    services.count_record(actor=SYSTEM, count_id=count.pk, sku_id=network.skus[0].pk, counted=8)
    return count


# --- signing in -----------------------------------------------------------------------------

PAGES = [
    "/console/",
    "/console/stock/",
    "/console/transfers/",
    "/console/transfers/new/",
    "/console/counts/",
    "/console/outlets/",
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_gets_the_login_page(client, network, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/?next=")


def test_anonymous_posts_are_sent_to_login_and_change_nothing(client, network, draft, in_transit, count_a):
    before = snapshot()
    for url in [
        f"/console/transfers/{draft.pk}/dispatch/",
        f"/console/transfers/{draft.pk}/cancel/",
        f"/console/transfers/{in_transit.pk}/receive/",
        "/console/transfers/new/",
        "/console/counts/",
        f"/console/counts/{count_a.pk}/record/",
        f"/console/counts/{count_a.pk}/post/",
    ]:
        response = client.post(url, {"source": network.a.pk, "location": network.a.pk})
        assert response.status_code == 302, url
        assert response["Location"].startswith("/console/login/")
    assert snapshot() == before


def test_login_page_signs_a_clerk_in(client, network):
    assert client.get("/console/login/").status_code == 200
    response = client.post("/console/login/", {"username": "outlet_clerk", "password": "omnipoint"})
    assert response.status_code == 302
    assert client.get("/console/").status_code == 200


def test_wrong_password_stays_on_the_login_page(client, network):
    response = client.post("/console/login/", {"username": "outlet_clerk", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_login_without_a_staff_role_is_forbidden(client, network):
    client.force_login(get_user_model().objects.create_user(username="shopper", password="x"))
    assert client.get("/console/").status_code == 403
    assert client.get("/console/transfers/").status_code == 403


def test_a_role_without_the_permission_is_forbidden_and_changes_nothing(client, network, draft):
    seller = staff_at(network.a, "seller", "salesperson")
    client.force_login(seller.user)
    before = snapshot()
    assert client.get(f"/console/transfers/{draft.pk}/").status_code == 200  # may look
    assert client.post(f"/console/transfers/{draft.pk}/dispatch/").status_code == 403
    assert client.post(f"/console/transfers/{draft.pk}/cancel/").status_code == 403
    new = {"source": network.a.pk, "destination": network.b.pk, "sku": ["CABLE-1M"], "qty": ["1"]}
    assert client.post("/console/transfers/new/", new).status_code == 403
    assert client.post("/console/counts/", {"location": network.a.pk}).status_code == 403
    assert snapshot() == before


def test_posts_need_the_csrf_token(network, draft):
    client = Client(enforce_csrf_checks=True)
    login(client, "outlet_clerk")
    assert client.post(f"/console/transfers/{draft.pk}/dispatch/").status_code == 403
    assert Transfer.objects.get(pk=draft.pk).state == TransferState.DRAFT


# --- every page, every persona --------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", PAGES)
def test_every_page_opens_for_every_persona(client, network, persona, url):
    response = login(client, persona).get(url)
    assert response.status_code == 200
    assert b"<html" in response.content


def test_home_shows_who_and_where(client, network, draft):
    html = login(client, "outlet_clerk").get("/console/").content.decode()
    assert "outlet_clerk" in html and network.a.name in html
    assert f"/console/transfers/{draft.pk}/" in html  # an open transfer of my outlet
    html = login(client, "other_city_clerk").get("/console/").content.decode()
    assert network.c.name in html
    assert f"/console/transfers/{draft.pk}/" not in html


def test_home_lists_low_stock_of_my_outlet(client, network):
    low, fine = network.skus[2], network.skus[0]
    services.stock_sell(actor=SYSTEM, location_id=network.a.pk, sku_id=low.pk, quantity=9)
    response = login(client, "outlet_clerk").get("/console/")
    assert [row.sku.code for row in response.context["low_stock"]] == [low.code]
    assert fine.code not in [row.sku.code for row in response.context["low_stock"]]


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("hq_admin", {"SH-A", "SH-B", "SH-W", "NJ-C"}),
        ("province_manager", {"SH-A", "SH-B", "SH-W"}),
        ("city_manager", {"SH-A", "SH-B", "SH-W"}),
        ("outlet_manager", {"SH-A"}),
        ("outlet_clerk", {"SH-A"}),
        ("other_city_clerk", {"NJ-C"}),
    ],
)
def test_outlet_list_is_scoped(client, network, persona, visible):
    response = login(client, persona).get("/console/outlets/")
    assert {o.code for o in response.context["outlets"]} == visible


# --- where is it ----------------------------------------------------------------------------


def test_stock_lookup_finds_nearby_outlets_nearest_first(client, network):
    sku = network.skus[0]
    response = login(client, "outlet_clerk").get(
        "/console/stock/", {"q": sku.barcode, "centre": network.a.pk, "radius": "50", "qty": "2"}
    )
    assert response.status_code == 200
    nearby = response.context["nearby"]
    assert [n.code for n in nearby][0] == "SH-A"
    assert {n.code for n in nearby} == {"SH-A", "SH-B", "SH-W"}  # Nanjing is 270 km away
    assert [n.distance_km for n in nearby] == sorted(n.distance_km for n in nearby)
    assert all(n.available == 10 for n in nearby)
    assert [r.location.code for r in response.context["rows"]] == ["SH-A"]  # my stock rows only


def test_stock_lookup_leaves_out_outlets_without_enough(client, network):
    sku = network.skus[0]
    services.stock_sell(actor=SYSTEM, location_id=network.b.pk, sku_id=sku.pk, quantity=9)
    response = login(client, "city_manager").get(
        "/console/stock/", {"q": sku.code, "centre": network.a.pk, "radius": "50", "qty": "2"}
    )
    assert {n.code for n in response.context["nearby"]} == {"SH-A", "SH-W"}
    assert {r.location.code for r in response.context["rows"]} == {"SH-A", "SH-B", "SH-W"}


def test_stock_lookup_by_name_offers_a_choice(client, network):
    response = login(client, "outlet_clerk").get("/console/stock/", {"q": "空调"})
    assert {s.code for s in response.context["matches"]} == {"AC-1P-W", "AC-2P-W"}
    assert "nearby" not in response.context


def test_stock_lookup_answers_htmx_with_a_fragment(client, network):
    response = login(client, "outlet_clerk").get(
        "/console/stock/", {"q": "CABLE-1M", "centre": network.a.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"SH-B" in response.content


def test_stock_lookup_centre_outside_scope_is_404(client, network):
    response = login(client, "outlet_clerk").get("/console/stock/", {"q": "CABLE-1M", "centre": network.c.pk})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("field", "value"), [("qty", "0"), ("qty", "-3"), ("qty", "x"), ("radius", "0"), ("radius", "9999")]
)
def test_stock_lookup_bad_input_is_refused(client, network, field, value):
    params = {"q": "CABLE-1M", "centre": network.a.pk} | {field: value}
    response = login(client, "outlet_clerk").get("/console/stock/", params)
    assert response.status_code == 422
    assert response.context["error"]


# --- transfers ------------------------------------------------------------------------------


def test_transfer_lists_are_scoped(client, network, draft):
    other = services.transfer_create(
        actor=SYSTEM, source_id=network.c.pk, destination_id=network.b.pk, lines=[(network.skus[0].pk, 1)]
    )
    seen = {}
    for persona in PERSONAS:
        response = login(client, persona).get("/console/transfers/")
        seen[persona] = {t.pk for t in response.context["transfers"]}
    assert seen["hq_admin"] == seen["province_manager"] == seen["city_manager"] == {draft.pk, other.pk}
    assert seen["outlet_clerk"] == seen["outlet_manager"] == {draft.pk}
    assert seen["other_city_clerk"] == {other.pk}
    html = login(client, "other_city_clerk").get("/console/transfers/").content.decode()
    assert f"/console/transfers/{draft.pk}/" not in html


def test_transfer_list_filters_by_state(client, network, draft, in_transit):
    response = login(client, "outlet_clerk").get("/console/transfers/", {"state": "in_transit"})
    assert [t.pk for t in response.context["transfers"]] == [in_transit.pk]


@pytest.mark.parametrize("persona", PERSONAS)
def test_transfer_detail_is_scoped(client, network, draft, persona):
    response = login(client, persona).get(f"/console/transfers/{draft.pk}/")
    assert response.status_code == (404 if persona == "other_city_clerk" else 200)


def test_unknown_transfer_is_404(client, network):
    assert login(client, "hq_admin").get("/console/transfers/999999/").status_code == 404


def test_other_city_clerk_cannot_touch_outlet_a_transfers(client, network, draft, in_transit):
    login(client, "other_city_clerk")
    before = snapshot()
    assert client.post(f"/console/transfers/{draft.pk}/dispatch/").status_code == 404
    assert client.post(f"/console/transfers/{draft.pk}/cancel/").status_code == 404
    line = in_transit.lines.get()
    assert (
        client.post(
            f"/console/transfers/{in_transit.pk}/receive/", {f"received_{line.sku_id}": "1"}
        ).status_code
        == 404
    )
    assert snapshot() == before


def test_destination_clerk_cannot_dispatch_and_source_clerk_cannot_receive(
    client, network, draft, in_transit, b_clerk
):
    before = snapshot()
    client.force_login(b_clerk)
    assert client.get(f"/console/transfers/{draft.pk}/").status_code == 200  # it is coming to b
    response = client.post(f"/console/transfers/{draft.pk}/dispatch/")
    assert response.status_code == 404
    assert response.context["error"]
    login(client, "outlet_clerk")
    assert client.post(f"/console/transfers/{in_transit.pk}/receive/").status_code == 404
    assert snapshot() == before


def test_clerk_creates_and_dispatches_a_transfer(client, network):
    s0, s2 = network.skus[0], network.skus[2]
    login(client, "outlet_clerk")
    response = client.post(
        "/console/transfers/new/",
        {
            "source": network.a.pk,
            "destination": network.c.pk,  # any active outlet, even outside my scope
            "sku": [s0.barcode, s2.code.lower(), "", ""],
            "qty": ["3", "2", "", ""],
            "note": "restock",
        },
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert response["Location"] == f"/console/transfers/{transfer.pk}/"
    assert (transfer.source, transfer.destination, transfer.state, transfer.note) == (
        network.a,
        network.c,
        TransferState.DRAFT,
        "restock",
    )
    assert sorted(transfer.lines.values_list("sku_id", "quantity")) == sorted([(s0.pk, 3), (s2.pk, 2)])
    assert client.get(response["Location"]).context["can_dispatch"]
    response = client.post(f"/console/transfers/{transfer.pk}/dispatch/")
    assert response.status_code == 302
    assert Transfer.objects.get(pk=transfer.pk).state == TransferState.IN_TRANSIT
    assert on_hand(network.a, s0) == 7 and on_hand(network.a, s2) == 8


def test_clerk_cancels_a_draft(client, network, draft):
    response = login(client, "outlet_clerk").post(f"/console/transfers/{draft.pk}/cancel/")
    assert response.status_code == 302
    assert Transfer.objects.get(pk=draft.pk).state == TransferState.CANCELLED


def test_destination_clerk_receives_short(client, network, in_transit, b_clerk):
    sku = network.skus[0]
    client.force_login(b_clerk)
    page = client.get(f"/console/transfers/{in_transit.pk}/")
    assert page.context["can_receive"] and not page.context["can_dispatch"]
    response = client.post(f"/console/transfers/{in_transit.pk}/receive/", {f"received_{sku.pk}": "3"})
    assert response.status_code == 302
    transfer = Transfer.objects.get(pk=in_transit.pk)
    assert transfer.state == TransferState.SHORT_RECEIVED
    assert transfer.lines.get().received_quantity == 3
    assert on_hand(network.b, sku) == 13


def test_dispatch_without_enough_stock_is_refused(client, network):
    sku = network.skus[0]
    t = services.transfer_create(
        actor=SYSTEM, source_id=network.a.pk, destination_id=network.b.pk, lines=[(sku.pk, 11)]
    )
    before = snapshot()
    response = login(client, "outlet_clerk").post(f"/console/transfers/{t.pk}/dispatch/")
    assert response.status_code == 409
    assert response.context["error"]
    assert snapshot() == before


def test_creating_from_an_outlet_outside_my_scope_is_404(client, network):
    before = snapshot()
    response = login(client, "outlet_clerk").post(
        "/console/transfers/new/",
        {"source": network.c.pk, "destination": network.a.pk, "sku": ["CABLE-1M"], "qty": ["1"]},
    )
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    ("sku", "qty"),
    [
        ("CABLE-1M", "0"),
        ("CABLE-1M", "-2"),
        ("CABLE-1M", "1000001"),
        ("CABLE-1M", "99999999999999999999"),
        ("CABLE-1M", "1.5"),
        ("CABLE-1M", ""),
        ("NO-SUCH-SKU", "1"),
        ("", ""),
    ],
)
def test_bad_transfer_lines_rerender_the_form_and_change_nothing(client, network, sku, qty):
    before = snapshot()
    response = login(client, "outlet_clerk").post(
        "/console/transfers/new/",
        {"source": network.a.pk, "destination": network.b.pk, "sku": [sku], "qty": [qty]},
    )
    assert response.status_code == 422
    assert response.context["error"]
    assert response.context["rows"][0] == (sku, qty)  # what was typed comes back
    assert snapshot() == before


def test_same_source_and_destination_is_refused(client, network):
    before = snapshot()
    response = login(client, "outlet_clerk").post(
        "/console/transfers/new/",
        {"source": network.a.pk, "destination": network.a.pk, "sku": ["CABLE-1M"], "qty": ["1"]},
    )
    assert response.status_code == 422
    assert snapshot() == before


@pytest.mark.parametrize("qty", ["-1", "5", "99999999999", "abc"])
def test_bad_receipt_is_refused_and_changes_nothing(client, network, in_transit, b_clerk, qty):
    sku = network.skus[0]
    before = snapshot()
    client.force_login(b_clerk)
    response = client.post(f"/console/transfers/{in_transit.pk}/receive/", {f"received_{sku.pk}": qty})
    assert response.status_code == 422
    assert response.context["error"]
    assert snapshot() == before


# --- cycle counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_count_detail_is_scoped(client, network, count_a, persona):
    response = login(client, persona).get(f"/console/counts/{count_a.pk}/")
    assert response.status_code == (404 if persona == "other_city_clerk" else 200)


def test_count_lists_are_scoped(client, network, count_a):
    count_c = services.count_open(actor=SYSTEM, location_id=network.c.pk)
    for persona, expected in [
        ("outlet_clerk", {count_a.pk}),
        ("other_city_clerk", {count_c.pk}),
        ("hq_admin", {count_a.pk, count_c.pk}),
    ]:
        response = login(client, persona).get("/console/counts/")
        assert {c.pk for c in response.context["counts"]} == expected


def test_other_city_clerk_cannot_record_or_post_outlet_a_counts(client, network, count_a):
    before = snapshot()
    login(client, "other_city_clerk")
    assert (
        client.post(f"/console/counts/{count_a.pk}/record/", {"sku": "CABLE-1M", "counted": "1"}).status_code
        == 404
    )
    assert client.post(f"/console/counts/{count_a.pk}/post/").status_code == 404
    assert client.post("/console/counts/", {"location": network.a.pk}).status_code == 404
    assert snapshot() == before


def test_clerk_counts_and_posts_with_a_correction(client, network):
    s0, s1 = network.skus[0], network.skus[1]
    login(client, "outlet_clerk")
    response = client.post("/console/counts/", {"location": network.a.pk, "skus": f"{s0.code}, {s1.barcode}"})
    assert response.status_code == 302
    count = CycleCount.objects.get()
    assert sorted(count.lines.values_list("sku_id", flat=True)) == sorted([s0.pk, s1.pk])
    assert (
        client.post(f"/console/counts/{count.pk}/record/", {"sku": s0.barcode, "counted": "7"}).status_code
        == 302
    )
    assert (
        client.post(f"/console/counts/{count.pk}/record/", {"sku": s1.code, "counted": "10"}).status_code
        == 302
    )
    assert client.post(f"/console/counts/{count.pk}/post/").status_code == 302
    assert CycleCount.objects.get().state == CountState.POSTED
    assert on_hand(network.a, s0) == 7 and on_hand(network.a, s1) == 10
    page = client.get(f"/console/counts/{count.pk}/")
    lines = {ln.sku.code: (ln.expected, ln.counted, ln.correction) for ln in page.context["lines"]}
    assert lines == {s0.code: (10, 7, -3), s1.code: (10, 10, 0)}
    assert "-3" in page.content.decode()


def test_count_opens_with_everything_stocked_by_default(client, network):
    response = login(client, "outlet_manager").post(
        "/console/counts/", {"location": network.a.pk, "skus": ""}
    )
    assert response.status_code == 302
    assert CycleCount.objects.get().lines.count() == 3


@pytest.mark.parametrize(
    ("sku", "counted"),
    [("CABLE-1M", "-1"), ("CABLE-1M", "1000001"), ("CABLE-1M", "x"), ("NOPE", "1"), ("", "1")],
)
def test_bad_count_lines_are_refused_and_change_nothing(client, network, count_a, sku, counted):
    before = snapshot()
    response = login(client, "outlet_clerk").post(
        f"/console/counts/{count_a.pk}/record/", {"sku": sku, "counted": counted}
    )
    assert response.status_code == 422
    assert response.context["error"]
    assert response.context["sku_text"] == sku
    assert snapshot() == before


def test_count_with_unknown_sku_to_open_is_refused(client, network):
    before = snapshot()
    response = login(client, "outlet_clerk").post(
        "/console/counts/", {"location": network.a.pk, "skus": "NOPE"}
    )
    assert response.status_code == 422
    assert snapshot() == before


def test_posting_twice_is_refused(client, network, count_a):
    login(client, "outlet_clerk")
    assert client.post(f"/console/counts/{count_a.pk}/post/").status_code == 302
    before = snapshot()
    response = client.post(f"/console/counts/{count_a.pk}/post/")
    assert response.status_code == 409
    assert snapshot() == before


# --- languages ------------------------------------------------------------------------------


def test_chinese_by_default_and_english_on_request(client, network):
    login(client, "outlet_clerk")
    zh = client.get("/console/transfers/").content.decode()
    assert "调拨" in zh and "Transfers" not in zh
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/console/transfers/"})
    assert response.status_code == 302
    en = client.get("/console/transfers/").content.decode()
    assert "Transfers" in en and "调拨" not in en
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/console/"})
    assert "调拨" in client.get("/console/transfers/").content.decode()


def test_refusals_are_worded_in_the_readers_language(client, network):
    login(client, "outlet_clerk")
    data = {"source": network.a.pk, "destination": network.b.pk, "sku": ["CABLE-1M"], "qty": ["0"]}
    assert "数量" in client.post("/console/transfers/new/", data).context["error"]
    client.post("/i18n/setlang/", {"language": "en", "next": "/console/"})
    assert "quantity" in client.post("/console/transfers/new/", data).context["error"].lower()
