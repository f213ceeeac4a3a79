"""The parcel pages, persona by persona: the console's counter, scan and collection pages and a
parcel's page and label (scoped: outside the node is 404), the forms through the same services,
refusals that change nothing; the storefront's tracking page for anyone and for the member."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from omnipoint.members.services import member_get_or_create, member_user_ensure
from omnipoint.parcels.models import Parcel, ParcelEvent
from omnipoint.parcels.tests.world import SETUP
from omnipoint.testing import PERSONAS, user_of

pytestmark = pytest.mark.django_db


def client_of(persona: str, lang: str = "zh-hans") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user_of(persona))
    return c


def rows() -> list[tuple]:
    return list(Parcel.objects.order_by("pk").values_list("number", "state", "paid_at")) + [
        ParcelEvent.objects.count()
    ]


SEES_A = {"hq_admin", "province_manager", "city_manager", "outlet_manager", "outlet_clerk"}


def test_pages_for_every_persona(pw):
    for persona in PERSONAS:
        c = client_of(persona)
        for name in ("counter", "scan", "collect"):
            assert c.get(reverse(f"parcels:{name}")).status_code == 200, (persona, name)
        expect = 200 if persona in SEES_A else 404
        for url in (reverse("parcels:detail", args=[pw.p_a]), reverse("parcels:label", args=[pw.p_a]),
                    reverse("parcels:label_pdf", args=[pw.p_a]), reverse("parcels:label_svg", args=[pw.p_a])):  # fmt: skip
            assert c.get(url).status_code == expect, (persona, url)
        mine = reverse("parcels:detail", args=[pw.p_c])
        assert c.get(mine).status_code == (200 if persona in ("hq_admin", "other_city_clerk") else 404)
    anonymous = Client()
    assert anonymous.get(reverse("parcels:counter")).status_code == 302


def test_counter_accepts_pays_scans_and_hands_over(pw):
    c = client_of("outlet_clerk")
    page = c.get(reverse("parcels:counter")).content.decode()
    key = re.search(r'name="client_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {
        "outlet": pw.a.pk, "client_key": key, "service": "express", "sender_name": "张三",
        "sender_mobile": "13800138000", "sender_region": "310101", "sender_address": "人民路1号",
        "recipient_name": "李四", "recipient_mobile": "13911112222", "recipient_region": "310115",
        "recipient_address": "世纪大道1号", "weight_g": "800", "length_cm": "20", "width_cm": "15",
        "height_cm": "10", "declared_value": "0",
    }  # fmt: skip
    before = rows()
    over = c.post(reverse("parcels:counter"), form | {"weight_g": "30001"})
    assert over.status_code == 422 and "30" in over.content.decode() and rows() == before
    done = c.post(reverse("parcels:counter"), form)
    assert done.status_code == 302
    number = done["Location"].rstrip("/").rsplit("/", 1)[1]
    assert c.post(reverse("parcels:counter"), form)["Location"] == done["Location"]  # the same form again
    c.post(reverse("parcels:pay", args=[number]), {"method": "cash"})
    assert Parcel.objects.get(number=number).state == "accepted"
    assert c.get(reverse("parcels:label_pdf", args=[number]))["Content-Type"] == "application/pdf"
    b_manager = client_of("city_manager")
    b_manager.post(reverse("parcels:scan"), {"outlet": pw.b.pk, "number": number.lower(), "kind": "arrived"})
    held = Parcel.objects.get(number=number)
    assert held.state == "arrived" and held.hold_outlet_id == pw.b.pk
    before = rows()
    wrong = b_manager.post(reverse("parcels:collect"), {"outlet": pw.b.pk, "number": number, "code": "1"})
    assert wrong.status_code == 422 and rows() == before
    bad = b_manager.post(
        reverse("parcels:scan"), {"outlet": pw.b.pk, "number": "CP123456784CN", "kind": "arrived"}
    )
    assert bad.status_code == 422 and rows() == before
    b_manager.post(
        reverse("parcels:collect"), {"outlet": pw.b.pk, "number": number, "code": held.pickup_code}
    )
    assert Parcel.objects.get(number=number).state == "collected"


def test_tracking_online_masked_and_for_the_member(pw):
    url = reverse("parcels_shop:track", args=[pw.held_b])
    html = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(url).content.decode()
    assert "李*" in html and "139****2222" in html and pw.held_b_code not in html
    assert Client().get(reverse("parcels_shop:home"), {"number": "CP123456784CN"}).status_code == 422
    assert Client().get(reverse("parcels_shop:track", args=["CP000000005CN"])).status_code == 404
    assert Client().get(reverse("parcels_shop:track", args=[pw.unpaid_a])).status_code == 404
    recipient = member_user_ensure(
        actor=SETUP, member=member_get_or_create(actor=SETUP, mobile="13911112222")
    )
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(recipient.user)
    mine = c.get(reverse("parcels_shop:home")).content.decode()
    assert pw.held_b in mine and pw.held_b_code in mine and "My parcels" in mine
    assert pw.held_b_code in c.get(url).content.decode()


def test_the_counter_voids_a_parcel_before_it_leaves(pw):
    c = client_of("outlet_clerk")
    page = reverse("parcels:detail", args=[pw.p_a])
    assert 'data-testid="void"' in c.get(page).content.decode()
    before = rows()
    c.post(reverse("parcels:void", args=[pw.p_a]), {"reason": " "})  # no reason: refused
    assert rows() == before
    assert (
        client_of("other_city_clerk")
        .post(reverse("parcels:void", args=[pw.p_a]), {"reason": "x"})
        .status_code
        == 404
    )
    c.post(reverse("parcels:void", args=[pw.p_a]), {"reason": "寄件人取消"})
    assert Parcel.objects.get(number=pw.p_a).state == "voided"
    shown = c.get(page).content.decode()
    assert "寄件人取消" in shown and 'data-testid="void"' not in shown and 'data-testid="pay"' not in shown
