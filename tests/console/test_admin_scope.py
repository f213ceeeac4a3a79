"""The admin keeps the same scope as the API and the console."""

import pytest

from omnipoint.catalog.models import PriceList, PriceListItem
from omnipoint.outlets.models import Outlet
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db


def login(client, persona):
    client.force_login(user_of(persona))
    return client


def test_outlet_list_is_scoped(client, network):
    page = login(client, "other_city_clerk").get("/admin/outlets/outlet/")
    assert page.status_code == 200
    assert "NJ-C" in page.content.decode() and "SH-A" not in page.content.decode()
    assert (
        client.get(f"/admin/outlets/outlet/{network.a.pk}/change/").status_code == 302
    )  # not found: back to list


def test_city_manager_edits_own_city_outlet_through_the_service(client, network):
    login(client, "city_manager")
    url = f"/admin/outlets/outlet/{network.b.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data |= {"name": "浦东新营业所", "delivery_radius_km": 3, "_save": "Save"}
    for flag in ("sells_at_counter", "pickup_point", "ships_from_store", "is_active"):
        if not data.get(flag):
            data.pop(flag, None)
    r = client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Outlet.objects.get(pk=network.b.pk).name == "浦东新营业所"
    assert client.get(f"/admin/outlets/outlet/{network.c.pk}/change/").status_code == 302


def test_clerk_cannot_edit_outlets_or_catalog(client, network):
    login(client, "outlet_clerk")
    r = client.post(f"/admin/outlets/outlet/{network.a.pk}/change/", {"name": "x"})
    assert r.status_code == 403 and Outlet.objects.get(pk=network.a.pk).name != "x"
    assert client.get("/admin/catalog/product/").status_code == 200
    assert client.get("/admin/catalog/product/add/").status_code == 403
    assert client.get("/admin/ledger/posting/").status_code == 403


def test_price_lists_editable_only_in_region(client, network):
    national = PriceList.objects.get(region__isnull=True)
    shanghai = PriceList.objects.get(region__code="310000")
    login(client, "province_manager")
    assert client.get(f"/admin/catalog/pricelist/{shanghai.pk}/change/").status_code == 200
    before = list(PriceListItem.objects.values_list("amount", flat=True).order_by("pk"))
    r = client.post(f"/admin/catalog/pricelist/{national.pk}/change/", {"name": "hacked"})
    assert r.status_code == 403 and PriceList.objects.get(pk=national.pk).name == "全国价"
    assert list(PriceListItem.objects.values_list("amount", flat=True).order_by("pk")) == before
    login(client, "other_city_clerk")
    assert client.get(f"/admin/catalog/pricelist/{shanghai.pk}/change/").status_code == 302


def test_stock_admin_is_read_only_and_scoped(client, network):
    page = login(client, "other_city_clerk").get("/admin/inventory/stocklevel/")
    assert page.status_code == 200 and "SH-A" not in page.content.decode()
    assert client.get("/admin/inventory/stocklevel/add/").status_code == 403


@pytest.mark.parametrize("persona", ["hq_admin", "city_manager", "outlet_clerk", "other_city_clerk"])
def test_every_admin_page_answers_by_role_and_scope(client, network, persona):
    """Every registered model's list and add page, for each persona: shown (200) or refused
    (403), never an error; and nothing of outlet a ever shows to the Nanjing clerk."""
    from django.contrib import admin

    login(client, persona)
    for model in admin.site._registry:
        meta = model._meta
        page = client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
        assert page.status_code in (200, 403), (meta.label, page.status_code)
        if persona == "other_city_clerk" and page.status_code == 200:
            assert "SH-A" not in page.content.decode(), meta.label
        assert client.get(f"/admin/{meta.app_label}/{meta.model_name}/add/").status_code in (200, 403)
