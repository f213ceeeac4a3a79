"""What the demo network holds: reads for demo_seed, the story and the tests."""

from collections import Counter

from django.db.models import Sum

from omnipoint.catalog.models import Brand, Category, PriceList, PriceListItem, Product, Sku, Supplier
from omnipoint.demo.plan import DEMO_MARKER_OUTLET
from omnipoint.inventory.models import StockLevel, StockMovement
from omnipoint.outlets.models import Outlet, OutletKind, Staff


def demo_is_loaded() -> bool:
    return Outlet.objects.filter(code=DEMO_MARKER_OUTLET).exists()


def demo_outlet_kinds() -> Counter[str]:
    return Counter(Outlet.objects.values_list("kind", flat=True))


def demo_counts() -> dict[str, int]:
    outlets = Outlet.objects.all()
    return {
        "outlets": outlets.count(),
        "outlets_shanghai": outlets.filter(region_path__startswith="/31/").count(),
        "outlets_jiangsu": outlets.filter(region_path__startswith="/32/").count(),
        "warehouses": outlets.filter(kind=OutletKind.WAREHOUSE).count(),
        "categories": Category.objects.count(),
        "brands": Brand.objects.count(),
        "suppliers": Supplier.objects.count(),
        "products": Product.objects.count(),
        "skus": Sku.objects.count(),
        "price_lists": PriceList.objects.count(),
        "prices": PriceListItem.objects.count(),
        "stock_rows": StockLevel.objects.count(),
        "stock_units": StockLevel.objects.aggregate(n=Sum("on_hand"))["n"] or 0,
        "movements": StockMovement.objects.count(),
        "staff": Staff.objects.count(),
    }
