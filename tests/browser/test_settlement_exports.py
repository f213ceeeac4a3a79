"""Finance at HQ opens last month's supplier statement in the console and downloads it as XLSX
and PDF: the files, read back with openpyxl and pypdf, hold the API's amount; the page at phone
width in Chinese and in English (screenshots)."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader
from tests.browser.conftest import _REGIONS, PHONE, log_in, shot
from tests.browser.test_books_exports import WIDER, _download

from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.models import Region
from omnipoint.outlets.services import regions_load
from omnipoint.settlement import services
from omnipoint.settlement.models import Statement
from omnipoint.settlement.tests.world import build_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_month(transactional_db, live_server, settings):
    if not Region.objects.exists():
        if _REGIONS:
            Region.objects.bulk_create([Region(**row) for row in _REGIONS], batch_size=1000)
        else:
            regions_load(actor=SYSTEM)
    month = build_month(settings)
    services.statements_generate(actor=SYSTEM, period=month.period.code)
    return month


def test_finance_downloads_a_supplier_statement_as_xlsx_and_pdf(live_server, live_month, browser):
    base, month = live_server.url, live_month
    st = Statement.objects.get(party=month.supplier)
    api = Client().get(f"/api/v1/settlement/statements/{st.pk}", **month.story.net.auth("hq_admin")).json()
    amount = (Decimal(api["amount"]) / 100).quantize(Decimal("0.01"))
    assert amount > 0

    for lang, locale in (("zh", "zh-CN"), ("en", "en-US")):
        context = browser.new_context(viewport=PHONE, locale=locale, accept_downloads=True)
        context.set_default_timeout(10_000)
        page = context.new_page()
        log_in(page, base, "hq_admin")
        page.goto(f"{base}/console/settlement/?period={month.period.code}")
        page.click(f"a[href='/console/settlement/{st.pk}/']")
        page.wait_for_selector("#downloads")
        shot(page, f"settlement_supplier_{lang}_phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, page.evaluate(
            WIDER
        )

        rows = [
            list(r)
            for r in load_workbook(io.BytesIO(_download(page, "xlsx")), read_only=True).active.iter_rows(
                values_only=True
            )
        ]
        header, total = rows[1], rows[-1]
        assert total[0] == ("合计" if lang == "zh" else "Total")
        assert header[-1] == ("应付 (¥)" if lang == "zh" else "Payable (¥)")
        assert Decimal(str(total[-1])).quantize(Decimal("0.01")) == amount

        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(_download(page, "pdf"))).pages)
        words = text.splitlines()
        assert f"{amount:,.2f}" in words[words.index("合计" if lang == "zh" else "Total") :]
        assert ("结算单" if lang == "zh" else "Statement") in text
        context.close()
