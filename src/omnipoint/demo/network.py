"""Load the demo network: outlets in Shanghai and Jiangsu, a catalogue, prices, stock and staff.

Everything is generated from a fixed random seed, so every run on every database gives the same
network. Rows go in by the batch in one transaction (bulk_create, and plain executemany for the
stock rows and their ledger): a few hundred outlets times a few hundred SKUs is ~160k rows, which
the per-row services would take minutes to write. The stock books still hold: each non-zero
opening stock row comes with its one RECEIPT movement.

The builders behind ``services.demo_network_load``: each writes one kind of row in bulk.
"""

import itertools
import math
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, models
from django.utils import timezone

from omnipoint.catalog.models import (
    Brand,
    Category,
    PriceList,
    PriceListItem,
    Product,
    ProductKind,
    Sku,
    Supplier,
)
from omnipoint.core.cached import forget
from omnipoint.core.channels import Channel
from omnipoint.demo import data
from omnipoint.demo.plan import BATCH, DEMO_PASSWORD, OPENING_REFERENCE, PERSONAS, SUPERUSER, DemoSize
from omnipoint.inventory.models import MovementKind, StockLevel, StockMovement
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.models import Outlet, OutletKind, Region
from omnipoint.outlets.services import staff_create

# --- outlets ---------------------------------------------------------------------------------


def _offset(rng: random.Random, lat: float, lng: float, km: float = 3.0) -> tuple[float, float]:
    """A point uniformly within ``km`` of (lat, lng)."""
    r = km * math.sqrt(rng.random())
    theta = rng.uniform(0, 2 * math.pi)
    dlat = r * math.cos(theta) / 111.0
    dlng = r * math.sin(theta) / (111.0 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lng + dlng, 6)


def _shanghai_count(code: str, plan: DemoSize) -> int:
    if code == "310115":
        return plan.shanghai_outlets["pudong"]
    if code in data.SHANGHAI_CENTRAL:
        return plan.shanghai_outlets["central"]
    if code in data.SHANGHAI_OUTER:
        return plan.shanghai_outlets["outer"]
    return plan.shanghai_outlets["other"]


def _kinds(rng: random.Random, n: int, *, urban: bool, rural: bool) -> list[str]:
    """The first outlet of a district is its post office; the others are drawn by weight."""
    weights = {
        OutletKind.SELF_OPERATED: 3 if urban else 1,
        OutletKind.FRANCHISE: 3,
        OutletKind.POST_OFFICE: 2,
        OutletKind.AGENT_POINT: 2,
        OutletKind.EXPERIENCE: 1 if urban else 0,
        OutletKind.RURAL_POINT: 3 if rural else 0,
    }
    kinds, w = zip(*weights.items(), strict=True)
    return [OutletKind.POST_OFFICE] + [str(k) for k in rng.choices(kinds, weights=w, k=n - 1)]


def _capabilities(kind: str, rng: random.Random) -> dict[str, object]:
    if kind == OutletKind.WAREHOUSE:
        return {
            "sells_at_counter": False,
            "pickup_point": False,
            "ships_from_store": True,
            "delivery_radius_km": 80,
        }
    ships: bool = {
        OutletKind.SELF_OPERATED: True,
        OutletKind.EXPERIENCE: True,
        OutletKind.RURAL_POINT: True,
        OutletKind.POST_OFFICE: rng.random() < 0.5,
        OutletKind.FRANCHISE: rng.random() < 0.4,
        OutletKind.AGENT_POINT: False,
    }[OutletKind(kind)]
    radii = {OutletKind.RURAL_POINT: 10, OutletKind.EXPERIENCE: 8, OutletKind.SELF_OPERATED: 5}
    radius = radii.get(OutletKind(kind), 3)
    pickup = kind != OutletKind.FRANCHISE or rng.random() < 0.7
    return {
        "sells_at_counter": True,
        "pickup_point": pickup,
        "ships_from_store": ships,
        "delivery_radius_km": radius if ships else 0,
    }


