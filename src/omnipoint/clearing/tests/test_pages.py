"""The books in the console: a manager closes a day and reads it at their node, in Chinese with
no English sentence; a clerk opens and closes a shift with the cash counted."""

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omnipoint.clearing import services
from omnipoint.clearing.models import ClearingRun, CounterShift
from omnipoint.outlets.domain import SYSTEM
from omnipoint.testing import build_network, user_of

from .story import counter_sale, days_ago, move_to_day, refund_part, story_start, topup_at_counter

pytestmark = pytest.mark.django_db

TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*")
# Codes, names and abbreviations a Chinese page may show: outlet codes, usernames, brand, units.
ALLOWED = {
    "SH-A",
    "SH-B",
    "NJ-C",
    "SH",
    "NJ",
    "A",
    "B",
    "C",
    "W",
    "POS",
    "PDA",
    "App",
    "Omnipoint",
    "English",
    "H",
    "WeChat",
    "CSV",
    "XLSX",
    "PDF",
}


def english(html: str, allowed: set[str]) -> list[str]:
    text = unescape(TAGS.sub(" ", html))
    return [w for w in WORD.findall(text) if w not in allowed]


def _client(persona: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user_of(persona))
    return client


def test_a_manager_closes_a_day_and_reads_it_in_chinese():
    story = story_start()
    d1, d2 = days_ago(2), days_ago(1)
    since = timezone.now()
    counter_sale(story, "A", 0, 2, "split")
    counter_sale(story, "B", 1, 1, "points")
    topup_at_counter(story, "A", "till-1")
    move_to_day(since, d1)
    hq = _client("hq_admin")
    resp = hq.post(reverse("clearing:days"), {"day": str(d1)})
    assert resp.status_code == 302 and ClearingRun.objects.filter(day=d1).exists()
    since = timezone.now()
    refund_part(story, 0)
    move_to_day(since, d1, hour=23)  # late: lands in d2
    assert hq.post(reverse("clearing:days"), {"day": str(d2)}).status_code == 302

    allowed = ALLOWED | {"hq", "admin", "outlet", "manager", "city", "province"}  # usernames
    pages = [reverse("clearing:days"), reverse("clearing:day", args=[d1]), reverse("clearing:day", args=[d2])]
    pages += [reverse("clearing:day", args=[d1]) + "?node=/31/", reverse("clearing:shifts")]
    for url in pages:
        resp = hq.get(url)
        assert resp.status_code == 200, url
        assert english(resp.content.decode(), allowed) == [], url
    day2 = hq.get(reverse("clearing:day", args=[d2])).content.decode()
    assert "调整" in day2 and str(d1) in day2  # the late refund, naming the day it corrects
    day1 = hq.get(reverse("clearing:day", args=[d1])).content.decode()
    assert "上海" in day1 and "现金" in day1  # the tree under HQ and the breakdown by method

    mine = _client("outlet_manager").get(reverse("clearing:day", args=[d1]))
    assert mine.status_code == 200 and "黄浦旗舰店" in mine.content.decode()
    assert "浦东邮政营业所" not in mine.content.decode()
    assert _client("outlet_manager").get(reverse("clearing:day", args=[d1]) + "?node=hq").status_code == 404
    assert _client("outlet_clerk").get(reverse("clearing:days")).status_code == 403
    refused = hq.post(reverse("clearing:days"), {"day": "2026-02-30"})
    assert refused.status_code == 422 and english(refused.content.decode(), allowed | {"Y", "M", "D"}) == []


def test_a_clerk_opens_and_closes_a_shift_at_the_counter():
    story = story_start()
    clerk = _client("outlet_clerk")
    assert (
        clerk.post(reverse("clearing:shifts"), {"action": "open", "outlet": story.net.a.pk}).status_code
        == 302
    )
    shift = CounterShift.objects.get()
    page = clerk.get(reverse("clearing:shifts")).content.decode()
    assert english(page, ALLOWED | {"outlet", "clerk"}) == []
    bad = clerk.post(reverse("clearing:shifts"), {"action": "close", "shift": shift.pk, "declared": "12.345"})
    assert bad.status_code == 422
    ok = clerk.post(reverse("clearing:shifts"), {"action": "close", "shift": shift.pk, "declared": "12.5"})
    assert ok.status_code == 302
    shift.refresh_from_db()
    assert (shift.declared_cash, shift.expected_cash, shift.difference) == (12_50, 0, 12_50)


PAGE_STATUS = {  # persona: (closed days, a day, shifts)
    "hq_admin": (200, 200, 200),
    "province_manager": (200, 200, 200),
    "city_manager": (200, 200, 200),
    "outlet_manager": (200, 200, 200),
    "outlet_clerk": (403, 403, 200),
    "other_city_clerk": (403, 403, 200),
}


@pytest.mark.parametrize("persona", sorted(PAGE_STATUS))
def test_every_page_answers_each_persona_by_role(persona):
    build_network(stock=0)
    day = days_ago(1)
    services.day_close(actor=SYSTEM, day=day)
    client = _client(persona)
    urls = (reverse("clearing:days"), reverse("clearing:day", args=[day]), reverse("clearing:shifts"))
    assert tuple(client.get(u).status_code for u in urls) == PAGE_STATUS[persona]
    member = Client()
    member.force_login(get_user_model().objects.create_user(username="shopper", password="x"))
    assert member.get(urls[2]).status_code == 403
