"""The reconciliation pages, persona by persona: finance at HQ fetches, uploads, repairs and
resolves; every other role is refused; a malformed upload is refused and changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from omnipoint.orders.models import Order
from omnipoint.payments.sandbox import statement_build
from omnipoint.reconciliation.models import Difference, ReconRun, Resolution, StatementLine
from omnipoint.testing import PERSONAS, user_of

from .world import day_build

pytestmark = pytest.mark.django_db


def _client(persona: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user_of(persona))
    return client


def _state() -> tuple[int, int, int, int]:
    return (
        ReconRun.objects.count(),
        StatementLine.objects.count(),
        Difference.objects.count(),
        Resolution.objects.count(),
    )


def test_finance_imports_repairs_and_resolves_and_nobody_else_may():
    w = day_build(paid=1, lost=1, refunds=0)
    day = w.day.isoformat()
    hq = _client("hq_admin")
    runs = reverse("reconciliation:runs")
    for persona in (p for p in PERSONAS if p != "hq_admin"):
        assert _client(persona).get(runs).status_code == 403, persona
        assert _client(persona).post(runs, {"action": "fetch", "day": day}).status_code == 403
    assert _state() == (0, 0, 0, 0)

    bad = hq.post(runs, {"action": "upload", "day": day, "file": _file(b"not,a,statement\r\n")})
    assert bad.status_code == 422 and "不是渠道的交易对账单" in bad.content.decode()
    assert hq.post(runs, {"action": "fetch", "day": "2026/13/01"}).status_code == 422
    assert _state() == (0, 0, 0, 0)

    upload = hq.post(runs, {"action": "upload", "day": day, "file": _file(statement_build(day=w.day))})
    assert upload.status_code == 302 and upload["Location"] == reverse("reconciliation:run", args=[day])
    page = hq.get(upload["Location"]).content.decode()
    assert "渠道已收款，本方未入账" in page and w.lost[0].number in page and "修复" in page
    assert _client("city_manager").get(upload["Location"]).status_code == 403
    (lost,) = Difference.objects.all()
    act = reverse("reconciliation:act", args=[lost.pk])
    assert _client("outlet_manager").post(act, {"action": "repair"}).status_code == 403
    assert hq.post(act, {"action": "repair"}).status_code == 302
    assert Order.objects.get(pk=w.lost[0].order_id).payment_state == "paid"
    again = hq.post(act, {"action": "resolve", "reason": "timing", "note": "x"})
    assert again.status_code == 409 and "该差异已处理" in again.content.decode()
    assert "已修复：款项已入账" in hq.get(upload["Location"]).content.decode()
    assert hq.get(runs).status_code == 200
    assert hq.get(reverse("reconciliation:run", args=["2020-01-01"])).status_code == 404


def _file(content: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("statement.csv", content, content_type="text/csv")