_NAME_SUFFIX: dict[str, str] = {
    OutletKind.POST_OFFICE: "邮政营业所",
    OutletKind.SELF_OPERATED: "直营店",
    OutletKind.AGENT_POINT: "便民服务点",
    OutletKind.EXPERIENCE: "智慧生活体验店",
}


def _district_outlets(
    district: Region, prefix: str, kinds: list[str], rng: random.Random, address_head: str
) -> list[Outlet]:
    places = list(data.PLACES.get(district.code, []))
    if not places:
        places = rng.sample(data.STREETS, len(data.STREETS))
    villages = rng.sample(data.VILLAGES, len(data.VILLAGES))
    franchise_no = 0
    outlets = []
    for i, kind in enumerate(kinds):
        place = places[i % len(places)]
        street = place if place.endswith(("路", "街")) else place + "路"
        address = f"{address_head}{street}{rng.randint(1, 999)}号"
        if kind == OutletKind.FRANCHISE:
            franchise_no += 1
            name = f"{district.name}加盟店{franchise_no}号"
        elif kind == OutletKind.RURAL_POINT:
            village = villages[i % len(villages)]
            name = f"{district.name}{village}村邮站"
            address = f"{address_head}{village}村{rng.randint(1, 99)}号"
        else:
            name = f"{district.name}{place}{_NAME_SUFFIX[kind]}"
        lat, lng = _offset(rng, district.lat, district.lng)
        outlets.append(
            Outlet(
                code=f"{prefix}-{district.code}-{i + 1:02d}",
                name=name,
                kind=kind,
                region=district,
                region_path=district.path,
                address=address,
                lat=lat,
                lng=lng,
                opening_hours=data.OPENING_HOURS[kind],
                **_capabilities(kind, rng),  # type: ignore[arg-type]
            )
        )
    return outlets


def _address_head(district: Region) -> str:
    """ "上海市浦东新区", "江苏省南京市玄武区": Shanghai's city level (市辖区) is not written."""
    names = [district.name]
    node = district.parent
    while node is not None:
        if node.name != "市辖区":
            names.insert(0, node.name)
        node = node.parent
    return "".join(names)


def outlets_create(plan: DemoSize, rng: random.Random) -> dict[str, int]:
    districts = Region.objects.filter(level="district").select_related("parent__parent")
    shanghai = list(districts.filter(path__startswith="/31/").order_by("code"))
    jiangsu_cities = list(Region.objects.filter(level="city", path__startswith="/32/").order_by("code"))
    city_ids = [c.pk for c in jiangsu_cities[: plan.jiangsu_cities]]
    jiangsu = list(districts.filter(parent_id__in=city_ids).order_by("code"))

    # Pudong first, so the marker outlet is the first row written.
    shanghai.sort(key=lambda d: d.code != "310115")
    outlets: list[Outlet] = []
    for d in shanghai:
        n = _shanghai_count(d.code, plan)
        kinds = _kinds(rng, n, urban=d.code not in data.SHANGHAI_OUTER, rural=d.code in data.SHANGHAI_OUTER)
        outlets += _district_outlets(d, "SH", kinds, rng, _address_head(d))
    for d in jiangsu:
        urban = d.name.endswith("区")
        n = plan.jiangsu_outlets["urban" if urban else "county"]
        outlets += _district_outlets(
            d, "JS", _kinds(rng, n, urban=urban, rural=not urban), rng, _address_head(d)
        )

    by_code = {r.code: r for r in districts.filter(code__in=[c for c, _ in data.WAREHOUSES])}
    for number, (code, name) in enumerate(data.WAREHOUSES, start=1):
        w = by_code.get(code)
        if w is None or (w.path.startswith("/32/") and w.parent_id not in city_ids):
            continue
        lat, lng = _offset(rng, w.lat, w.lng, km=2.0)
        outlets.append(
            Outlet(
                code=f"{'SH' if w.path.startswith('/31/') else 'JS'}-{code}-W{number}",
                name=name,
                kind=OutletKind.WAREHOUSE,
                region=w,
                region_path=w.path,
                address=f"{_address_head(w)}物流园区{rng.randint(1, 99)}号",
                lat=lat,
                lng=lng,
                opening_hours=data.OPENING_HOURS["warehouse"],
                **_capabilities(OutletKind.WAREHOUSE, rng),  # type: ignore[arg-type]
            )
        )
    Outlet.objects.bulk_create(outlets, batch_size=BATCH)
    forget("outlets")
    return dict(Outlet.objects.filter(code__in=[o.code for o in outlets]).values_list("code", "pk"))


