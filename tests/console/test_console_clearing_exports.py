"""A closed day's clearing downloaded from the console, persona by persona: a manager gets their
node's report (an outlet manager their outlet, HQ the whole network) as CSV, XLSX or PDF; a clerk
is refused; a node outside the scope, a day not closed and an unknown format are refused with
the error page, and a download changes nothing."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from omnipoint.clearing import services
from omnipoint.clearing.models import ClearingFigure, ClearingRun
from omnipoint.clearing.tests.story import counter_sale, days_ago, move_to_day, story_start
from omnipoint.outlets.domain import SYSTEM
from omnipoint.testing import PERSONAS, user_of

pytestmark = pytest.mark.django_db

# persona: (status, the outlet codes in the CSV)
EXPECTED = {
    "hq_admin": (200, {"SH-A", "NJ-C"}),
    "province_manager": (200, {"SH-A"}),
    "city_manager": (200, {"SH-A"}),
    "outlet_manager": (200, {"SH-A"}),
    "outlet_clerk": (403, set()),
    "other_city_clerk": (403, set()),
}


@pytest.fixture
def closed_day():
    from django.utils import timezone

    story = story_start()
    day = days_ago(1)
    since = timezone.now()
    counter_sale(story, "A", 0, 1, "cash")
    counter_sale(story, "C", 1, 1, "cash")
    move_to_day(since, day)
    services.day_close(actor=SYSTEM, day=day)
    return story, day


def _client(persona: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user_of(persona))
    return client


def _books():
    return ClearingRun.objects.count(), list(ClearingFigure.objects.order_by("pk").values_list())


def test_the_personas_download_what_their_node_covers(closed_day):
    _story, day = closed_day
    assert set(EXPECTED) == set(PERSONAS)
    before = _books()
    for persona, (status, codes) in EXPECTED.items():
        client = _client(persona)
        page = client.get(reverse("clearing:day", args=[day]))
        assert page.status_code == status, persona
        resp = client.get(reverse("clearing:export", args=[day, "csv"]))
        assert resp.status_code == status, persona
        if status != 200:
            continue
        assert reverse("clearing:export", args=[day, "xlsx"]) in page.content.decode()
        text = b"".join(resp.streaming_content).decode("utf-8-sig")
        names = {row[1] for row in csv.reader(io.StringIO(text)) if len(row) > 1}
        assert {c for c in ("SH-A", "SH-B", "NJ-C") if any(f"({c})" in n for n in names)} == codes, persona
    assert _books() == before


def test_the_day_page_links_download_the_node_shown(closed_day):
    story, day = closed_day
    hq = _client("hq_admin")
    page = hq.get(reverse("clearing:day", args=[day]), {"node": f"outlet:{story.net.c.pk}"}).content.decode()
    link = reverse("clearing:export", args=[day, "xlsx"]) + f"?node=outlet%3A{story.net.c.pk}"
    assert link in page
    resp = hq.get(link)
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(resp.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("层级", "机构") and all("NJ-C" in r[1] for r in rows[2:])


def test_refusals_show_the_error_page_and_change_nothing(closed_day):
    before = _books()
    for persona, fmt, day, node, status in [
        ("hq_admin", "docx", 1, "", 422),  # unknown format
        ("hq_admin", "csv", 0, "", 404),  # today: not closed
        ("outlet_manager", "pdf", 1, "hq", 404),  # outside the scope
        ("city_manager", "xlsx", 1, "outlet:999999", 404),
        ("outlet_clerk", "csv", 1, "", 403),
    ]:
        url = reverse("clearing:export", args=[days_ago(day), fmt])
        resp = _client(persona).get(url, {"node": node} if node else {})
        assert resp.status_code == status and "text/html" in resp["Content-Type"], (persona, url)
    assert _books() == before
