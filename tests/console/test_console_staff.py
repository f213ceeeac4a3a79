"""Staff management in the console, persona by persona: a manager adds staff and assigns roles
only at or under their own node, never a role above their own; a clerk manages nobody. A
refusal changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from omnipoint.outlets.models import Staff
from omnipoint.testing import PERSONAS, user_of

pytestmark = pytest.mark.django_db
PASSWORD = "Counter-2026-blue"


def login(client: Client, persona: str) -> Client:
    client.force_login(user_of(persona))
    return client


def staff_rows() -> list[tuple[str, str, int | None, int | None]]:
    return list(Staff.objects.order_by("pk").values_list("user__username", "role", "region_id", "outlet_id"))


def add(client: Client, username: str, role: str, *, outlet=None, region: str = ""):  # type: ignore[no-untyped-def]
    data = {"username": username, "display_name": username, "password": PASSWORD, "role": role}
    data |= {"outlet": str(outlet.pk) if outlet else "", "region": region}
    return client.post("/console/staff/", data)


@pytest.mark.parametrize(
    ("persona", "username", "role", "where", "status"),
    [
        ("hq_admin", "js_manager", "province_manager", "320000", 302),
        ("hq_admin", "hq2", "hq_admin", "", 302),
        ("province_manager", "pd_manager", "district_manager", "310115", 302),
        ("province_manager", "js_manager", "province_manager", "320000", 404),  # another province
        ("province_manager", "hq2", "hq_admin", "", 404),  # the HQ node is above theirs
        ("city_manager", "b_clerk", "outlet_clerk", "b", 302),
        ("city_manager", "sh_city2", "city_manager", "310100", 302),  # a peer at their own node
        ("city_manager", "c_clerk", "outlet_clerk", "c", 404),  # Nanjing
        ("city_manager", "sh_province", "province_manager", "310000", 404),  # above their node
        ("outlet_manager", "a_clerk", "outlet_clerk", "a", 302),
        ("outlet_manager", "a_sales", "salesperson", "a", 302),
        ("outlet_manager", "a_manager2", "outlet_manager", "a", 302),
        ("outlet_manager", "b_clerk", "outlet_clerk", "b", 404),  # another outlet
        ("outlet_manager", "pd_manager", "district_manager", "310101", 404),  # a region above the outlet
    ],
)
def test_a_manager_adds_staff_only_at_or_under_their_node(
    client, network, persona, username, role, where, status
):
    login(client, persona)
    outlet = getattr(network, where) if where in ("a", "b", "c") else None
    before = staff_rows()
    response = add(client, username, role, outlet=outlet, region="" if outlet else where)
    assert response.status_code == status, response.content.decode()[:3000]
    if status == 302:
        staff = Staff.objects.get(user__username=username)
        assert staff.role == role and staff.outlet == outlet
        assert (staff.region.code if staff.region else "") == ("" if outlet else where)
        assert Client().login(username=username, password=PASSWORD)  # the new login works
    else:
        assert staff_rows() == before and not get_user_model().objects.filter(username=username).exists()


@pytest.mark.parametrize(
    ("persona", "role", "where"),
    [
        ("city_manager", "province_manager", "310000"),
        ("outlet_manager", "district_manager", "310101"),
        ("outlet_manager", "city_manager", "310100"),
    ],
)
def test_never_a_role_above_their_own_even_at_their_node(client, network, persona, role, where):
    """The node check alone would let a city manager make a province manager of a node under
    them: the role check refuses it (403)."""
    login(client, persona)
    before = staff_rows()
    node = {"city_manager": "310101", "outlet_manager": ""}[persona]
    response = add(
        client, "climber", role, outlet=network.a if persona == "outlet_manager" else None, region=node
    )
    assert response.status_code in (403, 422)
    assert staff_rows() == before


def test_a_city_manager_may_not_make_a_province_manager_inside_the_city(client, network):
    login(client, "city_manager")
    before = staff_rows()
    response = add(client, "climber", "city_manager", region="310000")  # a city role at a province
    assert response.status_code in (404, 422)
    response = client.post(
        "/console/staff/",
        {
            "username": "climber",
            "display_name": "x",
            "password": PASSWORD,
            "role": "province_manager",
            "region": "310000",
        },
    )
    assert response.status_code in (403, 404)
    assert staff_rows() == before


@pytest.mark.parametrize("persona", ["outlet_clerk", "other_city_clerk"])
def test_a_clerk_manages_nobody(client, network, persona):
    login(client, persona)
    before = staff_rows()
    assert client.get("/console/staff/").status_code == 403
    assert add(client, "x_clerk", "outlet_clerk", outlet=network.a).status_code == 403
    mate = Staff.objects.get(user__username="outlet_manager")
    assert (
        client.post(
            f"/console/staff/{mate.pk}/", {"role": "outlet_clerk", "outlet": network.a.pk}
        ).status_code
        == 403
    )
    assert staff_rows() == before
    assert "/console/staff/" not in client.get("/console/").content.decode()


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("hq_admin", set(PERSONAS)),
        ("city_manager", {"city_manager", "outlet_manager", "outlet_clerk"}),
        ("outlet_manager", {"outlet_manager", "outlet_clerk"}),
    ],
)
def test_the_staff_list_is_scoped(client, network, persona, visible):
    page = login(client, persona).get("/console/staff/")
    assert page.status_code == 200
    assert {s.user.username for s in page.context["staff_rows"]} == visible
    assert "/console/staff/" in client.get("/console/").content.decode()  # in the navigation


def test_assign_a_role_within_the_node(client, network):
    login(client, "city_manager")
    clerk = Staff.objects.get(user__username="outlet_clerk")
    r = client.post(f"/console/staff/{clerk.pk}/", {"role": "outlet_manager", "outlet": network.b.pk})
    assert r.status_code == 302
    clerk.refresh_from_db()
    assert (clerk.role, clerk.outlet_id) == ("outlet_manager", network.b.pk)
    assert client.get(f"/console/staff/{clerk.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("persona", "target", "post", "status"),
    [
        ("city_manager", "province_manager", {"role": "outlet_clerk", "outlet": "a"}, 404),  # not theirs
        ("city_manager", "other_city_clerk", {"role": "outlet_clerk", "outlet": "a"}, 404),
        ("city_manager", "outlet_clerk", {"role": "outlet_clerk", "outlet": "c"}, 404),  # to Nanjing
        ("city_manager", "outlet_clerk", {"role": "province_manager", "region": "310000"}, 404),
        ("city_manager", "outlet_clerk", {"role": "city_manager", "region": "310100"}, 302),
        ("city_manager", "city_manager", {"role": "outlet_clerk", "outlet": "a"}, 403),  # their own
        ("outlet_manager", "outlet_clerk", {"role": "district_manager", "region": "310101"}, 404),
        ("outlet_manager", "outlet_clerk", {"role": "nobody", "outlet": "a"}, 422),
        ("outlet_manager", "outlet_manager", {"role": "outlet_clerk", "outlet": "a"}, 403),
    ],
)
def test_assigning_refusals_change_nothing(client, network, persona, target, post, status):
    login(client, persona)
    before = staff_rows()
    staff = Staff.objects.get(user__username=target)
    data = dict(post)
    if "outlet" in data:
        data["outlet"] = str(getattr(network, data["outlet"]).pk)
    response = client.post(f"/console/staff/{staff.pk}/", data)
    assert response.status_code == status
    if status != 302:
        assert staff_rows() == before


def test_a_promoted_peer_cannot_be_demoted_by_a_lower_manager(client, network):
    login(client, "city_manager")
    add(client, "a_boss", "outlet_manager", outlet=network.a)
    login(client, "outlet_manager")
    boss = Staff.objects.get(user__username="a_boss")
    assert (
        client.post(
            f"/console/staff/{boss.pk}/", {"role": "outlet_clerk", "outlet": network.a.pk}
        ).status_code
        == 302
    )
    login(client, "city_manager")
    city2 = add(client, "city2", "city_manager", region="310100")
    assert city2.status_code == 302
    login(client, "outlet_manager")
    before = staff_rows()
    peer = Staff.objects.get(user__username="city2")
    assert client.get(f"/console/staff/{peer.pk}/").status_code == 404  # not under the outlet
    assert staff_rows() == before


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"username": "outlet_clerk"}, 409),  # taken
        ({"username": "bad name!"}, 422),
        ({"display_name": ""}, 422),
        ({"password": "123"}, 422),
        ({"role": "emperor"}, 422),
        ({"role": "outlet_clerk", "outlet": ""}, 422),
        ({"role": "district_manager", "region": "999999"}, 404),
    ],
)
def test_bad_staff_forms_are_refused_and_change_nothing(client, network, change, status):
    login(client, "city_manager")
    before = staff_rows()
    data = {"username": "newbie", "display_name": "新人", "password": PASSWORD, "role": "outlet_clerk"}
    data |= {"outlet": str(network.a.pk)} | change
    response = client.post("/console/staff/", data)
    assert response.status_code == status and response.context["error"]
    assert staff_rows() == before


def test_the_admin_keeps_staff_read_only_and_for_superusers(client, network):
    login(client, "city_manager")
    assert client.get("/admin/outlets/staff/").status_code == 403  # managers use the console
