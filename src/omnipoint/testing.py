"""A small network with one staff member per persona, shared by the tests of every app.

Two provinces, so that "outside my node" is always a real place:
  Shanghai (31) / 上海市辖区 (3101) / 黄浦区 (310101): outlet A (self-operated, pickup point)
                                   / 浦东新区 (310115): outlet B (post office), warehouse W
  Jiangsu (32) / 南京市 (3201) / 玄武区 (320102): outlet C (franchise)
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from omnipoint.catalog.models import Brand, Category, PriceList, PriceListItem, Product, Sku, Supplier
from omnipoint.core.models import ApiToken
from omnipoint.inventory.services import stock_receive
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.models import Outlet, OutletKind, Region
from omnipoint.outlets.services import regions_load, staff_create

PERSONAS = [
    "hq_admin",
    "province_manager",
    "city_manager",
    "outlet_manager",
    "outlet_clerk",
    "other_city_clerk",
]
PASSWORD = "omnipoint"


@dataclass
class Network:
    a: Outlet
    b: Outlet
    w: Outlet
    c: Outlet
    skus: list[Sku]
    tokens: dict[str, str] = field(default_factory=dict)
    staff: dict[str, object] = field(default_factory=dict)

    def auth(self, persona: str) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[persona]}"}


def _outlet(code: str, name: str, kind: str, district: str, dlat: float, dlng: float, **kw: object) -> Outlet:
    region = Region.objects.get(code=district)
    return Outlet.objects.create(
        code=code,
        name=name,
        kind=kind,
        region=region,
        region_path=region.path,
        lat=region.lat + dlat,
        lng=region.lng + dlng,
        **kw,
    )


def _outlets() -> tuple[Outlet, Outlet, Outlet, Outlet]:
    """A (Huangpu, self-operated), B (Pudong post office), W (Pudong warehouse), C (Nanjing)."""
    a = _outlet(
        "SH-A",
        "黄浦旗舰店",
        OutletKind.SELF_OPERATED,
        "310101",
        0.001,
        0.001,
        pickup_point=True,
        ships_from_store=True,
        delivery_radius_km=5,
    )
    b = _outlet("SH-B", "浦东邮政营业所", OutletKind.POST_OFFICE, "310115", 0.002, -0.003, pickup_point=True)
    w = _outlet(
        "SH-W",
        "浦东云仓",
        OutletKind.WAREHOUSE,
        "310115",
        -0.02,
        0.03,
        sells_at_counter=False,
        delivery_radius_km=50,
    )
    c = _outlet("NJ-C", "玄武加盟店", OutletKind.FRANCHISE, "320102", 0.0, 0.0, pickup_point=True)
    return a, b, w, c


def _catalogue() -> list[Sku]:
    """Two air conditioners (a concession) and a cable, on a national and a Shanghai price list."""
    appliances = Category.objects.create(code="appliances", name="家电", name_en="Appliances")
    accessories = Category.objects.create(code="3c", name="3C配件", name_en="3C accessories")
    brand = Brand.objects.create(name="格力")
    supplier = Supplier.objects.create(name="格力电器", is_concession=True)
    ac = Product.objects.create(
        code="P-AC",
        name="空调",
        name_en="Air conditioner",
        category=appliances,
        brand=brand,
        supplier=supplier,
    )
    cable = Product.objects.create(code="P-CABLE", name="数据线", name_en="USB cable", category=accessories)
    skus = [
        Sku.objects.create(
            code="AC-1P-W", product=ac, attributes={"size": "1匹", "colour": "白"}, barcode="6900000000011"
        ),
        Sku.objects.create(
            code="AC-2P-W", product=ac, attributes={"size": "2匹", "colour": "白"}, barcode="6900000000028"
        ),
        Sku.objects.create(
            code="CABLE-1M", product=cable, attributes={"length": "1m"}, barcode="6900000000035"
        ),
    ]
    national = PriceList.objects.create(name="全国价")
    shanghai = PriceList.objects.create(name="上海价", region=Region.objects.get(code="310000"))
    for i, sku in enumerate(skus):
        PriceListItem.objects.create(price_list=national, sku=sku, amount=(i + 1) * 100_00)
    PriceListItem.objects.create(price_list=shanghai, sku=skus[0], amount=95_00)
    return skus


def _personas(net: Network) -> None:
    nodes: dict[str, tuple[str, dict[str, Any]]] = {
        "hq_admin": ("hq_admin", {}),
        "province_manager": ("province_manager", {"region": Region.objects.get(code="310000")}),
        "city_manager": ("city_manager", {"region": Region.objects.get(code="310100")}),
        "outlet_manager": ("outlet_manager", {"outlet": net.a}),
        "outlet_clerk": ("outlet_clerk", {"outlet": net.a}),
        "other_city_clerk": ("outlet_clerk", {"outlet": net.c}),
    }
    for persona, (role, node) in nodes.items():
        staff = staff_create(
            actor=SYSTEM, username=persona, password=PASSWORD, display_name=persona, role=role, **node
        )
        net.staff[persona] = staff
        net.tokens[persona] = ApiToken.issue(staff.user, name="test")


def build_network(*, stock: int = 10) -> Network:
    """The personas' network: four outlets, three SKUs, ``stock`` of each everywhere, six staff."""
    if not Region.objects.exists():  # a transactional test's flush empties what the migration loaded
        regions_load(actor=SYSTEM)
    a, b, w, c = _outlets()
    net = Network(a=a, b=b, w=w, c=c, skus=_catalogue())
    if stock:
        for outlet in (a, b, w, c):
            for sku in net.skus:
                stock_receive(
                    actor=SYSTEM, location_id=outlet.pk, sku_id=sku.pk, quantity=stock, reference="opening"
                )
    _personas(net)
    return net


def user_of(persona: str):  # type: ignore[no-untyped-def]
    return get_user_model().objects.get(username=persona)


def services_and_virtual(net: Network) -> tuple[Sku, Sku]:
    """A service SKU (an installation, 150 yuan) and a virtual one (a 50-yuan mobile top-up), on
    the network's national price list, with no stock anywhere: what a test of product kinds adds."""
    services = Category.objects.create(code="services", name="服务", name_en="Services")
    virtual = Category.objects.create(code="virtual", name="虚拟商品", name_en="Virtual items")
    install = Product.objects.create(
        code="P-AC-INSTALL", name="空调安装", name_en="AC installation", category=services, kind="service"
    )
    topup = Product.objects.create(
        code="P-TOPUP", name="话费充值", name_en="Mobile top-up", category=virtual, kind="virtual"
    )
    service_sku = Sku.objects.create(code="SVC-AC", product=install, attributes={"type": "挂机"})
    topup_sku = Sku.objects.create(code="TOPUP-50", product=topup, attributes={"amount": "50元"})
    national = PriceList.objects.get(name="全国价", region__isnull=True)
    PriceListItem.objects.create(price_list=national, sku=service_sku, amount=150_00)
    PriceListItem.objects.create(price_list=national, sku=topup_sku, amount=50_00)
    return service_sku, topup_sku
