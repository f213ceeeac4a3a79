"""The appointments API: a booking made, replayed, moved and cancelled by a member; bad input
answered with a 4xx and a stable code, changing nothing."""

import json

import pytest

from omnipoint.appointments.models import Booking, Slot, Ticket
from omnipoint.core.models import ApiToken

pytestmark = pytest.mark.django_db
V1 = "/api/v1/appointments"


def rows():
    return (
        list(Booking.objects.values_list("pk", "state", "slot_id")),
        list(Slot.objects.values_list("pk", "booked", "capacity", "is_open")),
        Ticket.objects.count(),
    )


@pytest.fixture
def member_auth(appts):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(appts.member.user, name='t')}"}


@pytest.fixture
def other_auth(appts):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(appts.other.user, name='t')}"}


def post(client, path, body, auth):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(V1 + path, data, content_type="application/json", **auth)


def error(resp, status, code):
    assert resp.status_code == status, resp.content
    assert resp.json()["code"] == code, resp.json()


def test_a_member_books_replays_moves_and_cancels(client, appts, member_auth):
    slot, later = appts.slot(), appts.slot(hours=10)
    near = client.get(f"{V1}/nearby", {"service_id": appts.passport.pk, "lat": appts.net.a.lat,
                                       "lng": appts.net.a.lng}, **member_auth).json()  # fmt: skip
    assert near[0]["outlet_code"] == "SH-A" and near[0]["next_slot"]["remaining"] == 2
    body = {"slot_id": slot.pk, "channel": "web", "client_key": "tap-1"}
    first = post(client, "/bookings", body, member_auth)
    assert first.status_code == 201 and first.json()["created"] is True
    again = post(client, "/bookings", body, member_auth)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    bid = first.json()["id"]
    moved = post(client, f"/bookings/{bid}/reschedule", {"slot_id": later.pk}, member_auth)
    assert moved.status_code == 200 and moved.json()["slot_id"] == later.pk
    assert [s["remaining"] for s in client.get(f"{V1}/slots", {"outlet_id": appts.net.a.pk,
            "service_id": appts.passport.pk}, **member_auth).json() if s["id"] in (slot.pk, later.pk)] == [2, 1]  # fmt: skip
    assert post(client, f"/bookings/{bid}/cancel", {}, member_auth).json()["state"] == "cancelled"


def test_bad_input_is_refused_and_changes_nothing(client, appts, member_auth, other_auth):
    slot = appts.slot()
    mine = post(client, "/bookings", {"slot_id": slot.pk}, member_auth).json()
    post(client, "/bookings", {"slot_id": slot.pk}, other_auth)  # the slot is now full
    past = Slot.objects.filter(outlet=appts.net.a).order_by("starts_at").first()
    appts.move(past, minutes=-1)
    clerk = appts.net.auth("outlet_clerk")
    before = rows()
    cases = [
        (post(client, "/bookings", {"slot_id": 10**9}, member_auth), 404, "slot_not_found"),
        (post(client, "/bookings", {"slot_id": slot.pk, "client_key": "x"}, appts.net.auth("outlet_clerk")), 422,
         "member_required"),
        (post(client, "/bookings", {"slot_id": appts.slot(hours=9).pk, "channel": "hotline",
                                    "member_id": appts.member.pk}, appts.net.auth("other_city_clerk")), 404,
         "slot_not_found"),
        (post(client, "/bookings", {"slot_id": past.pk}, member_auth), 409, "slot_past"),
        (post(client, "/bookings", '{"slot_id": ', member_auth), 400, "malformed_json"),
        (post(client, "/bookings", {"slot_id": slot.pk, "seat": 1}, member_auth), 422, "invalid_input"),
        (post(client, "/bookings", {"slot_id": slot.pk, "channel": "pos"}, member_auth), 422, "invalid_channel"),
        (post(client, f"/bookings/{mine['id']}/cancel", {}, other_auth), 404, "booking_not_found"),
        (post(client, f"/outlets/{appts.net.c.pk}/check-in", {"code": mine["code"]}, clerk), 404,
         "outlet_not_found"),
        (post(client, f"/outlets/{appts.net.a.pk}/check-in", {"code": "ZZZZZZZZ"}, clerk), 404,
         "booking_not_found"),
        (post(client, f"/outlets/{appts.net.a.pk}/call", {"counter": "1"}, clerk), 409, "queue_empty"),
        (post(client, f"/outlets/{appts.net.c.pk}/tickets", {"service_id": appts.broadband.pk},
              appts.net.auth("other_city_clerk")), 404, "service_not_offered"),
        (client.get(f"{V1}/slots", {"outlet_id": appts.net.b.pk, "service_id": appts.passport.pk}, **member_auth),
         404, "service_not_offered"),
        (client.put(f"{V1}/outlets/{appts.net.a.pk}/services/{appts.passport.pk}",
                    json.dumps({"openings": [{"weekday": 0, "start": "10:00", "end": "09:00", "capacity": 1}]}),
                    content_type="application/json", **appts.net.auth("outlet_manager")), 422, "invalid_opening"),
    ]  # fmt: skip
    assert post(client, "/bookings", {"slot_id": slot.pk}, appts.net.auth("outlet_clerk")).status_code == 422
    for resp, status, code in cases:
        error(resp, status, code)
    full = post(client, "/bookings", {"slot_id": slot.pk, "channel": "hotline", "member_id": 1}, clerk)
    assert full.status_code in (404, 409)
    assert rows() == before


def test_the_counter_checks_in_calls_and_serves_through_the_api(client, appts, member_auth):
    slot = appts.slot()
    code = post(client, "/bookings", {"slot_id": slot.pk}, member_auth).json()["code"]
    appts.move(slot, minutes=5)
    clerk, a = appts.net.auth("outlet_clerk"), appts.net.a.pk
    ticket = post(client, f"/outlets/{a}/check-in", {"code": code}, clerk).json()
    assert ticket["label"] == "A001" and ticket["state"] == "waiting"
    called = post(client, f"/outlets/{a}/call", {"counter": "3号窗"}, clerk).json()
    assert called["id"] == ticket["id"] and called["counter"] == "3号窗"
    board = client.get(f"{V1}/outlets/{a}/queue", **clerk).json()
    assert [t["label"] for t in board["called"]] == ["A001"]
    assert post(client, f"/tickets/{ticket['id']}/finish", {}, clerk).json()["state"] == "done"
    assert client.get(f"{V1}/bookings/{Booking.objects.get().pk}", **member_auth).json()["state"] == "done"
