"""A closed day's clearing as CSV, XLSX and PDF: each file read back (csv, openpyxl, pypdf), its
totals equal to the API's figures at the node, the adjustments in it, headers in the reader's
language; bad input refused with a stable code."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from omnipoint.clearing import services
from omnipoint.clearing.domain import MONEY, Measure, business_today
from omnipoint.outlets.domain import SYSTEM

from .story import counter_sale, days_ago, move_to_day, refund_part, story_start, topup_at_counter

pytestmark = pytest.mark.django_db
V1 = "/api/v1/clearing"


@pytest.fixture(scope="module")
def days():
    return days_ago(3), days_ago(2)


@pytest.fixture
def story(days):
    """Sales at A and C on d1, closed; a sale and a top-up on d2 and a late refund of d1, so that
    d2's close books an adjustment of d1."""
    d1, d2 = days
    s = story_start()
    since = timezone.now()
    counter_sale(s, "A", 0, 2, "cash")
    counter_sale(s, "C", 1, 1, "split")
    move_to_day(since, d1)
    services.day_close(actor=SYSTEM, day=d1)
    since = timezone.now()
    counter_sale(s, "A", 2, 1, "cash")
    topup_at_counter(s, "B", "t1")
    move_to_day(since, d2)
    since = timezone.now()
    refund_part(s, 0)
    move_to_day(since, d1, hour=23)
    services.day_close(actor=SYSTEM, day=d2)
    return s


def _get(client, story, url, persona="hq_admin", lang="zh-hans", **query):
    return client.get(url, query, HTTP_ACCEPT_LANGUAGE=lang, **story.net.auth(persona))


def _body(resp) -> bytes:
    assert resp.status_code == 200, resp.content[:300] if not resp.streaming else resp.status_code
    return b"".join(resp.streaming_content)


def _expected(client, story, day, persona="hq_admin", **query) -> tuple[dict, list[str]]:
    """The API's totals at the node as the files show them (yuan for money), and the measures."""
    api = _get(client, story, f"{V1}/days/{day}", persona, **query).json()
    totals = {
        m: (Decimal(v) / 100).quantize(Decimal("0.01")) if m in MONEY else v for m, v in api["totals"].items()
    }
    return api, totals


def _rows_by_header(header: list[str], rows: list[list]) -> list[dict]:
    return [dict(zip(header, r, strict=True)) for r in rows]


def test_csv_totals_are_the_apis_with_the_adjustments(client, story, days):
    d1, d2 = days
    api, totals = _expected(client, story, d2)
    resp = _get(client, story, f"{V1}/days/{d2}/export.csv")
    assert resp.streaming and resp["Content-Type"].startswith("text/csv")
    assert f"clearing-{d2}-hq.csv" in resp["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(_body(resp).decode("utf-8-sig"))))
    assert d2.isoformat() in lines[0][0] and "日结" in lines[0][0]
    header, body = lines[1], lines[2:]
    assert header[:5] == ["层级", "机构", "渠道", "支付方式", "更正的日期"]
    rows = _rows_by_header(header, body)
    total = rows[-1]
    assert total["层级"] == "合计"
    net, paid = f"{Measure.NET.label} (¥)", f"{Measure.PAID.label} (¥)"
    assert Decimal(total[net]) == totals["net"] and Decimal(total[paid]) == totals["paid"]
    # the whole network's own rows add up to its totals; every outlet's add up to the same
    own = [r for r in rows[:-1] if r["层级"] == "全网" and not r["更正的日期"]]
    assert sum(Decimal(r[net]) for r in own) == totals["net"]
    outlets = [r for r in rows[:-1] if r["层级"] == "网点" and not r["更正的日期"]]
    assert sum(Decimal(r[paid]) for r in outlets) == totals["paid"]
    # the late refund of d1 is an adjustment in d2, naming d1, as the API has it
    adjustments = [r for r in rows if r["更正的日期"] == d1.isoformat() and r["层级"] == "全网"]
    refunded = f"{Measure.REFUNDED.label} (¥)"
    api_refunded = sum(a["value"] for a in api["adjustments"] if a["measure"] == "refunded")
    assert api_refunded and sum(Decimal(r[refunded]) for r in adjustments) * 100 == api_refunded


def test_xlsx_is_read_back_with_openpyxl(client, story, days):
    _d1, d2 = days
    _api, totals = _expected(client, story, d2, "outlet_manager")
    resp = _get(client, story, f"{V1}/days/{d2}/export.xlsx", "outlet_manager", lang="en")
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(_body(resp)), read_only=True).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = values[1]
    assert header[:5] == ["Level", "Node", "Channel", "Payment method", "Corrects the day"]
    rows = _rows_by_header(header, values[2:])
    assert {r["Level"] for r in rows[:-1]} == {"Outlet"}  # an outlet manager's own outlet only
    total = rows[-1]
    assert total["Level"] == "Total"
    for m, v in totals.items():
        column = Measure(m).label + (" (¥)" if m in MONEY else "")
        assert (
            Decimal(str(total[str(column)])).quantize(Decimal("0.01")) == v
            if m in MONEY
            else total[str(column)] == v
        )
    paid = sum(Decimal(str(r["Taken (¥)"] or 0)) for r in rows[:-1] if not r["Corrects the day"])
    assert paid == totals["paid"]


