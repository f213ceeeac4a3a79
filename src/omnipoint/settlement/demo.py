"""The demo's settlement: a concession supplier with its deduction rate (appliances at a lower
one), the persona outlet's city's first franchise store and agent point, and last month's
statements drawn up (drafts, for finance to confirm and pay in the console)."""

from django.utils import timezone

from omnipoint.catalog.models import Category, Supplier
from omnipoint.clearing.domain import business_today
from omnipoint.outlets.domain import SystemActor
from omnipoint.outlets.models import Outlet, OutletKind
from omnipoint.settlement import domain, services
from omnipoint.settlement.models import Party

DEMO = SystemActor(task="demo")


def demo_settlement_load() -> int:
    """Returns the number of statements drawn up. Safe to skip when parties exist."""
    if Party.objects.exists():
        return 0
    supplier = Supplier.objects.filter(is_concession=True).order_by("name").first()
    if supplier is not None:
        party = services.party_add(actor=DEMO, kind="supplier", supplier_id=supplier.pk, rate="0.22")
        appliances = Category.objects.filter(code="appliances").first()
        if appliances is not None:
            services.party_rate_set(actor=DEMO, party_id=party.pk, category_id=appliances.pk, rate="0.15")
    for kind, outlet_kind, rate in (
        ("franchise", OutletKind.FRANCHISE, "0.1"),
        ("agent", OutletKind.AGENT_POINT, "0"),
    ):
        outlet = Outlet.objects.filter(kind=outlet_kind, is_active=True).order_by("code").first()
        if outlet is not None:
            services.party_add(actor=DEMO, kind=kind, outlet_id=outlet.pk, rate=rate)
    last = domain.previous_period(business_today(timezone.now()), "month")
    return len(services.statements_generate(actor=DEMO, period=last.code).outcomes)
