"""Load and reset the demo network (the rows themselves are built in network.py). Only the
platform does either: ``demo_seed`` acts as ``SystemActor(task="demo_seed")``."""

import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction

from omnipoint.core.errors import ConflictError
from omnipoint.demo import network
from omnipoint.demo.plan import DEMO_SEED, PERSONAS, SIZES
from omnipoint.demo.selectors import demo_counts, demo_is_loaded
from omnipoint.outlets.domain import SystemActor, require_platform
from omnipoint.outlets.models import Region


@dataclass
class DemoSummary:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


# --- writes ----------------------------------------------------------------------------------


def demo_reset(*, actor: SystemActor) -> None:
    """Empty every table except the region tree: all data, not only the demo.

    What ``manage.py flush`` does, minus the regions, which the migration loaded and which take
    longer to load again than everything else.
    """
    require_platform(actor)
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
def demo_network_load(*, actor: SystemActor, size: str = "full", seed: int = DEMO_SEED) -> DemoSummary:
    """Load the demo network unless it is already there. Safe to run again: it then does nothing."""
    require_platform(actor)
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
