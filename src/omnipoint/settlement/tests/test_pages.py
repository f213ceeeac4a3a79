"""Settlement in the console, persona by persona: the statements at each one's node, a
franchise store's manager reading their own, finance drawing up a month on the task queue (the
page polls the job until it links the statements), confirming and paying; a refused form changes
nothing."""

import pytest
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.services import staff_create
from omnipoint.settlement import services
from omnipoint.settlement.models import SettlementJob, Statement
from omnipoint.testing import user_of

from .world import build_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def huey_immediate():
    """Tasks run at once in the calling thread (after the transaction commits)."""
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


@pytest.fixture
def month(settings):
    m = build_month(settings)
    services.statements_generate(actor=SYSTEM, period=m.period.code)
    return m


def rows(month):
    return list(Statement.objects.order_by("pk").values_list("pk", "state", "amount", "pay_key"))


# Which of the month's statements each persona sees, and whether they may act on them.
SEES = {
    "hq_admin": {"supplier", "franchise", "agent_party", "seller"},
    "province_manager": {"supplier", "agent_party", "seller"},
    "city_manager": {"agent_party", "seller"},
    "outlet_manager": {"seller"},  # the salesperson at A
    "franchisee": {"franchise"},
}


def test_each_persona_sees_the_statements_at_their_node_and_refused_forms_change_nothing(client, month):
    staff_create(actor=SYSTEM, username="franchisee", password="x" * 12, display_name="加盟店长",
                 role="outlet_manager", outlet=month.story.net.c)  # fmt: skip
    for persona in [*SEES, "outlet_clerk", "other_city_clerk"]:
        client.force_login(user_of(persona))
        page = client.get(reverse("settlement:statements"), {"period": month.period.code})
        seen = SEES.get(persona)
        if seen is None:
            assert page.status_code == 403, persona
            continue
        assert page.status_code == 200, persona
        for name in ("supplier", "franchise", "agent_party", "seller"):
            st = Statement.objects.get(party=getattr(month, name))
            detail = client.get(reverse("settlement:statement", args=[st.pk]))
            assert (detail.status_code == 200) == (name in seen), (persona, name, detail.status_code)
            assert (reverse("settlement:statement", args=[st.pk]) in page.content.decode()) == (name in seen)
            if name in seen:
                assert (b'id="confirm"' in detail.content) == (
                    persona in ("hq_admin", "province_manager", "city_manager")
                )
    # refused forms change nothing
    st = Statement.objects.get(party=month.agent_party)
    before = rows(month)
    client.force_login(user_of("outlet_manager"))
    assert client.post(reverse("settlement:statements"), {"period": month.period.code}).status_code == 403
    client.force_login(user_of("city_manager"))
    for data, status in (
        ({"action": "pay", "key": "k1"}, 409),  # not confirmed yet
        ({"action": "file", "fmt": "docx"}, 422),
    ):
        assert client.post(reverse("settlement:statement", args=[st.pk]), data).status_code == status
    for period, status in (("2026/11", 422), ("2999-01", 422)):
        page = client.post(reverse("settlement:statements"), {"period": period})
        assert page.status_code == status and b'role="alert"' in page.content
    other = Statement.objects.get(party=month.franchise)  # Nanjing's: not the city manager's
    assert (
        client.post(reverse("settlement:statement", args=[other.pk]), {"action": "confirm"}).status_code
        == 404
    )
    assert rows(month) == before and not SettlementJob.objects.exists()


