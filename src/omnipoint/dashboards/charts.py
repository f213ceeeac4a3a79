"""A dashboard as the page shows it, worded in the reader's language when shown: its tiles, its
charts as Apache ECharts options (plain JSON the page hands to ``echarts.init``), and the table
behind each chart (which the CSV download writes too)."""

from dataclasses import dataclass
from typing import Any, TypedDict

from django.urls import reverse
from django.utils.translation import get_language, pgettext

from omnipoint.core.channels import Channel
from omnipoint.core.money import Money
from omnipoint.dashboards.selectors import Dashboard
from omnipoint.funnel.domain import Step
from omnipoint.payments.domain import Method


class Chart(TypedDict):
    key: str
    title: str
    option: dict[str, Any]  # an ECharts option


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    text: str
    url: str = ""  # where the figure is worked on, for a role that may open it


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[str]]
    chart: Chart | None = None


def _money(fen: int | None) -> str:
    return "—" if fen is None else str(Money(int(fen)))


def _yuan(fen: int) -> float:
    return round(fen / 100, 2)


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def channel_label(code: str) -> str:
    return str(Channel(code).label) if code in Channel.values else pgettext("dashboard", "No channel")


def method_label(code: str) -> str:
    return str(Method(code).label) if code in Method.values else pgettext("dashboard", "Not by tender")


def _local(name: str, name_en: str) -> str:
    return name_en if name_en and (get_language() or "").startswith("en") else name


def _work_tiles(d: Dashboard, *, reconcile: bool) -> list[Tile]:
    """The open reconciliation differences and the overdue tickets, for the roles that read them."""
    out = []
    if d.tiles.pending_differences is not None:
        url = reverse("reconciliation:runs") if reconcile else ""
        label = pgettext("dashboard", "Reconciliation differences to settle")
        out.append(Tile("pending_differences", label, str(d.tiles.pending_differences), url))
    if d.tiles.overdue_tickets is not None:
        url = reverse("aftersales_console:overdue")
        out.append(
            Tile(
                "overdue_tickets", pgettext("dashboard", "Overdue tickets"), str(d.tiles.overdue_tickets), url
            )
        )
    return out


def tiles(d: Dashboard, *, reconcile: bool = False) -> list[Tile]:
    """The tiles in page order; ``reconcile``: the reader may open the reconciliation pages."""
    t = d.tiles
    return [
        Tile("sales", pgettext("dashboard", "Sales"), _money(t.sales)),
        Tile("orders", pgettext("dashboard", "Orders"), str(t.orders)),
        Tile("average_order", pgettext("dashboard", "Average order value"), _money(t.average_order)),
        Tile("net", pgettext("dashboard", "Net takings"), _money(t.net)),
        Tile("repeat_rate", pgettext("dashboard", "Repeat-purchase rate"), _pct(t.repeat_rate)),
        Tile("order_rate", pgettext("dashboard", "Visits to orders"), _pct(d.funnel.rate(Step.ORDER))),
        Tile("stock_outs", pgettext("dashboard", "Stock-outs"), str(t.stock_outs)),
        *_work_tiles(d, reconcile=reconcile),
    ]


def _bars(categories: list[str], series: list[dict[str, Any]], *, horizontal: bool = False) -> dict[str, Any]:
    cat_axis = {"type": "category", "data": categories, "axisLabel": {"hideOverlap": True}}
    value_axis = {"type": "value"}
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "top": 0},
        "grid": {"left": 8, "right": 16, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": value_axis if horizontal else cat_axis,
        "yAxis": {**cat_axis, "inverse": True} if horizontal else value_axis,
        "series": series,
    }


def _sales_by_day(d: Dashboard) -> Table:
    channels = sorted({c for day in d.days for c in day.by_channel})
    labels = [day.day.strftime("%m-%d") for day in d.days]
    series = [
        {
            "name": channel_label(c),
            "type": "bar",
            "stack": "sales",
            "data": [_yuan(day.by_channel.get(c, 0)) for day in d.days],
        }
        for c in channels
    ]
    live = pgettext("dashboard", "live")
    closed = pgettext("dashboard", "closed")
    return Table(
        "sales_by_day",
        pgettext("dashboard", "Sales by day and channel (yuan)"),
        [
            pgettext("dashboard", "Day"),
            pgettext("dashboard", "Books"),
            pgettext("dashboard", "Orders"),
            pgettext("dashboard", "Sales"),
            pgettext("dashboard", "Net takings"),
        ],
        [
            [
                day.day.isoformat(),
                closed if day.closed else live,
                str(day.orders),
                _money(day.sales),
                _money(day.net),
            ]
            for day in d.days
        ],
        Chart(key="sales_by_day", title="", option=_bars(labels, series)),
    )


