"""Reads of the funnel: how many visitors reached each step, by day, under a region."""

from datetime import date

from django.db.models import Count

from omnipoint.funnel.domain import Funnel, Step
from omnipoint.funnel.models import FunnelEvent


def funnel_by_day(*, first: date, last: date, region_path: str = "/") -> dict[date, Funnel]:
    """The funnel of each day from ``first`` to ``last`` among visitors who browsed a district
    under ``region_path`` ("/": everyone): one grouped count, days without visitors left out."""
    rows = (
        FunnelEvent.objects.filter(day__gte=first, day__lte=last, region_path__startswith=region_path)
        .values("day", "step")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[date, dict[str, int]] = {}
    for r in rows:
        counts.setdefault(r["day"], {})[r["step"]] = r["n"]
    return {
        day: Funnel(c.get(Step.VISIT, 0), c.get(Step.CART, 0), c.get(Step.ORDER, 0))
        for day, c in sorted(counts.items())
    }


def funnel_total(*, first: date, last: date, region_path: str = "/") -> Funnel:
    days = funnel_by_day(first=first, last=last, region_path=region_path).values()
    return Funnel(sum(f.visits for f in days), sum(f.carts for f in days), sum(f.orders for f in days))
