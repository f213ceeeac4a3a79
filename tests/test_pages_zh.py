"""Every console and storefront page, rendered in zh-Hans over the demo story, has no English
in it: what the pages show (text, titles, placeholders, labels) holds no Latin word outside an
allow-list of codes, SKUs, units and the names the data itself gives (brands, usernames).

The small demo is seeded once for the module (rolled back at the end); each persona of the
console, then an anonymous customer and each demo member on the storefront, opens every page
it can reach, with an example of every kind of object in the URL.
"""

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from omnipoint.catalog.models import Brand, Category, Product, Sku, Supplier
from omnipoint.demo.plan import PERSONAS
from omnipoint.demo.story import DEMO_MEMBERS
from omnipoint.inventory.models import CycleCount, Transfer
from omnipoint.marketing.models import Game
from omnipoint.members.models import Member
from omnipoint.orders.models import Order
from omnipoint.outlets.models import Staff
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
        connection.check_constraints()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def allowed(demo, db) -> set[str]:
    """The names the data gives: brands, suppliers, usernames, and what merchants wrote about
    their products (names and descriptions, a word of them at a time)."""
    names = [
        *Brand.objects.values_list("name", flat=True),
        *Supplier.objects.values_list("name", flat=True),
        *get_user_model().objects.values_list("username", flat=True),
        *Product.objects.values_list("name", flat=True),
        *Product.objects.values_list("description", flat=True),
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
    urls.append(reverse("web:stock") + "?q=" + Sku.objects.order_by("pk").values_list("code", flat=True)[0])
    urls += [reverse("web:transfer", args=[t]) for t in Transfer.objects.values_list("pk", flat=True)[:3]]
    urls += [reverse("web:count", args=[c]) for c in CycleCount.objects.values_list("pk", flat=True)[:2]]
    urls += [reverse("web:staff_member", args=[s]) for s in Staff.objects.values_list("pk", flat=True)[:2]]
    urls += [reverse("web:showroom_staff", args=[s.staff_id]) for s in Showroom.objects.all()[:1]]
    for member in Member.objects.filter(mobile__in=[m.mobile for m in DEMO_MEMBERS]):
        urls.append(reverse("web:member", args=[member.pk]))
        urls.append(reverse("web:members") + "?q=" + member.mobile)
    for o in Order.objects.order_by("pk"):
        urls.append(reverse("web:order", args=[o.pk]))
        urls.append(reverse("web:order_return", args=[o.number]))
        if o.channel == "counter":
            urls += [reverse("web:pos_pay", args=[o.pk]), reverse("web:pos_receipt", args=[o.pk])]
    return urls


def test_console_pages_have_no_english_in_chinese(demo, db, allowed):
    urls = _console_urls()
    flagged: dict[str, list[str]] = {}
    for persona in PERSONAS:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(get_user_model().objects.get(username=persona.username))
        flagged |= _check(client, urls, allowed, persona.username)
    assert not flagged, "\n".join(f"{k}: {' '.join(v)}" for k, v in flagged.items())


def _shop_urls() -> list[str]:
    product = Product.objects.filter(is_active=True).order_by("pk").first()
    assert product is not None
    urls = [
        reverse(f"storefront:{name}")
        for name in ("home", "search", "region", "cart", "checkout", "track", "nearby", "coupons", "games")
    ]
    urls += [
        reverse("storefront:search") + "?q=" + product.name[:2],
        reverse(
            "storefront:category", args=[Category.objects.order_by("pk").values_list("code", flat=True)[0]]
        ),
    ]
    urls += [
        reverse("storefront:product", args=[p]) for p in Product.objects.values_list("pk", flat=True)[:6]
    ]
    urls += [reverse("storefront:game", args=[g]) for g in Game.objects.values_list("pk", flat=True)]
    urls += [
        reverse("storefront:showroom", args=[s]) for s in Showroom.objects.values_list("code", flat=True)
    ]
    return urls


def _member_urls(member: Member) -> list[str]:
    urls = [reverse(f"storefront:{name}") for name in ("member", "my_coupons", "member_topup", "checkout")]
    for number in Order.objects.filter(member=member).values_list("number", flat=True):
        urls += [
            reverse("storefront:order", args=[number]),
            reverse("storefront:order_pay", args=[number]),
            reverse("storefront:member_tender", args=[number]),
        ]
    return urls


def test_storefront_pages_have_no_english_in_chinese(demo, db, allowed):
    shop = _shop_urls()
    skus = list(Sku.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)[:3])
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    flagged = _check(anonymous, shop, allowed, "anonymous")
    for m in DEMO_MEMBERS:
        member = Member.objects.get(mobile=m.mobile)
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        if member.user_id:
            client.force_login(member.user)
        for sku in skus:
            client.post(reverse("storefront:cart_add"), {"sku_id": sku, "quantity": 1})
        flagged |= _check(client, shop + _member_urls(member), allowed, m.mobile)
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