def _pie(key: str, title: str, header: list[str], values: dict[str, str | int], label: Any) -> Table:
    data = [{"name": label(k), "value": _yuan(int(v))} for k, v in values.items()]
    option = {
        "tooltip": {"trigger": "item"},
        "legend": {"type": "scroll", "bottom": 0},
        "series": [{"type": "pie", "radius": ["35%", "65%"], "data": data, "label": {"show": False}}],
    }
    rows = [[label(k), _money(int(v))] for k, v in values.items()]
    return Table(key, title, header, rows, Chart(key=key, title="", option=option) if data else None)


def _funnel(d: Dashboard) -> Table:
    f = d.funnel
    steps = [(Step.VISIT, f.visits), (Step.CART, f.carts), (Step.ORDER, f.orders)]
    data = [{"name": str(Step(s).label), "value": n} for s, n in steps]
    option = {
        "tooltip": {"trigger": "item"},
        "series": [
            {"type": "funnel", "sort": "none", "left": "10%", "width": "80%", "minSize": "10%", "data": data}
        ],
    }
    return Table(
        "funnel",
        pgettext("dashboard", "Storefront conversion"),
        [
            pgettext("dashboard", "Step"),
            pgettext("dashboard", "Visitors"),
            pgettext("dashboard", "Share of visits"),
        ],
        [[str(Step(s).label), str(n), _pct(f.rate(s))] for s, n in steps],
        Chart(key="funnel", title="", option=option) if f.visits else None,
    )


def _ranking(d: Dashboard) -> Table:
    names = [f"{r.name}" for r in d.ranking]
    series = [
        {"name": pgettext("dashboard", "Sales"), "type": "bar", "data": [_yuan(r.sales) for r in d.ranking]}
    ]
    return Table(
        "ranking",
        pgettext("dashboard", "Outlets by sales"),
        [
            pgettext("dashboard", "Outlet"),
            pgettext("dashboard", "Code"),
            pgettext("dashboard", "Orders"),
            pgettext("dashboard", "Sales"),
        ],
        [[r.name, r.code, str(r.orders), _money(r.sales)] for r in d.ranking],
        Chart(key="ranking", title="", option=_bars(names, series, horizontal=True)) if d.ranking else None,
    )


def _top_products(d: Dashboard) -> Table:
    names = [_local(p.name, p.name_en) for p in d.top_products]
    series = [
        {
            "name": pgettext("dashboard", "Sales"),
            "type": "bar",
            "data": [_yuan(p.sales) for p in d.top_products],
        }
    ]
    return Table(
        "top_products",
        pgettext("dashboard", "Top products"),
        [
            pgettext("dashboard", "Product"),
            pgettext("dashboard", "SKU"),
            pgettext("dashboard", "Units"),
            pgettext("dashboard", "Sales"),
        ],
        [[n, p.sku_code, str(p.units), _money(p.sales)] for n, p in zip(names, d.top_products, strict=True)],
        Chart(key="top_products", title="", option=_bars(names, series, horizontal=True)) if names else None,
    )


def _stock_outs(d: Dashboard) -> Table:
    return Table(
        "stock_outs",
        pgettext("dashboard", "Stock-outs"),
        [
            pgettext("dashboard", "Outlet"),
            pgettext("dashboard", "SKU"),
            pgettext("dashboard", "Product"),
            pgettext("dashboard", "On hand"),
            pgettext("dashboard", "Held for orders"),
        ],
        [
            [s.outlet_name, s.sku_code, _local(s.name, s.name_en), str(s.on_hand), str(s.reserved)]
            for s in d.stock_outs
        ],
    )


def tables(d: Dashboard) -> list[Table]:
    """Every table of the dashboard in page order, each with its chart when it has data."""
    amount = pgettext("dashboard", "Amount")
    out = [
        _sales_by_day(d),
        _pie(
            "by_channel",
            pgettext("dashboard", "Sales by channel"),
            [pgettext("dashboard", "Channel"), amount],
            dict(d.by_channel),
            channel_label,
        ),
        _pie(
            "by_method",
            pgettext("dashboard", "Takings by payment method"),
            [pgettext("dashboard", "Payment method"), amount],
            dict(d.by_method),
            method_label,
        ),
        _funnel(d),
        _ranking(d),
        _top_products(d),
        _stock_outs(d),
    ]
    return [t for t in out if t.key != "ranking" or d.node.level != "outlet"]
