"""Finance at HQ uploads yesterday's trade statement on a phone, in Chinese: the lost
notification is listed, finance resolves it with a reason and a note, then matches the day again
and the resolution stays (screenshots)."""

import pytest
from tests.browser.conftest import PHONE, log_in, shot

from omnipoint.payments import sandbox
from omnipoint.payments.tests.conftest import SECRET
from omnipoint.reconciliation.models import Difference, StatementLine
from omnipoint.reconciliation.tests.world import day_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_uploads_a_statement_and_resolves_a_difference(
    live_server, live_network, phone, settings, tmp_path
):
    settings.SANDBOX_GATEWAY, settings.SANDBOX_PAY_SECRET = True, SECRET
    settings.SITE_URL = live_server.url
    w = day_build(net=live_network, paid=1, lost=1, refunds=0)
    statement = tmp_path / "statement.csv"
    statement.write_bytes(sandbox.statement_build(day=w.day))
    base, page = live_server.url, phone

    log_in(page, base, "hq_admin")
    page.goto(f"{base}/console/reconciliation/")
    upload = page.locator("form[enctype='multipart/form-data']")
    upload.locator("input[name=day]").fill(w.day.isoformat())
    upload.locator("input[name=file]").set_input_files(str(statement))
    upload.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/console/reconciliation/{w.day.isoformat()}/")
    row = page.locator("#differences tbody tr")
    assert row.count() == 1 and w.lost[0].number in row.inner_text() and "通知丢失" in row.inner_text()
    shot(page, "reconciliation_run_zh_phone")

    row.locator("select[name=reason]").select_option("timing")
    row.locator("input[name=note]").fill("次日到账")
    row.locator("button", has_text="处理").last.click()
    page.wait_for_selector("#differences tbody tr >> text=次日到账")
    lines = list(StatementLine.objects.values_list("pk", "amount", "state"))
    page.click("text=重新匹配当日")
    page.wait_for_selector("text=已重新匹配")
    assert "次日到账" in page.locator("#differences").inner_text()
    assert Difference.objects.filter(resolution__isnull=False).count() == Difference.objects.count() == 1
    assert list(StatementLine.objects.values_list("pk", "amount", "state")) == lines
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    shot(page, "reconciliation_resolved_zh_phone")
