"""Load and reset the demo network (the rows themselves are built in network.py), and count
what it holds."""

import random
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.db.models import Sum

from omnipoint.catalog.models import (
    Brand,
    Category,
    PriceList,
    PriceListItem,
    Product,
    Sku,
    Supplier,
)
from omnipoint.core.errors import ConflictError
from omnipoint.demo import network
from omnipoint.demo.plan import DEMO_MARKER_OUTLET, DEMO_SEED, PERSONAS, SIZES
from omnipoint.inventory.models import StockLevel, StockMovement
from omnipoint.outlets.models import Outlet, OutletKind, Region, Staff


@dataclass
class DemoSummary:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


# --- reads -----------------------------------------------------------------------------------


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


# --- writes ----------------------------------------------------------------------------------


def demo_reset() -> None:
    """Empty every table except the region tree: all data, not only the demo.

    What ``manage.py flush`` does, minus the regions, which the migration loaded and which take
    longer to load again than everything else.
    """
    tables = [
        t
        for t in connection.introspection.django_table_names(only_existing=True, include_views=False)
        if t != Region._meta.db_table
    ]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    with transaction.atomic():
        # PostgreSQL refuses to TRUNCATE a table with deferred FK checks still pending (rows
        # written earlier in the same transaction): run those checks first.
        connection.check_constraints()
        connection.ops.execute_sql_flush(statements)
    # Content types and permissions, as after a migration.
    emit_post_migrate_signal(0, False, connection.alias)


@transaction.atomic
def demo_network_load(*, size: str = "full", seed: int = DEMO_SEED) -> DemoSummary:
    """Load the demo network unless it is already there. Safe to run again: it then does nothing."""
    if demo_is_loaded():
        return DemoSummary(created=False, counts=demo_counts())
    taken = sorted(
        get_user_model()
        .objects.filter(username__in=[p.username for p in PERSONAS])
        .values_list("username", flat=True)
    )
    if taken:
        raise ConflictError(
            f"users {', '.join(taken)} exist but the demo is not loaded: reset the database first",
            code="demo_conflict",
        )
    plan = SIZES[size]
    rng = random.Random(seed)
    outlet_ids = network.outlets_create(plan, rng)
    sku_ids, physical = network.catalog_create(plan)
    network.prices_create(sku_ids, rng)
    network.stock_create(outlet_ids, physical, rng)
    network.staff_create_all()
    return DemoSummary(created=True, counts=demo_counts())
