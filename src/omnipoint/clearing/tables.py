"""A closed day's figures laid out for the console: goods sold by channel, takings by channel x
payment method, stored value, points and commissions by channel x method, each a table whose
columns are the measures that have a figure."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from omnipoint.clearing.domain import MONEY, ClearingWhy, Measure
from omnipoint.clearing.selectors import DayFigures, Figure
from omnipoint.core.channels import Channel
from omnipoint.core.explain import Explanation
from omnipoint.core.money import Money
from omnipoint.payments.domain import Method

SALES = [
    Measure.ORDERS,
    Measure.LINES,
    Measure.UNITS,
    Measure.GROSS,
    Measure.DISCOUNT_PROMOTIONS,
    Measure.DISCOUNT_COUPONS,
    Measure.SALES,
]
TAKINGS = [Measure.PAID_COUNT, Measure.PAID, Measure.REFUND_COUNT, Measure.REFUNDED, Measure.NET]
VALUE = [
    Measure.TOPUP_COUNT,
    Measure.TOPUP_PRINCIPAL,
    Measure.TOPUP_BONUS,
    Measure.WALLET_SPENT,
    Measure.WALLET_RETURNED,
    Measure.POINTS_ISSUED,
    Measure.POINTS_CLAWED_BACK,
    Measure.POINTS_SPENT,
    Measure.POINTS_RETURNED,
    Measure.POINTS_EXPIRED,
    Measure.COMMISSION_ACCRUED,
    Measure.COMMISSION_REVERSED,
]
HEADLINE = [Measure.ORDERS, Measure.SALES, Measure.PAID, Measure.REFUNDED, Measure.NET]


def shown(measure: str, value: int) -> str:
    return str(Money(value)) if measure in MONEY else str(value)


def channel_name(code: str) -> str:
    return str(Channel(code).label) if code in Channel.values else (code or "—")


def method_name(code: str) -> str:
    return str(Method(code).label) if code in Method.values else (code or "—")


def measure_name(code: str) -> str:
    return str(Measure(code).label) if code in Measure.values else code


@dataclass(frozen=True)
class Table:
    title: Any
    columns: list[str]
    rows: list[dict[str, Any]]


def _table(title: Any, figures: list[Figure], measures: list[Measure], by_method: bool) -> Table | None:
    present = [m for m in measures if any(f.measure == m for f in figures)]
    if not present:
        return None
    cells: dict[tuple[str, str], dict[str, int]] = {}
    for f in figures:
        if f.measure in present:
            cells.setdefault((f.channel, f.method if by_method else ""), {})[f.measure] = f.value
    rows = [
        {
            "channel": channel_name(channel),
            "method": method_name(method) if by_method else "",
            "cells": [shown(m, values.get(m, 0)) for m in present],
        }
        for (channel, method), values in sorted(cells.items())
    ]
    return Table(title, [measure_name(m) for m in present], rows)


def day_tables(d: DayFigures) -> dict[str, Any]:
    tables = [
        _table(_("Goods sold, by channel"), d.figures, SALES, by_method=False),
        _table(_("Takings, by channel and payment method"), d.figures, TAKINGS, by_method=True),
        _table(_("Stored value, points and commissions"), d.figures, VALUE, by_method=True),
    ]
    headline = [(measure_name(m), shown(m, d.totals.get(m, 0))) for m in HEADLINE]
    adjustments = [
        {
            "corrects": a.corrects,
            "channel": channel_name(a.channel),
            "method": method_name(a.method),
            "measure": measure_name(a.measure),
            "value": shown(a.measure, a.value),
            "reason": Explanation(ClearingWhy.ADJUSTMENT, {"corrects": str(a.corrects)}),
        }
        for a in d.adjustments
    ]
    return {"tables": [t for t in tables if t], "headline": headline, "adjustments": adjustments}
