"""The console's bill pages: the counter (look up, pay, receipt) and the agent's page, in both
languages, for whoever may see them."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omnipoint.billpay import sandbox, services
from omnipoint.billpay.models import BillPayment
from omnipoint.outlets.domain import SYSTEM
from omnipoint.testing import user_of

from .conftest import POWER

pytestmark = pytest.mark.django_db


def client_of(persona, lang="zh-hans"):
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user_of(persona))
    return c


def latin(html):
    from tests.test_pages_zh import ALLOWED, english_words

    return english_words(
        html,
        ALLOWED
        | {"agent_clerk", "outlet_clerk", "hq_admin", "other_city_clerk", "city_manager", "city", "manager"},
    )


def test_an_agent_takes_a_bill_at_the_counter_and_sees_the_float_go_down(bills):
    c = client_of("agent_clerk")
    account = bills.power.account(0)
    page = c.get(reverse("billpay:counter"), {"outlet": bills.agent.pk, "biller": POWER, "account": account})
    assert page.status_code == 200 and "应缴金额" in page.content.decode()
    assert latin(page.content.decode()) == []
    bill = page.context["bill"]
    form = {
        "outlet": bills.agent.pk,
        "biller": POWER,
        "account": account,
        "amount": bill.amount,
        "client_key": "k",
    }
    resp = c.post(reverse("billpay:counter"), form)
    payment = BillPayment.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("billpay:receipt", args=[payment.number])
    assert c.post(reverse("billpay:counter"), form).status_code == 302  # a double click: the same payment
    assert BillPayment.objects.count() == 1
    services.callback_receive(
        actor=SYSTEM,
        biller=POWER,
        body=(cb := sandbox.callback_build(sandbox.bill_confirm(bill_ref=payment.bill_ref)))[0],
        headers=cb[1],
    )
    receipt = c.get(reverse("billpay:receipt", args=[payment.number])).content.decode()
    assert "缴费单位已确认销账" in receipt and latin(receipt) == []
    agent = c.get(reverse("billpay:agent")).content.decode()
    assert "预存款余额" in agent and latin(agent) == [], latin(agent)
    en = (
        client_of("agent_clerk", "en")
        .get(reverse("billpay:agent"), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "Float available" in en


def test_refusals_are_worded_in_chinese_on_the_counter(bills):
    c = client_of("agent_clerk")
    page = c.get(reverse("billpay:counter"), {"outlet": bills.agent.pk, "biller": POWER, "account": "12345"})
    assert page.status_code == 422 and latin(page.content.decode()) == []
    assert "户号" in page.context["error"]


def test_only_who_holds_the_outlet_opens_its_receipts(bills):
    account = bills.power.account(0)
    payment = services.bill_pay(actor=SYSTEM, outlet_id=bills.net.a.pk, biller=POWER, account=account,
                                amount=bills.power.lookup(account).amount)  # fmt: skip
    url = reverse("billpay:receipt", args=[payment.number])
    assert client_of("outlet_clerk").get(url).status_code == 200
    assert client_of("hq_admin").get(url).status_code == 200
    assert client_of("other_city_clerk").get(url).status_code == 404
    assert client_of("agent_clerk").get(url).status_code == 404
    nobody = Client()
    assert nobody.get(url).status_code == 302  # to the sign-in page
    get_user_model().objects.create_user(username="shopper", password="x")
    shopper = Client()
    shopper.force_login(get_user_model().objects.get(username="shopper"))
    assert shopper.get(reverse("billpay:counter")).status_code == 403


def test_a_bill_paid_in_cash_at_a_corner_shop_shows_in_the_member_s_account(bills):
    from omnipoint.members.models import Member
    from omnipoint.members.services import member_user_ensure

    account = bills.power.account(0)
    services.bill_pay(actor=bills.agent_clerk, outlet_id=bills.agent.pk, biller=POWER, account=account,
                      amount=bills.power.lookup(account).amount, mobile="138-0013-8000")  # fmt: skip
    member = member_user_ensure(actor=SYSTEM, member=Member.objects.get(mobile="13800138000"))
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(member.user)
    page = c.get(reverse("billpay_shop:mine")).content.decode()
    assert account in page and "便民小卖部" in page and "国网上海市电力公司" in page
    assert latin(page) == [], latin(page)
    other = member_user_ensure(
        actor=SYSTEM, member=Member.objects.create(mobile="13900139000", card_code="C1")
    )
    c.force_login(other.user)
    assert account not in c.get(reverse("billpay_shop:mine")).content.decode()
    assert Client().get(reverse("billpay_shop:mine")).status_code == 302


def test_a_member_looks_a_bill_up_and_pays_it_from_the_wallet_in_the_shop(bills):
    from omnipoint.loyalty.services import wallet_topup
    from omnipoint.members.services import member_get_or_create, member_user_ensure

    member = member_user_ensure(actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile="13800138000"))
    wallet_topup(actor=SYSTEM, member_id=member.pk, key="seed", amount=2000_00)
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(member.user)
    account = bills.power.account(0)
    page = c.get(reverse("billpay_shop:mine"), {"biller": POWER, "account": account})
    assert page.status_code == 200 and latin(page.content.decode()) == []
    bill = page.context["bill"]
    form = {"biller": POWER, "account": account, "amount": bill.amount, "client_key": "k"}
    resp = c.post(reverse("billpay_shop:mine"), form)
    payment = BillPayment.objects.get()
    assert resp.status_code == 302 and payment.member_id == member.pk and payment.mode == "member_wallet"
    done = c.get(resp["Location"]).content.decode()
    assert "待缴费单位确认" in done and latin(done) == []
    bad = c.post(reverse("billpay_shop:mine"), form | {"account": "1", "client_key": "k2"})
    assert bad.status_code == 422 and BillPayment.objects.count() == 1


def test_a_manager_takes_on_an_agent_funds_its_float_and_sees_the_ranking(bills):
    from omnipoint.billpay.models import BillOutlet
    from omnipoint.ledger.domain import AccountKind
    from omnipoint.ledger.selectors import balance

    from .conftest import agent_outlet

    new = agent_outlet("SH-K3")
    c = client_of("city_manager")
    url = reverse("billpay:agents")
    page = c.get(url).content.decode()
    assert "SH-K3" in page and latin(page) == [], latin(page)
    bad = c.post(url, {"action": "enrol", "outlet": new.pk, "basis": "count", "tiers": "5:20"})
    assert bad.status_code == 422 and not BillOutlet.objects.filter(outlet=new).exists()
    assert (
        c.post(
            url, {"action": "enrol", "outlet": new.pk, "basis": "count", "tiers": "0:25, 100:35"}
        ).status_code
        == 302
    )
    point = BillOutlet.objects.get(outlet=new)
    assert point.mode == "agent_float" and point.rebate_schedule["tiers"][1][:2] == [100, 35]
    form = {"action": "fund", "outlet": new.pk, "amount": "300.50", "client_key": "dep-1"}
    assert c.post(url, form).status_code == 302 and c.post(url, form).status_code == 302  # a resend: once
    assert balance(kind=AccountKind.AGENT_FLOAT, owner_id=new.pk) == 300_50
    ranking = c.get(url).context["rows"]
    assert [r.point.outlet.code for r in ranking][:2] and {r.point.outlet.code for r in ranking} == {
        "SH-K",
        "SH-K3",
    }
    assert client_of("outlet_clerk").get(url).status_code == 403
    assert client_of("other_city_clerk").post(url, form).status_code == 403


def test_a_complaint_weighs_on_the_stars_shown_to_the_agent(bills):
    from omnipoint.billpay.models import AgentRating, BillComplaint
    from omnipoint.billpay.services import ratings_recompute

    account = bills.power.account(0)
    payment = services.bill_pay(actor=bills.agent_clerk, outlet_id=bills.agent.pk, biller=POWER, account=account,
                                amount=bills.power.lookup(account).amount)  # fmt: skip
    c = client_of("agent_clerk")
    url = reverse("billpay:complaint", args=[payment.number])
    assert c.post(url, {"reason": ""}).status_code == 302 and not BillComplaint.objects.exists()
    assert client_of("other_city_clerk").post(url, {"reason": "慢"}).status_code == 404
    assert c.post(url, {"reason": "收了钱没到账"}).status_code == 302 and BillComplaint.objects.count() == 1
    month = timezone.localdate().strftime("%Y-%m")
    assert ratings_recompute(actor=SYSTEM, month=month)[bills.agent.pk] == 1
    assert ratings_recompute(actor=SYSTEM, month=month)[bills.agent.pk] == 1  # a rerun rewrites the month
    assert AgentRating.objects.filter(outlet=bills.agent).count() == 1
    page = c.get(reverse("billpay:agent")).content.decode()
    assert "★☆☆☆☆" in page and latin(page) == []


def test_the_shop_s_outlet_page_shows_each_bill_outlet_s_stars(bills):
    services.ratings_recompute(actor=SYSTEM, month=timezone.localdate().strftime("%Y-%m"))
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = c.get(reverse("storefront:outlets"), {"lat": bills.agent.lat, "lng": bills.agent.lng})
    html = page.content.decode()
    english = [w for w in latin(html) if w not in {"m", "km"}]  # the distances' units
    assert page.status_code == 200 and "缴费网点" in html and english == [], english
    rows = page.context["near"]
    assert {n.point.outlet_id: n.stars for n in rows}[bills.agent.pk] == 1  # no bills yet: one star
    assert 'data-stars="1"' in html and "★☆☆☆☆" in html
    assert bills.net.c.pk not in {n.point.outlet_id for n in rows}  # Nanjing is far away
