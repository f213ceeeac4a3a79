"""A month's statements from the real services' facts: each party's figures against the raw
rows, drafts refreshed and confirmed statements kept, the lifecycle and its refusals, the
ledger balanced, and the files read back."""

import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook
from pypdf import PdfReader

from omnipoint.billpay.models import BillPayment
from omnipoint.core.errors import DomainError
from omnipoint.ledger.checks import ledger_breaches
from omnipoint.ledger.domain import AccountKind
from omnipoint.ledger.selectors import posted_balance
from omnipoint.orders.models import OrderLine, OrderReturn
from omnipoint.outlets.domain import SYSTEM
from omnipoint.settlement import services
from omnipoint.settlement.models import Statement

from .world import RATE_APPLIANCES, RATE_FRANCHISE, build_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(settings):
    return build_month(settings)


def part(amount: int, rate: Decimal) -> int:
    return int((Decimal(amount) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def of(month, party) -> Statement:
    return Statement.objects.get(party=party, period=month.period.code)


def test_each_party_is_owed_what_the_facts_say(month):
    for text, code in (
        ("2026/11", "invalid_period"),
        ("2026-13", "invalid_period"),
        ("2999-01", "period_in_future"),
    ):
        with pytest.raises(DomainError) as e:
            services.statements_generate(actor=SYSTEM, period=text)
        assert e.value.code == code
    assert not Statement.objects.exists()
    result = services.statements_generate(actor=SYSTEM, period=month.period.code)
    assert result.count("created") == 4
    # the supplier at Shanghai: its goods sold at A less the unit returned, less 18 %
    sold = sum(ln.amount for ln in OrderLine.objects.filter(order=month.sale_a))
    back = sum(r.amount for r in OrderReturn.objects.all())
    s = of(month, month.supplier)
    net = sold - back
    assert (s.sales, s.returns, s.deduction) == (sold, back, part(net, RATE_APPLIANCES))
    assert s.amount == net - part(net, RATE_APPLIANCES) > 0
    assert [ln.rate for ln in s.lines.all()] == [RATE_APPLIANCES]
    # the franchisee: the network's cable only, less 10 %
    cable = sum(
        ln.amount
        for ln in OrderLine.objects.filter(order__origin_outlet=month.story.net.c, sku__code="CABLE-1M")
    )
    f = of(month, month.franchise)
    assert (f.sales, f.returns, f.amount) == (cable, 0, cable - part(cable, RATE_FRANCHISE))
    # the agent: what billpay accrued; the salesperson: commission less what the return took back
    assert (
        of(month, month.agent_party).amount == sum(BillPayment.objects.values_list("rebate", flat=True)) > 0
    )
    assert (
        of(month, month.seller).amount
        == posted_balance(kind=AccountKind.STAFF_COMMISSION, owner_id=month.story.seller)
        > 0
    )


def test_a_draft_follows_its_facts_and_a_confirmed_statement_stays(client, month):
    services.statements_generate(actor=SYSTEM, period=month.period.code)
    again = services.statements_generate(actor=SYSTEM, period=month.period.code)
    assert again.count("unchanged") == 4
    services.party_rate_set(
        actor=SYSTEM,
        party_id=month.franchise.pk,
        category_id=month.story.net.skus[2].product.category_id,
        rate="0.05",
    )
    services.statement_confirm(actor=SYSTEM, statement_id=of(month, month.supplier).pk)
    third = services.statements_generate(actor=SYSTEM, period=month.period.code)
    assert third.outcomes[month.franchise.pk] == "refreshed" and third.outcomes[month.supplier.pk] == "kept"
    assert of(month, month.franchise).deduction == part(of(month, month.franchise).sales, Decimal("0.05"))
    # the supplier's statement as files: the same total in each
    st = of(month, month.supplier)
    client.force_login(get_user_model().objects.get(username="hq_admin"))
    url = f"/api/v1/settlement/statements/{st.pk}/export"
    csv_text = b"".join(client.get(f"{url}.csv", HTTP_ACCEPT_LANGUAGE="zh-hans").streaming_content).decode(
        "utf-8-sig"
    )
    assert "应付" in csv_text and f"{st.amount / 100:.2f}" in csv_text.splitlines()[-1]
    xlsx = load_workbook(io.BytesIO(b"".join(client.get(f"{url}.xlsx").streaming_content)), read_only=True)
    last = list(xlsx.active.iter_rows(values_only=True))[-1]
    assert Decimal(str(last[-1])) == Decimal(st.amount) / 100
    pdf = PdfReader(io.BytesIO(b"".join(client.get(f"{url}.pdf").streaming_content)))
    assert f"{st.amount / 100:,.2f}" in "".join(p.extract_text() for p in pdf.pages)


def test_confirm_then_pay_books_the_ledger_once(month):
    services.statements_generate(actor=SYSTEM, period=month.period.code)
    for party in (month.supplier, month.franchise, month.agent_party, month.seller):
        st = of(month, party)
        with pytest.raises(DomainError) as e:
            services.statement_pay(actor=SYSTEM, statement_id=st.pk, key=f"k-{st.pk}")
        assert e.value.code == "statement_not_confirmed"
        services.statement_confirm(actor=SYSTEM, statement_id=st.pk)
        with pytest.raises(DomainError) as e:
            services.statement_confirm(actor=SYSTEM, statement_id=st.pk)
        assert e.value.code == "statement_not_draft"
        first = services.statement_pay(actor=SYSTEM, statement_id=st.pk, key=f"k-{st.pk}")
        retry = services.statement_pay(actor=SYSTEM, statement_id=st.pk, key=f"k-{st.pk}")
        assert first.created and not retry.created and retry.statement.paid_at == first.statement.paid_at
        for call, code in (
            (
                lambda st=st: services.statement_pay(actor=SYSTEM, statement_id=st.pk, key="other"),
                "statement_paid",
            ),
            (lambda st=st: services.statement_confirm(actor=SYSTEM, statement_id=st.pk), "statement_paid"),
        ):
            with pytest.raises(DomainError) as e:
                call()
            assert e.value.code == code
    paid = sum(Statement.objects.values_list("amount", flat=True))
    assert posted_balance(kind=AccountKind.SETTLEMENT_PAID) == paid
    # what the parties were owed is gone from their accounts: payable, rebate, commission
    assert posted_balance(kind=AccountKind.PARTY_PAYABLE, owner_id=month.supplier.pk) == 0
    assert posted_balance(kind=AccountKind.AGENT_REBATE, owner_id=month.agent.pk) == 0
    assert posted_balance(kind=AccountKind.STAFF_COMMISSION, owner_id=month.story.seller) == 0
    assert ledger_breaches() == []


def test_a_return_after_a_confirmed_statement_lands_on_the_next_as_an_adjustment(month, settings):
    """Weekly statements: the week of the sale is confirmed, then the other unit comes back the
    week after; that week's statement gives it back as an adjustment naming the week it corrects,
    and the confirmed one is never changed."""
    from datetime import timedelta

    from omnipoint.clearing.domain import day_bounds
    from omnipoint.orders import services as orders
    from omnipoint.settlement import domain

    settings.SETTLEMENT_CYCLE = "week"
    week = domain.period_of(month.period.start + timedelta(days=9), "week")
    later = domain.period_of(week.end, "week")
    services.statements_generate(actor=SYSTEM, period=week.code)
    first = Statement.objects.get(party=month.supplier, period=week.code)
    services.statement_confirm(actor=SYSTEM, statement_id=first.pk)
    confirmed = (first.sales, first.returns, first.amount, list(first.lines.values_list("item", "payable")))
    sku = month.sale_a.lines.get().sku_id
    back = orders.order_return(
        actor=month.story.hq, order_id=month.sale_a.pk, outlet_id=month.story.net.a.pk, lines=[(sku, 1)]
    )
    OrderReturn.objects.filter(pk=back.pk).update(created_at=day_bounds(later.start)[0] + timedelta(hours=10))

    services.statements_generate(actor=SYSTEM, period=later.code)
    nxt = Statement.objects.get(party=month.supplier, period=later.code)
    (adjustment,) = nxt.lines.all()
    assert (adjustment.corrects, adjustment.sales, adjustment.returns) == (week.code, 0, back.amount)
    assert adjustment.item.endswith(f"（更正 {week.code}）") and adjustment.rate == RATE_APPLIANCES
    assert nxt.amount == -(back.amount - part(back.amount, RATE_APPLIANCES)) < 0  # the supplier owes it back
    first.refresh_from_db()
    assert (
        first.sales,
        first.returns,
        first.amount,
        list(first.lines.values_list("item", "payable")),
    ) == confirmed
