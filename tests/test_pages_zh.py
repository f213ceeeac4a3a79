"""Every console and storefront page, rendered in zh-Hans over the demo story, has no English
in it: what the pages show (text, titles, placeholders, labels) holds no Latin word outside an
allow-list of codes, SKUs, units and the names the data itself gives (brands, usernames).

The small demo is seeded once for the module (rolled back at the end); each persona of the
console, then an anonymous customer and each demo member on the storefront, opens every page
it can reach, with an example of every kind of object in the URL.
"""

import re
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omnipoint.aftersales.models import Ticket as ServiceTicket
from omnipoint.appointments.models import Booking, Offer, Service
from omnipoint.billpay import services as billpay
from omnipoint.billpay.billers import billers_list
from omnipoint.catalog.models import Brand, Category, Product, Sku, Supplier
from omnipoint.catalog.selectors import prices_get
from omnipoint.clearing.domain import business_today
from omnipoint.clearing.services import day_close
from omnipoint.core.channels import Channel
from omnipoint.demo.plan import PERSONA_OUTLET, PERSONAS
from omnipoint.demo.story import DEMO_MEMBERS, WELCOME_COUPON
from omnipoint.inventory.models import CycleCount, StockLevel, Transfer
from omnipoint.marketing.models import Game
from omnipoint.members.models import Member
from omnipoint.members.services import member_user_ensure
from omnipoint.orders.models import Order, OrderReturn, PickTask
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.models import Outlet, Staff
from omnipoint.parcels.models import Parcel
from omnipoint.settlement.models import Statement
from omnipoint.showrooms.models import Showroom

