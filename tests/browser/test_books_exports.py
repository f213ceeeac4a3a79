"""Finance at HQ opens a closed day in the console and downloads its clearing report as XLSX and
PDF: the files, read back with openpyxl and pypdf, hold the API's totals; the page at desktop
and phone width in Chinese and in English (screenshots)."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader
from tests.browser.conftest import DESKTOP, PHONE, log_in, shot

from omnipoint.clearing import services
from omnipoint.clearing.tests.story import days_ago, move_to_day
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.services import LineRequest, order_place
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments.services import payment_capture
from omnipoint.testing import user_of

# What sticks out of the phone's width, outside the tables' own scrolling boxes.
WIDER = """() => [...document.querySelectorAll('body *')].filter(e => !e.closest('.scroll'))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(e => e.tagName + '.' + e.className + ' ' + (e.id || '')).slice(0, 8)"""
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sell(net, outlet, sku: int, qty: int) -> None:
    sale = order_place(
        actor=actor_for_user(user=user_of("outlet_clerk")), channel="pos", method="counter", payment_mode="counter",
        origin_outlet_id=outlet.pk, lines=[LineRequest(net.skus[sku].pk, qty)],
    )  # fmt: skip
    payment_capture(actor=actor_get(user=user_of("hq_admin")), order_id=sale.pk, method="cash")


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def _download(page, fmt: str) -> bytes:  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        page.click(f"#downloads a:text-is('{fmt.upper()}')")
    download = info.value
    assert download.suggested_filename.endswith(f".{fmt}")
    with open(download.path(), "rb") as f:
        return f.read()


def test_finance_downloads_a_closed_day_as_xlsx_and_pdf(live_server, live_network, browser):
    net, base = live_network, live_server.url
    day = days_ago(1)
    since = timezone.now()
    _sell(net, net.a, 0, 2)
    _sell(net, net.a, 2, 1)
    move_to_day(since, day)
    services.day_close(actor=SYSTEM, day=day)
    api = Client().get(f"/api/v1/clearing/days/{day}", **net.auth("hq_admin")).json()
    net_total, paid = _yuan(api["totals"]["net"]), _yuan(api["totals"]["paid"])
    assert net_total > 0

    for lang, locale in (("zh", "zh-CN"), ("en", "en-US")):
        context = browser.new_context(viewport=DESKTOP, locale=locale, accept_downloads=True)
        context.set_default_timeout(10_000)
        page = context.new_page()
        log_in(page, base, "hq_admin")
        page.goto(f"{base}/console/clearing/")
        page.click(f"a[href='/console/clearing/{day}/']")
        page.wait_for_selector("#downloads")
        shot(page, f"books_day_{lang}_desktop")

        sheet = load_workbook(io.BytesIO(_download(page, "xlsx")), read_only=True).active
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        header, total = rows[1], rows[-1]
        assert total[0] == ("合计" if lang == "zh" else "Total")
        net_column = header.index("净收款 (¥)" if lang == "zh" else "Net takings (¥)")
        assert Decimal(str(total[net_column])).quantize(Decimal("0.01")) == net_total

        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(_download(page, "pdf"))).pages)
        words = text.splitlines()
        after_total = words[words.index("合计" if lang == "zh" else "Total") :]
        assert f"{net_total:,.2f}" in after_total and f"{paid:,.2f}" in after_total
        assert ("日结报表" if lang == "zh" else "Daily clearing report") in text

        page.set_viewport_size(PHONE)
        page.reload()
        page.wait_for_selector("#downloads")
        shot(page, f"books_day_{lang}_phone")
        wide = page.evaluate(WIDER)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, wide
        context.close()