def test_finance_draws_up_a_month_on_the_queue_then_confirms_and_pays(
    client, settings, huey_immediate, django_capture_on_commit_callbacks
):
    month = build_month(settings)
    client.force_login(user_of("hq_admin"))
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued once the job commits
        resp = client.post(reverse("settlement:statements"), {"period": month.period.code})
    job = SettlementJob.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("settlement:job", args=[job.pk])
    page = client.get(resp["Location"])
    assert b'hx-trigger="every 2s"' not in page.content  # done already: nothing left to poll
    progress = client.get(reverse("settlement:job_progress", args=[job.pk])).content.decode()
    assert "4 / 4" in progress and f"?period={month.period.code}" in progress
    st = Statement.objects.get(party=month.supplier)
    client.post(reverse("settlement:statement", args=[st.pk]), {"action": "confirm"})
    page = client.get(reverse("settlement:statement", args=[st.pk])).content.decode()
    key = page.split('name="key" value="')[1].split('"')[0]
    for _ in range(2):  # the form sent twice pays once
        client.post(reverse("settlement:statement", args=[st.pk]), {"action": "pay", "key": key})
    st.refresh_from_db()
    assert st.state == "paid" and st.pay_key == key
    # a large file on the queue: the job links its download
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("settlement:statement", args=[st.pk]), {"action": "file", "fmt": "xlsx"})
    job = SettlementJob.objects.get(kind="export")
    assert job.state == "done" and job.file.endswith(".xlsx")
    file = client.get(reverse("settlement:job_file", args=[job.pk]))
    assert file.status_code == 200 and file["Content-Type"].startswith("application/vnd.openxml")
    client.force_login(user_of("city_manager"))  # another's job is not theirs to see
    assert client.get(reverse("settlement:job", args=[job.pk])).status_code == 404
    assert client.get(f"/api/v1/settlement/jobs/{job.pk}").status_code == 404
    # the same through the API: queued, polled, downloaded
    client.force_login(user_of("hq_admin"))
    body = {"kind": "export", "statement_id": st.pk, "fmt": "csv"}
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post("/api/v1/settlement/jobs", body, content_type="application/json")
    assert queued.status_code == 201 and queued.json()["state"] == "queued"
    polled = client.get(f"/api/v1/settlement/jobs/{queued.json()['id']}").json()
    assert polled["state"] == "done" and polled["file_url"]
    csv_file = b"".join(client.get(polled["file_url"]).streaming_content).decode("utf-8-sig")
    assert f"{st.amount / 100:.2f}" in csv_file.splitlines()[-1]


def test_finance_adds_a_party_and_edits_its_terms_and_rates_in_the_console(client, network):
    from decimal import Decimal

    from omnipoint.catalog.models import Category
    from omnipoint.settlement.models import Party

    client.force_login(user_of("hq_admin"))
    parties = reverse("settlement:parties")
    refused = client.post(parties, {"kind": "franchise", "outlet_id": network.a.pk, "rate": "0.1"})
    assert refused.status_code == 422 and "该网点不是加盟店" in refused.content.decode()
    assert not Party.objects.exists()
    added = client.post(parties, {"kind": "franchise", "outlet_id": network.c.pk, "rate": "0.1"})
    party = Party.objects.get()
    page = reverse("settlement:party", args=[party.pk])
    assert added.url == page and party.name == network.c.name
    client.post(
        page, {"action": "edit", "name": "玄武加盟店", "rate": "0.12", "cycle": "week", "is_active": "on"}
    )
    party.refresh_from_db()
    assert (party.name, party.rate, party.cycle, party.is_active) == (
        "玄武加盟店",
        Decimal("0.12"),
        "week",
        True,
    )
    category = Category.objects.order_by("pk").first()
    client.post(page, {"action": "rate", "category_id": category.pk, "rate": "0.05"})
    assert list(party.rates.values_list("category_id", "rate")) == [(category.pk, Decimal("0.05"))]
    bad = client.post(page, {"action": "rate", "category_id": category.pk, "rate": "1.5"})
    assert bad.status_code == 422 and "最多四位小数" in bad.content.decode()
    client.post(page, {"action": "unrate", "category_id": category.pk})
    assert not party.rates.exists() and "玄武加盟店" in client.get(parties).content.decode()

    client.force_login(user_of("city_manager"))  # Shanghai's: C is not theirs
    assert client.get(page).status_code == 404 and "玄武加盟店" not in client.get(parties).content.decode()
    client.force_login(user_of("outlet_manager"))  # reads their node's, without the forms
    listing = client.get(parties)
    assert listing.status_code == 200 and 'id="new-party"' not in listing.content.decode()
    client.force_login(user_of("outlet_clerk"))
    assert client.get(parties).status_code == 403