def test_pdf_text_is_read_back_with_pypdf(client, story, days):
    _d1, d2 = days
    _api, totals = _expected(client, story, d2, "city_manager")
    resp = _get(client, story, f"{V1}/days/{d2}/export.pdf", "city_manager")
    assert resp["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(_body(resp))).pages)
    assert f"日结报表 {d2}" in text and "黄浦旗舰店 (SH-A)" in text and "NJ-C" not in text
    words = text.splitlines()
    after_total = words[words.index("合计") :]  # each cell is drawn on its own
    assert f"{totals['net']:,.2f}" in after_total and f"{totals['paid']:,.2f}" in after_total


def test_bad_input_is_refused_with_a_stable_code(client, story, days):
    d1, d2 = days
    today = business_today(timezone.now())
    for url, persona, query, status, code in [
        (f"{V1}/days/{d2}/export.docx", "hq_admin", {}, 422, "unknown_format"),
        (f"{V1}/days/{d2}/export.", "hq_admin", {}, 404, None),
        (f"{V1}/days/{today}/export.csv", "hq_admin", {}, 404, "day_not_closed"),
        (f"{V1}/days/{d1 - timedelta(days=1)}/export.xlsx", "hq_admin", {}, 404, "day_not_closed"),
        (f"{V1}/days/2026-02-30/export.pdf", "hq_admin", {}, 422, "invalid_day"),
        (f"{V1}/days/{d2}/export.csv", "outlet_manager", {"node": "hq"}, 404, "node_not_found"),
        (
            f"{V1}/days/{d2}/export.csv",
            "city_manager",
            {"node": f"outlet:{story.net.c.pk}"},
            404,
            "node_not_found",
        ),
        (f"{V1}/days/{d2}/export.pdf", "outlet_clerk", {}, 403, "forbidden"),
    ]:
        resp = _get(client, story, url, persona, **query)
        assert resp.status_code == status, (url, resp.status_code)
        if code:
            assert resp.json()["code"] == code, resp.json()


def test_rows_read_in_small_chunks_are_the_same(client, story, days, monkeypatch):
    """The export reads its figures in chunks: a row of one node x channel x method whose
    measures fall in two chunks is still one row."""
    from omnipoint.clearing import selectors

    _d1, d2 = days
    whole = _body(_get(client, story, f"{V1}/days/{d2}/export.csv"))
    monkeypatch.setattr(selectors, "EXPORT_CHUNK", 2)
    assert _body(_get(client, story, f"{V1}/days/{d2}/export.csv")) == whole
