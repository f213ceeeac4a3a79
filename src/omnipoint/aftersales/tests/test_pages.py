"""The ticket pages: the desk and the overdue list, agreeing a visit on a ticket's page, the
technician's handheld steps (a wrong code refused, changing nothing), and the customer's pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from omnipoint.aftersales.models import Ticket
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.services import staff_create
from omnipoint.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_desk_agrees_a_visit_and_the_technician_completes_it_on_the_handheld(client, desk):
    t = desk.installation()
    Ticket.objects.filter(pk=t.pk).update(respond_by=timezone.now() - timedelta(minutes=1))
    client.login(username="outlet_manager", password=PASSWORD)
    page = client.get("/console/tickets/")
    assert page.status_code == 200 and t.number in page.content.decode()
    assert t.number in client.get("/console/tickets/overdue/").content.decode()
    day = str(timezone.localdate() + timedelta(days=2))
    r = client.post(f"/console/tickets/{t.pk}/", {"step": "schedule", "technician": desk.techs["tech_a"].pk,
                                                   "day": day, "window": "pm"})  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:500]
    assert client.get("/console/tickets/overdue/").content.decode().count(t.number) == 0
    client.logout()
    client.login(username="tech_a", password=PASSWORD)
    assert client.get("/console/tickets/").url == "/console/tickets/mine/"
    assert t.number in client.get("/console/tickets/mine/").content.decode()
    for step in ("depart", "arrive"):
        assert client.post(f"/console/tickets/mine/{t.pk}/step/", {"step": step}).status_code == 302
    wrong = "000000" if t.confirmation_code != "000000" else "111111"
    r = client.post(f"/console/tickets/mine/{t.pk}/step/", {"step": "complete", "code": wrong})
    assert r.status_code == 422 and Ticket.objects.get(pk=t.pk).state == "on_site"
    r = client.post(f"/console/tickets/mine/{t.pk}/step/", {"step": "complete", "code": t.confirmation_code})
    assert r.status_code == 302 and Ticket.objects.get(pk=t.pk).state == "done"
    client.logout()
    client.login(username="tech_c", password=PASSWORD)
    assert client.get(f"/console/tickets/mine/{t.pk}/").status_code == 404


def test_the_customer_follows_and_opens_tickets_online(client, desk):
    t = desk.installation()
    assert client.get("/shop/tickets/").status_code == 302  # sign in first
    client.force_login(desk.member.user)
    assert t.number in client.get("/shop/tickets/").content.decode()
    page = client.get(f"/shop/tickets/{t.number}/").content.decode()
    assert t.confirmation_code in page
    r = client.post(f"/shop/tickets/new/{t.order.number}/", {"kind": "repair", "description": "噪音大"})
    assert r.status_code == 302 and Ticket.objects.filter(kind="repair", member=desk.member).count() == 1
    client.force_login(desk.other.user)
    assert client.get(f"/shop/tickets/{t.number}/").status_code == 404
    assert client.get(f"/shop/tickets/new/{t.order.number}/").status_code == 404


SEES_A = {"hq_admin": 200, "province_manager": 200, "city_manager": 200, "outlet_manager": 200,
          "outlet_clerk": 200, "other_city_clerk": 404}  # fmt: skip


@pytest.mark.parametrize("persona", list(SEES_A))
def test_every_persona_sees_the_ticket_pages_of_their_node_only(client, desk, persona):
    t = desk.installation()
    client.login(username=persona, password=PASSWORD)
    for url in ("/console/tickets/", "/console/tickets/overdue/", "/console/tickets/open/"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert (t.number in page.content.decode()) == (SEES_A[persona] == 200 and url == "/console/tickets/")
    assert client.get(f"/console/tickets/{t.pk}/").status_code == SEES_A[persona]
    before = list(Ticket.objects.values())
    r = client.post(f"/console/tickets/{t.pk}/", {"step": "cancel", "note": ""})
    assert r.status_code == (422 if SEES_A[persona] == 200 else 404)
    assert client.post(f"/console/tickets/mine/{t.pk}/step/", {"step": "depart"}).status_code in (403, 404)
    assert list(Ticket.objects.values()) == before


def test_roles_without_tickets_are_refused_the_desk(client, desk):
    seller = staff_create(actor=SYSTEM, username="seller", password=PASSWORD, display_name="seller",
                          role="salesperson", outlet=desk.net.a)  # fmt: skip
    client.force_login(seller.user)
    assert client.get("/console/tickets/").status_code == 403
    assert client.get("/console/tickets/mine/").status_code == 403
    client.force_login(desk.member.user)
    assert client.get("/console/tickets/").status_code == 403
    client.force_login(desk.techs["tech_a"].user)
    assert client.get("/console/tickets/overdue/").status_code == 403
    assert client.get("/console/").status_code == 200  # the technician's home


def test_the_customer_picks_a_slot_on_their_ticket_page(client, desk):
    t = desk.installation()
    client.force_login(desk.member.user)
    page = client.get(f"/shop/tickets/{t.number}/").content.decode()
    day = timezone.localdate() + timedelta(days=1)
    assert f'value="{day.isoformat()}.am"' in page
    r = client.post(f"/shop/tickets/{t.number}/visit/", {"slot": f"{day.isoformat()}.am"})
    assert r.status_code == 302 and Ticket.objects.get(pk=t.pk).visit_day == day
    bad = client.post(f"/shop/tickets/{t.number}/visit/", {"slot": "tomorrow"})
    assert bad.status_code == 422 and Ticket.objects.get(pk=t.pk).visit_window == "am"
    client.force_login(desk.other.user)
    assert (
        client.post(f"/shop/tickets/{t.number}/visit/", {"slot": f"{day.isoformat()}.pm"}).status_code == 404
    )


# Who sets the technicians' days (service.setup over the technician's node): the list, tech_a's
# page (A's own), the district team's page, and a day off posted for tech_a.
SETS_DAYS = {"hq_admin": (200, 200, 200), "province_manager": (200, 200, 200), "city_manager": (200, 200, 200),
             "outlet_manager": (200, 200, 404), "outlet_clerk": (403, 403, 403),
             "other_city_clerk": (403, 403, 403)}  # fmt: skip


@pytest.mark.parametrize("persona", list(SETS_DAYS))
def test_managers_set_the_days_of_the_technicians_of_their_node_only(client, desk, persona):
    from omnipoint.aftersales.models import TechnicianDay

    listing, own, team = SETS_DAYS[persona]
    tech_a, huangpu = desk.techs["tech_a"], desk.techs["tech_huangpu"]
    client.login(username=persona, password=PASSWORD)
    page = client.get("/console/tickets/technicians/")
    assert page.status_code == listing
    if listing == 200:
        shown = page.content.decode()
        assert tech_a.display_name in shown and (huangpu.display_name in shown) == (team == 200)
        assert ("师傅 tech_c" in shown) == (persona == "hq_admin")
    assert client.get(f"/console/tickets/technicians/{tech_a.pk}/").status_code == own
    assert client.get(f"/console/tickets/technicians/{huangpu.pk}/").status_code == team
    day = str(timezone.localdate() + timedelta(days=3))
    r = client.post(f"/console/tickets/technicians/{tech_a.pk}/",
                    {"action": "exception", "day": day, "visits": "0", "note": "休息"})  # fmt: skip
    assert r.status_code == (302 if own == 200 else own)
    assert TechnicianDay.objects.filter(technician=tech_a, exception=True).count() == (own == 200)
    before = list(TechnicianDay.objects.values())
    r = client.post(f"/console/tickets/technicians/{huangpu.pk}/", {"action": "standing", "visits": "99"})
    assert r.status_code == (422 if team == 200 else team) and list(TechnicianDay.objects.values()) == before
