"""The tickets API end to end: the clerk schedules, the technician takes the steps with the
customer's code, which only the customer's own answer carries."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from omnipoint.aftersales.models import Ticket
from omnipoint.core.models import ApiToken

pytestmark = pytest.mark.django_db


def post(client, url, body, token):
    return client.post(url, json.dumps(body), "application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_technician_completes_a_visit_through_the_api(client, desk):
    t = desk.installation()
    clerk, tech = desk.net.tokens["outlet_clerk"], ApiToken.issue(desk.techs["tech_a"].user, name="t")
    me = ApiToken.issue(desk.member.user, name="m")
    day = str(timezone.localdate() + timedelta(days=1))
    techs = client.get(
        f"/api/v1/tickets/{t.pk}/technicians", {"day": day}, HTTP_AUTHORIZATION=f"Bearer {clerk}"
    )
    assert [(x["name"], x["free"]) for x in techs.json()] == [("师傅 tech_a", 6), ("师傅 tech_huangpu", 6)]
    r = post(client, f"/api/v1/tickets/{t.pk}/schedule", {"technician_id": desk.techs["tech_a"].pk, "day": day,
                                                          "window": "am"}, clerk)  # fmt: skip
    assert r.status_code == 200 and r.json()["confirmation_code"] is None, r.json()
    mine = client.get("/api/v1/tickets", {"mine": True}, HTTP_AUTHORIZATION=f"Bearer {tech}").json()
    assert [x["id"] for x in mine] == [t.pk] and mine[0]["next_steps"] == ["depart"]
    for step in ("depart", "arrive"):
        assert post(client, f"/api/v1/tickets/{t.pk}/steps", {"step": step}, tech).status_code == 200
    bad = post(client, f"/api/v1/tickets/{t.pk}/steps", {"step": "arrive"}, tech)
    assert (bad.status_code, bad.json()["code"], bad.json()["details"]["state"]) == (
        409,
        "ticket_wrong_state",
        "on_site",
    )
    own = client.get(f"/api/v1/tickets/{t.pk}", HTTP_AUTHORIZATION=f"Bearer {me}").json()
    done = post(
        client, f"/api/v1/tickets/{t.pk}/steps", {"step": "complete", "code": own["confirmation_code"]}, tech
    )
    assert done.status_code == 200 and done.json()["state"] == "done"
    assert [e["to_state"] for e in done.json()["events"]] == [
        "open",
        "scheduled",
        "on_the_way",
        "on_site",
        "done",
    ]
    assert Ticket.objects.get(pk=t.pk).state == "done"


def test_the_customer_picks_a_slot_through_the_api(client, desk):
    t = desk.installation()
    me, clerk = ApiToken.issue(desk.member.user, name="m"), desk.net.tokens["outlet_clerk"]
    day = str(timezone.localdate() + timedelta(days=1))
    slots = client.get(f"/api/v1/tickets/{t.pk}/slots", HTTP_AUTHORIZATION=f"Bearer {me}").json()
    assert {"day": day, "window": "am", "free": 12, "open": True} in slots
    desk_sees = client.get(f"/api/v1/tickets/{t.pk}/slots", HTTP_AUTHORIZATION=f"Bearer {clerk}").json()
    assert desk_sees == slots
    r = post(client, f"/api/v1/tickets/{t.pk}/visit", {"day": day, "window": "pm"}, me)
    body = r.json()
    assert r.status_code == 200 and (body["state"], body["visit_window"], body["customer_changes_left"]) == (
        "scheduled", "pm", 2)  # fmt: skip
    assert body["technician_name"] == "师傅 tech_a"
    again = post(client, f"/api/v1/tickets/{t.pk}/visit", {"day": day, "window": "pm"}, me)
    assert (again.status_code, again.json()["code"]) == (422, "same_slot")
    staff = post(client, f"/api/v1/tickets/{t.pk}/visit", {"day": day, "window": "am"}, clerk)
    assert (staff.status_code, staff.json()["code"]) == (403, "not_member")