# Latin a user may read on a Chinese page: codes and numbers (anything with a digit), upper-case
# abbreviations (SKU, QR, POS), links, units, our brand, "App" (as Chinese writes it) and "English" (the
# language switcher's own name for English).
ALLOWED = {"km", "kg", "App", "English", "Omnipoint"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*")
SHOWN_ATTRS = {"title", "placeholder", "aria-label", "alt"}


class _Visible(HTMLParser):
    """The text a reader sees: element text and the attributes shown on hover or as hints."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        values = dict(attrs)
        self.parts += [v for k, v in attrs if k in SHOWN_ATTRS and v]
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def english_words(html: str, allowed: set[str]) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    out = []
    for part in parser.parts:
        for token in part.split():
            if any(ch.isdigit() for ch in token) or "://" in token:
                continue  # a code, a number, a SKU, a link
            for word in WORD.findall(token):
                if word in allowed or word.isupper() or word.lower() in allowed:
                    continue
                out.append(word)
    return out


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo_seed", size="small", stdout=open("/dev/null", "w"))
        _cancelled_and_returned()
        for m in DEMO_MEMBERS:  # the story's members shop signed in, as the demo's visitors do
            member_user_ensure(actor=SYSTEM, member=Member.objects.get(mobile=m.mobile))
        connection.check_constraints()
        yield
        transaction.set_rollback(True)


def _counter_sku(outlet: Outlet) -> Sku:
    """A SKU the clerk's outlet has two of to sell at the counter, at a counter price."""
    held = StockLevel.objects.filter(
        location=outlet, on_hand__gte=F("reserved") + 2, sku__is_active=True, sku__product__is_active=True
    ).order_by("sku__code")
    ids = list(held.values_list("sku_id", flat=True))
    prices = prices_get(sku_ids=ids, region=outlet.region, channel=Channel.POS)
    return Sku.objects.get(pk=next(i for i in ids if i in prices))


def _cancelled_and_returned() -> None:
    """What the story does not show, done by the clerk in the console as at the outlet: an order
    paid at the outlet, then cancelled (its money back), and a counter sale returned in full
    (refunded): both for demo members, so their storefront pages show them too."""
    clerk = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    clerk.force_login(get_user_model().objects.get(username="outlet_clerk"))
    outlet = Outlet.objects.get(code=PERSONA_OUTLET)
    sku = _counter_sku(outlet)
    li, wang = DEMO_MEMBERS[1], DEMO_MEMBERS[0]

    keyed = {"channel": "hotline", "method": "pickup", "payment_mode": "at_outlet", "origin": outlet.pk}
    keyed |= {"pickup": outlet.pk, "name": li.name, "mobile": li.mobile, "sku": [sku.code], "qty": ["1"]}
    assert clerk.post(reverse("web:order_new"), keyed).status_code == 302
    order = Order.objects.get(customer_mobile=li.mobile, channel="hotline")
    paid = clerk.post(reverse("web:pickup_pay"), {"outlet": outlet.pk, "order": order.pk, "method": "cash"})
    assert paid.status_code == 200
    cancel = clerk.post(reverse("web:order_cancel", args=[order.pk]), {"reason": "顾客不要了"})
    assert cancel.status_code == 302

    clerk.post(reverse("web:pos"), {"outlet": outlet.pk, "action": "clear"})
    assert clerk.post(reverse("web:pos"), {"action": "add", "q": sku.code, "qty": "1"}).status_code == 302
    assert clerk.post(reverse("web:pos_checkout"), {"customer": wang.mobile}).status_code == 302
    sale = Order.objects.filter(customer_mobile=wang.mobile, channel="pos").latest("pk")
    assert clerk.post(reverse("web:pos_cash", args=[sale.pk]), {"given": "100000"}).status_code == 302
    back = {"outlet": outlet.pk, f"qty_{sku.pk}": "1", "reason": "质量问题"}
    assert clerk.post(reverse("web:order_return", args=[sale.number]), back).status_code == 302
    # And one waiting at the till, to pay by points or wallet.
    assert clerk.post(reverse("web:pos"), {"action": "add", "q": sku.code, "qty": "1"}).status_code == 302
    assert clerk.post(reverse("web:pos_checkout"), {"customer": wang.mobile}).status_code == 302
    order.refresh_from_db()
    sale.refresh_from_db()
    assert (order.state, sale.payment_state) == ("cancelled", "refunded"), (order.state, sale.payment_state)

    # A pickup to pay at the outlet, ready on the shelf: the hand-over asks for the money first.
    liu = DEMO_MEMBERS[3]
    keyed |= {"name": liu.name, "mobile": liu.mobile}
    assert clerk.post(reverse("web:order_new"), keyed).status_code == 302
    due = Order.objects.filter(customer_mobile=liu.mobile, channel="hotline").latest("pk")
    task = PickTask.objects.get(order=due, purpose="pickup")
    for step in ("claim", "picked", "ready"):
        assert clerk.post(reverse("web:task_step", args=[task.pk, step])).status_code == 302


@pytest.fixture
def allowed(demo, db) -> set[str]:
    """The names the data gives: brands, suppliers, usernames, and what merchants wrote about
    their products (names, descriptions and variants, a word of them at a time)."""
    names = [
        *Brand.objects.values_list("name", flat=True),
        *Supplier.objects.values_list("name", flat=True),
        *get_user_model().objects.values_list("username", flat=True),
        *Product.objects.values_list("name", flat=True),
        *Product.objects.values_list("description", flat=True),
        *(
            str(v)
            for attrs in Sku.objects.values_list("attributes", flat=True)
            for v in (attrs or {}).values()
        ),
    ]
    words = {w for n in names for w in WORD.findall(n)}
    return ALLOWED | words | {w.lower() for w in words}


def _check(client: Client, urls: list[str], allowed: set[str], who: str) -> dict[str, list[str]]:
    flagged = {}
    for url in urls:
        r = client.get(url, follow=True)
        assert r.status_code < 500, (who, url)
        if "html" not in r.get("Content-Type", ""):
            continue
        words = english_words(r.content.decode(), allowed)
        if words:
            flagged[f"{who} {url}"] = sorted(set(words))
    return flagged


def _closed_days() -> list[str]:
    """Yesterday, closed: the books' day page over the demo's network."""
    day = business_today(timezone.now()) - timedelta(days=1)
    day_close(actor=SYSTEM, day=day)
    return [str(day)]


def _recon_urls() -> list[str]:
    """Reconciliation: yesterday's statement as the sandbox writes it, and the day before's with
    a line nobody here knows (a difference to repair or resolve), each imported; their pages."""
    from omnipoint.payments.sandbox import statement_build
    from omnipoint.reconciliation.services import statement_import
    from omnipoint.reconciliation.tests.world import write

    today = business_today(timezone.now())
    yesterday, before = today - timedelta(days=1), today - timedelta(days=2)
    statement_import(actor=SYSTEM, day=yesterday, content=statement_build(day=yesterday))
    line = [
        f"{before} 10:00:00",
        "SBX1",
        "P1",
        "NATIVE",
        "SUCCESS",
        "1.00",
        "0",
        "0",
        "0.00",
        "",
        "0.01",
        "0.60%",
    ]
    statement_import(actor=SYSTEM, day=before, content=write([line]))
    run = reverse("reconciliation:run", args=[str(before)])
    return [
        reverse("reconciliation:runs"),
        reverse("reconciliation:run", args=[str(yesterday)]),
        run,
        run + "?kind=unknown_here",
        reverse("reconciliation:run", args=[str(today - timedelta(days=9))]),  # none imported
    ]


def _bill_urls() -> list[str]:
    """The persona outlet and a demo agent point take bills: the counter with a bill looked
    up, a refused look-up, a paid bill's receipt at each, and the agent's page."""
    outlet = Outlet.objects.get(code=PERSONA_OUTLET)
    agent = Outlet.objects.filter(kind="agent_point").order_by("code").first() or Outlet.objects.create(
        code="ZH-AGENT", name="便民服务点", kind="agent_point", region=outlet.region,
        region_path=outlet.region_path, lat=outlet.lat, lng=outlet.lng,
    )  # fmt: skip
    power = next(
        b
        for b in billers_list()
        if b.kind == "electricity" and outlet.region_path.startswith(f"/{b.city_code[:2]}/")
    )
    urls = [reverse("billpay:counter"), reverse("billpay:agent")]
    for i, where in enumerate((outlet, agent)):
        billpay.outlet_enrol(actor=SYSTEM, outlet_id=where.pk)
        if where.kind == "agent_point":
            billpay.float_fund(actor=SYSTEM, outlet_id=where.pk, amount=5_000_00, key="zh-test")
        account = power.account(i)
        payment = billpay.bill_pay(
            actor=SYSTEM,
            outlet_id=where.pk,
            biller=power.code,
            account=account,
            amount=power.lookup(account).amount,
        )
        urls.append(reverse("billpay:receipt", args=[payment.number]))
        lookup = f"?outlet={where.pk}&biller={power.code}&account="
        urls += [
            reverse("billpay:counter") + lookup + power.account(5 + i),
            reverse("billpay:counter") + lookup + "1",
        ]
    billpay.ratings_recompute(actor=SYSTEM, month=timezone.localdate().strftime("%Y-%m"))
    urls += [reverse("billpay:agent") + f"?outlet={agent.pk}", reverse("billpay:agents")]
    return urls


def _parcel_urls() -> list[str]:
    """The demo's parcels (every state): the counter, scan and collection pages, each parcel's
    page and label, and the pages refused input leads to."""
    outlet = Outlet.objects.get(code=PERSONA_OUTLET)
    urls = [reverse(f"parcels:{n}") for n in ("counter", "scan", "collect")]
    urls += [
        reverse("parcels:collect") + f"?outlet={outlet.pk}",
        reverse("parcels:detail", args=["CP123456784CN"]),
    ]
    for p in Parcel.objects.order_by("pk"):
        urls.append(reverse("parcels:detail", args=[p.number]))
        if p.paid_at:
            urls.append(reverse("parcels:label", args=[p.number]))
    return urls


def _flash_sale() -> int:
    """A flash sale of the persona outlet's best-stocked SKU (the demo has none of its own)."""
    from omnipoint.flashsales.models import FlashSale
    from omnipoint.flashsales.services import flash_sale_create

    sale = FlashSale.objects.first()
    if sale is None:
        outlet = Outlet.objects.get(code=PERSONA_OUTLET)
        row = StockLevel.objects.filter(location=outlet).order_by("-on_hand", "sku_id").first()
        assert row is not None and row.available > 1
        now = timezone.now()
        sale = flash_sale_create(actor=SYSTEM, name="秒杀", sku_id=row.sku_id, sources=[(outlet.pk, 1)],
                                 starts_at=now, ends_at=now + timedelta(hours=1), per_member_limit=1)  # fmt: skip
    return sale.pk


def _console_urls() -> list[str]:
    order = Order.objects.order_by("-pk").first()
    assert order is not None
    urls = [
        reverse(f"web:{name}")
        for name in (
            "home",
            "stock",
            "transfers",
            "transfer_new",
            "counts",
            "outlets",
            "showroom",
            "staff",
            "members",
            "member_topup",
            "order_queue",
            "pickup",
            "pos",
            "orders",
            "order_new",
            "returns",
        )
    ]
    urls += [reverse("clearing:days"), reverse("clearing:shifts")]
    urls += _bill_urls()
    urls += _recon_urls()
    urls += _parcel_urls()
    urls += [reverse("flashsales:sales"), reverse("flashsales:sale", args=[_flash_sale()])]
    urls += [reverse("clearing:day", args=[r]) for r in _closed_days()]
    urls.append(reverse("settlement:statements"))
    urls += [
        reverse("settlement:statement", args=[s])
        for s in Statement.objects.order_by("kind").values_list("pk", flat=True)
    ]
    urls.append(reverse("web:stock") + "?q=" + Sku.objects.order_by("pk").values_list("code", flat=True)[0])
    urls += [reverse("web:transfer", args=[t]) for t in Transfer.objects.values_list("pk", flat=True)[:3]]
    urls += [reverse("web:count", args=[c]) for c in CycleCount.objects.values_list("pk", flat=True)[:2]]
    urls += [reverse("web:staff_member", args=[s]) for s in Staff.objects.values_list("pk", flat=True)[:2]]
    urls += [reverse("web:showroom_staff", args=[s.staff_id]) for s in Showroom.objects.all()[:1]]
    for member in Member.objects.filter(mobile__in=[m.mobile for m in DEMO_MEMBERS]):
        urls.append(reverse("web:member", args=[member.pk]))
        urls.append(reverse("web:members") + "?mobile=" + member.mobile)
        urls.append(reverse("web:members") + "?card=" + member.card_code)
    urls += [reverse(f"appointments_console:{n}") for n in ("desk", "book", "setup")]
    urls += [reverse("identity:desk"), reverse("identity:partners")]
    urls += [reverse("identity:desk") + "?mobile=" + m.mobile for m in DEMO_MEMBERS[:2]]
    for outlet_id in Offer.objects.values_list("outlet_id", flat=True).distinct()[:2]:
        urls += [reverse(f"appointments_console:{n}", args=[outlet_id]) for n in ("screen", "screen_board")]
        urls += [reverse(f"appointments_console:{n}") + f"?outlet={outlet_id}" for n in ("desk", "setup")]
    urls += [
        reverse("appointments_console:booking", args=[b])
        for b in Booking.objects.values_list("pk", flat=True)
    ]
    urls += [reverse(f"aftersales_console:{n}") for n in ("desk", "overdue", "open")]
    urls.append(reverse("aftersales_console:desk") + "?state=done")
    urls += [
        reverse("aftersales_console:ticket", args=[t])
        for t in ServiceTicket.objects.values_list("pk", flat=True)
    ]
    urls.append(reverse("aftersales_console:technicians"))
    urls += [reverse("aftersales_console:technician", args=[s]) for s in
             Staff.objects.filter(role__in=["technician", "district_technician"]).values_list("pk", flat=True)]  # fmt: skip
    # The story's orders, and two of those the demo dated back to its closed days (more of the same).
    recent = timezone.now() - timedelta(hours=1)
    orders = [
        *Order.objects.filter(created_at__gte=recent).order_by("pk"),
        *Order.objects.filter(created_at__lt=recent).order_by("pk")[:2],
    ]
    for o in orders:
        urls.append(reverse("web:order", args=[o.pk]))
        urls.append(reverse("web:order_return", args=[o.number]))
        if o.method == "counter":
            for name in ("pos_pay", "pos_receipt", "pos_status"):
                urls.append(reverse(f"web:{name}", args=[o.pk]))
        if o.method == "pickup" and o.state == "completed":
            urls.append(reverse("web:pickup") + f"?outlet={o.pickup_outlet_id}&done={o.pk}")
    for r in OrderReturn.objects.select_related("order"):
        urls.append(reverse("web:order_return", args=[r.order.number]) + f"?outlet={r.outlet_id}&done={r.pk}")
    outlet = Outlet.objects.get(code=PERSONA_OUTLET)
    urls += [
        reverse("web:login"),
        reverse("web:orders") + "?state=cancelled",
        reverse("web:order_queue") + f"?outlet={outlet.pk}",
        reverse("web:returns") + "?number=0000",  # no such order
        reverse("web:members") + "?card=X0000",  # no such member
        reverse("web:members") + "?mobile=1",  # not a mobile number
        reverse("web:order", args=[0]),  # the error page
    ]
    return urls


def _console_posts(order: Order, sale: Order) -> list[tuple[str, dict[str, object]]]:
    """Forms the clerk sends that are refused: each page then says why, in Chinese."""
    outlet = Outlet.objects.get(code=PERSONA_OUTLET)
    line = sale.lines.first()
    assert line is not None and sale.member is not None
    till = Order.objects.filter(method="counter", state="pending").latest("pk")
    due = Order.objects.filter(channel="hotline", state="ready", payment_state="unpaid").latest("pk")
    at = {"outlet": outlet.pk, "code": due.pickup_code}
    return [
        (reverse("web:pickup"), at),  # payment due: take it first
        (reverse("web:pickup_pay"), {"outlet": outlet.pk, "order": due.pk, "method": "cash"}),
        (reverse("web:pickup"), at),  # handed over
        (reverse("web:pos_tender", args=[till.pk, "points"]), {"amount": "50000"}),
        (reverse("web:pos_tender", args=[till.pk, "wallet"]), {"amount": "500"}),
        (reverse("web:pos_cash", args=[till.pk]), {"given": "1"}),
        (
            reverse("web:member_topup"),
            {"member_id": sale.member.pk, "package_id": "999999", "client_key": "zh-test-1"},
        ),
        (reverse("web:member_topup"), {"member_id": "", "package_id": ""}),
        (reverse("web:order_cancel", args=[order.pk]), {"reason": ""}),
        (reverse("web:pickup"), {"outlet": outlet.pk, "code": "000000"}),
        (reverse("web:pos"), {"outlet": outlet.pk, "action": "add", "q": "NOSUCHSKU", "qty": "1"}),
        (reverse("web:pos"), {"action": "set", "sku": line.sku_id, "qty": "一"}),
        (reverse("web:order_new"), {"channel": "hotline", "method": "pickup", "mobile": "1"}),
        (reverse("web:order_return", args=[sale.number]), {"outlet": outlet.pk, f"qty_{line.sku_id}": "99"}),
        (reverse("web:transfer_new"), {"source": outlet.pk, "destination": outlet.pk, "sku": [], "qty": []}),
        (reverse("web:counts"), {"location": ""}),
    ]


def _check_posts(
    client: Client, posts: list[tuple[str, dict[str, object]]], allowed: set[str], who: str
) -> dict[str, list[str]]:
    flagged = {}
    for url, data in posts:
        r = client.post(url, data, follow=True)
        assert r.status_code < 500, (who, url)
        words = english_words(r.content.decode(), allowed)
        if words:
            flagged[f"{who} POST {url} {data}"] = sorted(set(words))
    return flagged


def test_console_pages_have_no_english_in_chinese(demo, db, allowed):
    urls = _console_urls()
    flagged: dict[str, list[str]] = {}
    for persona in PERSONAS:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(get_user_model().objects.get(username=persona.username))
        flagged |= _check(client, urls, allowed, persona.username)
    clerk = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    clerk.force_login(get_user_model().objects.get(username="outlet_clerk"))
    pending = Order.objects.filter(state="confirmed", method="pickup").order_by("pk").first()
    sale = Order.objects.filter(method="counter", state="completed").order_by("pk").first()
    assert pending is not None and sale is not None
    flagged |= _check_posts(clerk, _console_posts(pending, sale), allowed, "outlet_clerk")
    technician = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")  # the demo's installer, on the handheld
    technician.force_login(get_user_model().objects.get(username="technician"))
    visits = [
        reverse("aftersales_console:visit", args=[t])
        for t in ServiceTicket.objects.values_list("pk", flat=True)
    ]
    flagged |= _check(
        technician, [reverse("web:home"), reverse("aftersales_console:mine"), *visits], allowed, "technician"
    )
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    flagged |= _check(anonymous, [reverse("web:login"), reverse("web:home")], allowed, "anonymous")
    assert not flagged, "\n".join(f"{k}: {' '.join(v)}" for k, v in flagged.items())


def _member_bill_urls() -> list[str]:
    """A demo member's electricity bill paid in cash at the persona outlet: their bills page."""
    outlet = Outlet.objects.get(code=PERSONA_OUTLET)
    power = next(
        b
        for b in billers_list()
        if b.kind == "electricity" and outlet.region_path.startswith(f"/{b.city_code[:2]}/")
    )
    billpay.outlet_enrol(actor=SYSTEM, outlet_id=outlet.pk)
    account = power.account(3)
    amount = power.lookup(account).amount
    if amount:
        billpay.bill_pay(actor=SYSTEM, outlet_id=outlet.pk, biller=power.code, account=account, amount=amount,
                         mobile=DEMO_MEMBERS[0].mobile)  # fmt: skip
    mine = reverse("billpay_shop:mine")
    return [
        mine,
        mine + f"?biller={power.code}&account={power.account(4)}",
        mine + f"?biller={power.code}&account=1",
    ]


def _shop_urls() -> list[str]:
    product = Product.objects.filter(is_active=True).order_by("pk").first()
    assert product is not None
    urls = _member_bill_urls() + [
        reverse(f"storefront:{name}")
        for name in (
            "home",
            "search",
            "region",
            "cart",
            "checkout",
            "track",
            "nearby",
            "coupons",
            "games",
            "member_login",
        )
    ]
    urls += [
        reverse("storefront:track") + "?number=0000",
        reverse("storefront:product", args=[0]),  # not found
        reverse("storefront:category", args=["no-such-category"]),
        reverse("storefront:region") + "?parent=310000",
        reverse("storefront:region") + "?parent=310100",
    ]
    urls += [
        reverse("storefront:search") + "?q=" + product.name[:2],
        reverse(
            "storefront:category", args=[Category.objects.order_by("pk").values_list("code", flat=True)[0]]
        ),
    ]
    first_of_each = {}  # a product of every category (its badges, variants and nearby stock)
    for pk, category_id in (
        Product.objects.filter(is_active=True).order_by("-pk").values_list("pk", "category_id")
    ):
        first_of_each[category_id] = pk
    urls += [reverse("storefront:product", args=[p]) for p in sorted(first_of_each.values())]
    outlet = Outlet.objects.get(code=PERSONA_OUTLET)
    here = f"lat={outlet.lat}&lng={outlet.lng}"
    held = StockLevel.objects.filter(location=outlet, on_hand__gt=F("reserved") + F("safety_stock"))
    sku_id = held.order_by("sku__code").values_list("sku_id", flat=True).first()
    urls += [
        reverse("storefront:nearby") + "?" + here,
        reverse("storefront:outlets") + "?" + here,
        reverse("storefront:product", args=[product.pk]) + "?" + here,
        reverse("storefront:try_in_store") + f"?outlet={outlet.pk}&sku={sku_id}",
        reverse("storefront:try_in_store") + "?outlet=0&sku=0",  # not found
    ]
    urls += [reverse("storefront:game", args=[g]) for g in Game.objects.values_list("pk", flat=True)]
    urls += [reverse("parcels_shop:home"), reverse("parcels_shop:home") + "?number=CP123456784CN"]
    urls += [reverse("flashsales_shop:sales"), reverse("flashsales_shop:sale", args=[_flash_sale()])]
    urls += [reverse("parcels_shop:track", args=[n]) for n in Parcel.objects.filter(paid_at__isnull=False)
             .values_list("number", flat=True)]  # fmt: skip
    urls.append(reverse("appointments_shop:services"))
    urls += [
        reverse("appointments_shop:service", args=[s]) for s in Service.objects.values_list("pk", flat=True)
    ]
    urls += [
        reverse("appointments_shop:slots", args=[o.service_id, o.outlet_id])
        for o in Offer.objects.order_by("pk")[:3]
    ]
    urls += [
        reverse("storefront:showroom", args=[s]) for s in Showroom.objects.values_list("code", flat=True)
    ]
    return urls


def _member_urls(member: Member) -> list[str]:
    urls = [reverse(f"storefront:{name}") for name in ("member", "my_coupons", "member_topup", "checkout")]
    urls.append(reverse("appointments_shop:mine"))
    urls.append(reverse("identity_shop:mine"))
    urls.append(reverse("aftersales_shop:mine"))
    urls += [
        reverse("aftersales_shop:ticket", args=[n])
        for n in ServiceTicket.objects.filter(member=member).values_list("number", flat=True)
    ]
    urls += [
        reverse("aftersales_shop:open", args=[n])
        for n in Order.objects.filter(member=member, state="completed").values_list("number", flat=True)[:2]
    ]
    urls += [
        reverse("appointments_shop:booking", args=[c]) for c in member.bookings.values_list("code", flat=True)
    ]
    for number in Order.objects.filter(member=member).values_list("number", flat=True):
        urls += [
            reverse("storefront:order", args=[number]),
            reverse("storefront:order_pay", args=[number]),
            reverse("storefront:member_tender", args=[number]),
        ]
    return urls


def _shop_posts(member: Member | None) -> list[tuple[str, dict[str, object]]]:
    """What a customer sends: a game played and a coupon claimed (their result pages), and forms
    that are refused (a wrong code, an unknown coupon, an order that is not theirs)."""
    order = Order.objects.order_by("pk").first()
    assert order is not None
    posts: list[tuple[str, dict[str, object]]] = [
        (reverse("storefront:track"), {"number": order.number, "mobile": "13912345678"}),
        (reverse("storefront:cart_add"), {"sku_id": "0", "quantity": "1"}),
        (reverse("storefront:cart_update"), {"sku_id": "0", "quantity": "x"}),
        (reverse("storefront:checkout"), {"action": "preview", "method": "pickup", "coupon_code": "NOSUCH"}),
        (reverse("storefront:checkout"), {"method": "pickup", "name": "", "token": "stale"}),
        (reverse("storefront:coupon_claim"), {"template_code": WELCOME_COUPON}),
        (reverse("storefront:member_login"), {"mobile": "1", "code": ""}),
    ]
    posts += [
        (reverse("storefront:game_play", args=[g]), {}) for g in Game.objects.values_list("pk", flat=True)
    ]
    if member is not None:
        mine = Order.objects.filter(member=member).values_list("number", flat=True)
        posts += [
            (reverse("storefront:member_tender", args=[n]), {"method": "points", "value": "x"}) for n in mine
        ]
    return posts


def _guest_orders(client: Client, sku_ids: list[int]) -> list[str]:
    """A guest fills a cart, checks out to pay at the outlet, and reserves a SKU to try at the
    outlet: the pages they see on the way and after."""
    for sku in sku_ids:
        client.post(reverse("storefront:cart_add"), {"sku_id": sku, "quantity": 1})
    page = client.get(reverse("storefront:checkout")).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)
    outlet = re.search(r'name="pickup_outlet_id" value="(\d+)"[^>]* checked', page)
    assert token and outlet, "no checkout form"
    form = {"token": token.group(1), "method": "pickup", "payment_mode": "at_outlet"}
    form |= {"name": "韩梅梅", "mobile": "13912345678", "pickup_outlet_id": outlet.group(1)}
    placed = client.post(reverse("storefront:checkout"), form)
    assert placed.status_code == 302, placed.status_code
    urls = [reverse("storefront:checkout"), placed["Location"]]

    here = Outlet.objects.get(code=PERSONA_OUTLET)
    held = StockLevel.objects.filter(location=here, on_hand__gt=F("reserved") + F("safety_stock") + 1)
    sku_id = held.order_by("-sku__code").values_list("sku_id", flat=True).first()
    try_url = reverse("storefront:try_in_store") + f"?outlet={here.pk}&sku={sku_id}"
    token = re.search(r'name="token" value="([^"]+)"', client.get(try_url).content.decode())
    assert token, "no try-in-store form"
    form = {
        "outlet": here.pk,
        "sku": sku_id,
        "token": token.group(1),
        "name": "韩梅梅",
        "mobile": "13912345678",
    }
    reserved = client.post(reverse("storefront:try_in_store"), form)
    assert reserved.status_code == 302, reserved.status_code
    return urls + [reserved["Location"]]