# --- catalogue and prices --------------------------------------------------------------------


def _ean13(n: int) -> str:
    """A 13-digit EAN with a valid check digit, under the Chinese 69x prefix."""
    body = f"6931234{n:05d}"
    total = sum(int(ch) * (3 if i % 2 else 1) for i, ch in enumerate(body))
    return body + str((10 - total % 10) % 10)


def catalog_create(plan: DemoSize) -> tuple[dict[str, tuple[int, int]], list[int]]:
    """Returns {sku code: (sku id, national price)} and the ids of the SKUs that hold stock."""
    specs = data.products()
    for code, name, name_en, parent in data.CATEGORIES:
        Category.objects.create(
            code=code,
            name=name,
            name_en=name_en,
            parent=Category.objects.get(code=parent) if parent else None,
        )
    categories = dict(Category.objects.values_list("code", "pk"))
    Brand.objects.bulk_create([Brand(name=b) for b in sorted({s.brand for s in specs if s.brand})])
    brands = dict(Brand.objects.values_list("name", "pk"))
    Supplier.objects.bulk_create([Supplier(name=n, is_concession=c) for n, c in data.SUPPLIERS])
    suppliers = dict(Supplier.objects.values_list("name", "pk"))
    Product.objects.bulk_create(
        [
            Product(
                code=s.code,
                name=s.name,
                name_en=s.name_en,
                kind=s.kind,
                category_id=categories[s.category],
                brand_id=brands.get(s.brand),
                supplier_id=suppliers.get(s.supplier),
                description=f"{s.name}（{s.name_en}）",
            )
            for s in specs
        ]
    )
    products = dict(Product.objects.filter(code__in=[s.code for s in specs]).values_list("code", "pk"))

    skus: list[Sku] = []
    prices: dict[str, int] = {}
    for spec in specs:
        axes = list(spec.axes.items())
        combos = list(itertools.product(*[list(enumerate(values)) for _, values in axes]))
        if plan.variants_per_product:
            combos = combos[: plan.variants_per_product]
        for n, combo in enumerate(combos, start=1):
            code = f"{spec.code}-{n:02d}"
            attributes = {axis: value for (axis, _), (_, value) in zip(axes, combo, strict=True)}
            prices[code] = spec.price + sum(
                spec.steps.get(axis, 0) * index for (axis, _), (index, _) in zip(axes, combo, strict=True)
            )
            skus.append(
                Sku(
                    code=code,
                    product_id=products[spec.code],
                    attributes=attributes,
                    barcode=_ean13(len(skus) + 1),
                )
            )
    Sku.objects.bulk_create(skus, batch_size=BATCH)
    rows = Sku.objects.filter(code__in=prices).values_list("code", "pk", "product__kind")
    sku_ids = {code: (pk, prices[code]) for code, pk, _ in rows}
    physical = sorted(pk for _, pk, kind in rows if kind == ProductKind.GOODS)
    return sku_ids, physical


def _yuan(amount: float) -> int:
    """Round to whole yuan, but never below one fen: stamps cost less than a yuan."""
    return max(1, round(amount / 100) * 100 if amount >= 1000 else round(amount))


# Regional specialities are cheaper near where they come from.
_SHANGHAI_CHEAP = ("PEACH-NH", "RICE-CM", "POSTCARD")
_JIANGSU_CHEAP = ("CRAB", "DUCKEGG", "VINEGAR", "CRAYFISH")


