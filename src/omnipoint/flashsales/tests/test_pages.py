"""The flash-sale pages, persona by persona: the console's list and a sale's page (flash.sale
over the sale's outlets; outside the node is 404), the form refusing what an outlet does not
have with nothing changed, the end button; the shop's pages for a guest and a member."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omnipoint.flashsales.models import FlashSale
from omnipoint.inventory.models import StockMovement
from omnipoint.testing import PERSONAS, build_network, user_of

from .helpers import build_flash, buyer

pytestmark = pytest.mark.django_db

MANAGERS = {"hq_admin", "province_manager", "city_manager"}


class _W:
    def __init__(self, net):  # type: ignore[no-untyped-def]
        self.net, self.a, self.b, self.c, self.skus, self.objects = net, net.a, net.b, net.c, net.skus, {}

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        return self.objects[name]


@pytest.fixture
def w():
    world = _W(build_network())
    build_flash(world)
    return world


def client_of(persona: str) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user_of(persona))
    return c


def test_console_pages_for_every_persona(w):
    for persona in PERSONAS:
        c = client_of(persona)
        ok = 200 if persona in MANAGERS else 403
        assert c.get(reverse("flashsales:sales")).status_code == ok, persona
        assert c.get(reverse("flashsales:sale", args=[w.flash_sh])).status_code == ok, persona
        nj = 200 if persona == "hq_admin" else 404 if persona in MANAGERS else 403
        assert c.get(reverse("flashsales:sale", args=[w.flash_nj])).status_code == nj, persona
    assert Client().get(reverse("flashsales:sales")).status_code == 302


def test_the_form_refuses_more_than_an_outlet_has_and_the_end_hands_back(w):
    c = client_of("city_manager")
    before = StockMovement.objects.count(), FlashSale.objects.count()
    now = timezone.localtime()
    form = {"name": "秒杀", "sku": w.skus[2].pk, "limit": 1, f"q{w.a.pk}": 99,
            "starts_at": now.strftime("%Y-%m-%dT%H:%M"), "ends_at": (now + timezone.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}  # fmt: skip
    resp = c.post(reverse("flashsales:sales"), form)
    assert resp.status_code == 409 and "可用库存" in resp.content.decode()
    assert (StockMovement.objects.count(), FlashSale.objects.count()) == before
    resp = c.post(reverse("flashsales:sales"), form | {f"q{w.a.pk}": 2})
    assert resp.status_code == 302
    assert c.post(reverse("flashsales:end", args=[w.flash_sh])).status_code == 302
    assert FlashSale.objects.get(pk=w.flash_sh).state == "closed"
    assert client_of("outlet_manager").post(reverse("flashsales:end", args=[w.flash_nj])).status_code == 403


def test_shop_pages_for_a_guest_and_a_member(w):
    guest = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "上海秒杀" in guest.get(reverse("flashsales_shop:sales")).content.decode()
    page = guest.get(reverse("flashsales_shop:sale", args=[w.flash_sh])).content.decode()
    assert 'data-stand="your_turn"' in page and "登录后参与" in page
    assert guest.post(reverse("flashsales_shop:claim", args=[w.flash_sh])).status_code == 302
    member, _ = buyer(1)
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(member.user)
    assert c.post(reverse("flashsales_shop:claim", args=[w.flash_sh]), {"quantity": 2}).status_code == 302
    fragment = c.get(reverse("flashsales_shop:standing", args=[w.flash_sh])).content.decode()
    assert 'data-stand="claimed"' in fragment and "去结算" in fragment
    assert c.get(reverse("flashsales_shop:sale", args=[999999])).status_code == 404