def _check_ticket_customer(allowed: set[str]) -> dict[str, list[str]]:
    """The demo's ticket customer: their tickets with the slots to pick, a pick refused (a past
    slot) and one made (the page then shows the visit and how many changes are left)."""
    from omnipoint.aftersales.demo import CUSTOMER

    member = Member.objects.get(mobile=CUSTOMER)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert member.user is not None
    client.force_login(member.user)
    numbers = list(ServiceTicket.objects.filter(member=member, state="open").values_list("number", flat=True))
    assert numbers, "the demo's customer has a ticket to schedule"
    visit = reverse("aftersales_shop:visit", args=[numbers[0]])
    day = timezone.localdate() + timedelta(days=2)
    posts = [(visit, {"slot": "2000-01-01.am"}), (visit, {"slot": f"{day.isoformat()}.am"})]
    flagged = _check_posts(client, posts, allowed, CUSTOMER)
    return flagged | _check(client, _member_urls(member), allowed, CUSTOMER)


def test_storefront_pages_have_no_english_in_chinese(demo, db, allowed):
    shop = _shop_urls()
    skus = list(Sku.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)[:3])
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    flagged = _check(anonymous, shop, allowed, "anonymous")
    for m in DEMO_MEMBERS:
        member = Member.objects.get(mobile=m.mobile)
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert member.user is not None
        client.force_login(member.user)
        for sku in skus:
            client.post(reverse("storefront:cart_add"), {"sku_id": sku, "quantity": 1})
        flagged |= _check(client, shop + _member_urls(member), allowed, m.mobile)
        flagged |= _check_posts(client, _shop_posts(member), allowed, m.mobile)
    flagged |= _check_posts(anonymous, _shop_posts(None), allowed, "anonymous")
    flagged |= _check_ticket_customer(allowed)
    guest = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    flagged |= _check(guest, _guest_orders(guest, skus), allowed, "guest")
    assert not flagged, "\n".join(f"{k}: {' '.join(v)}" for k, v in flagged.items())


def test_the_check_finds_english():
    """The check itself: an English sentence is found, codes and hidden text are not."""
    html = (
        "<p>价格 price list for the whole network</p><script>var x = 'hidden';</script>"
        "<p title='Not applied'>SH-310115-01 SKU 3 km</p>"
    )
    assert english_words(html, ALLOWED) == [
        "price",
        "list",
        "for",
        "the",
        "whole",
        "network",
        "Not",
        "applied",
    ]