def prices_create(sku_ids: dict[str, tuple[int, int]], rng: random.Random) -> None:
    national = PriceList.objects.create(name="全国统一价")
    shanghai = PriceList.objects.create(name="上海地区价", region=Region.objects.get(code="310000"))
    jiangsu = PriceList.objects.create(name="江苏地区价", region=Region.objects.get(code="320000"))
    items: list[PriceListItem] = []
    for code, (pk, amount) in sorted(sku_ids.items()):
        items.append(PriceListItem(price_list=national, sku_id=pk, amount=amount))
        for region_list, cheap in ((shanghai, _SHANGHAI_CHEAP), (jiangsu, _JIANGSU_CHEAP)):
            if code.startswith(cheap):
                items.append(PriceListItem(price_list=region_list, sku_id=pk, amount=_yuan(amount * 0.85)))
            elif rng.random() < 0.15:
                factor = rng.choice([0.95, 0.97, 1.02, 1.05])
                items.append(PriceListItem(price_list=region_list, sku_id=pk, amount=_yuan(amount * factor)))
        # A few online-only and counter-only offers: the exceptions to 同价.
        draw = rng.random()
        if draw < 0.04:
            items.append(
                PriceListItem(price_list=national, sku_id=pk, channel=Channel.WEB, amount=_yuan(amount * 0.9))
            )
        elif draw < 0.06:
            items.append(
                PriceListItem(
                    price_list=national, sku_id=pk, channel=Channel.POS, amount=_yuan(amount * 0.95)
                )
            )
    PriceListItem.objects.bulk_create(items, batch_size=BATCH)
    forget("prices")  # a bulk insert sends no signal


# --- stock and staff -------------------------------------------------------------------------


def stock_create(outlet_ids: dict[str, int], physical: list[int], rng: random.Random) -> None:
    """Opening stock: warehouses hold every physical SKU, other outlets a random 40-100% of them.

    Each non-zero row gets its one RECEIPT movement, so on hand equals the ledger from the start.
    """
    warehouses = set(
        Outlet.objects.filter(pk__in=outlet_ids.values(), kind=OutletKind.WAREHOUSE).values_list(
            "pk", flat=True
        )
    )
    # Stock rows carry their outlet's coordinates ("where is it" searches them).
    coords = {pk: (lat, lng) for pk, lat, lng in Outlet.objects.values_list("pk", "lat", "lng")}
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    levels: list[tuple[Any, ...]] = []
    movements: list[tuple[Any, ...]] = []
    for _, location_id in sorted(outlet_ids.items()):
        if location_id in warehouses:
            stocked = physical
        else:
            share = rng.uniform(0.4, 1.0)
            stocked = sorted(rng.sample(physical, max(1, round(share * len(physical)))))
        for sku_id in stocked:
            if location_id in warehouses:
                on_hand, safety = rng.randint(100, 500), 0
            else:
                on_hand = rng.randint(0, 50)
                safety = rng.randint(1, 3) if on_hand >= 5 and rng.random() < 0.2 else 0
            levels.append((location_id, sku_id, on_hand, 0, safety, *coords[location_id]))
            if on_hand:
                movements.append(
                    (location_id, sku_id, MovementKind.RECEIPT.value, on_hand, OPENING_REFERENCE, created_at)
                )
    _insert(StockLevel, ["location", "sku", "on_hand", "reserved", "safety_stock", "lat", "lng"], levels)
    _insert(StockMovement, ["location", "sku", "kind", "quantity", "reference", "created_at"], movements)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


def _insert(model: type[models.Model], fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Plain executemany: for the ~160k stock and ledger rows, several times less CPU than building
    model instances for bulk_create. Table and column names come from the model, values are bound."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(_column(model, f)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 10 * BATCH):
            cursor.executemany(sql, rows[start : start + 10 * BATCH])


def staff_create_all() -> None:
    for p in PERSONAS:
        staff_create(
            actor=SYSTEM,
            username=p.username,
            password=DEMO_PASSWORD,
            display_name=p.display_name,
            role=p.role,
            region=Region.objects.get(code=p.region_code) if p.region_code else None,
            outlet=Outlet.objects.get(code=p.outlet_code) if p.outlet_code else None,
        )
    users = get_user_model().objects
    if not users.filter(username=SUPERUSER).exists():
        users.create_superuser(username=SUPERUSER, password=DEMO_PASSWORD, email="")
