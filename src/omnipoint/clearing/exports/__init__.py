"""A closed day's clearing as a file: the outlet daily report or the institution clearing report
at a manager's node (日结报表 / 机构清算报表), the node and every node under it by channel x payment
method, with the adjustments it booked and the node's totals.

The rows are built once (``selectors.export_rows``, read in chunks and yielded one at a time)
and laid out here as cells (``Report``: headers in the reader's language, money as yuan with two
decimals); ``csv_file``, ``xlsx_file`` and ``pdf_file`` each render them, streaming: a CSV
generator, an openpyxl write-only workbook, a PDF drawn row by row.

The writers take any ``Export`` (a title, a file name, headers, lines read afresh on each call,
sections for the PDF, the widths of the leading text columns): settlement's statements are one
too."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext_lazy, pgettext

from omnipoint.clearing import selectors
from omnipoint.clearing.domain import MONEY, Level, Node
from omnipoint.clearing.tables import SALES, TAKINGS, VALUE, channel_name, measure_name, method_name
from omnipoint.core.errors import ValidationError
from omnipoint.outlets.domain import StaffActor

FORMATS = ("csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
Cell = str | int | Decimal
SECTIONS = (
    (gettext_lazy("Goods sold, by channel"), SALES),
    (gettext_lazy("Takings, by channel and payment method"), TAKINGS),
    (gettext_lazy("Stored value, points and commissions"), VALUE),
)


TEXT_COLUMNS = (48.0, 120.0, 52.0, 60.0, 58.0)  # level, node, channel, method, corrects (PDF points)


class Export(Protocol):
    """What the writers need of a file's contents."""

    @property
    def title(self) -> str: ...

    @property
    def filename(self) -> str: ...

    @property
    def sheet(self) -> str: ...  # the XLSX sheet's name

    @property
    def text_columns(self) -> tuple[float, ...]: ...  # the leading text columns' PDF widths

    @property
    def wide(self) -> bool: ...  # too many columns for A4 landscape

    def headers(self, measures: list[str] | None = None) -> list[str]: ...

    def lines(self, measures: list[str] | None = None) -> Iterator[list["Cell"]]: ...

    def sections(self) -> list[tuple[str, list[str]]]: ...


def yuan(fen: int) -> Decimal:
    """Fen as yuan with two decimals."""
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Report:
    day: date
    node_key: str
    node_name: str
    node: Node
    measures: list[str]  # those with a figure in the export, in the order of ``Measure``
    totals: dict[str, int]

    @property
    def title(self) -> str:
        return pgettext("books export", "Daily clearing report %(day)s, %(node)s") % {
            "day": self.day.isoformat(),
            "node": self.node_name,
        }

    text_columns = TEXT_COLUMNS

    @property
    def sheet(self) -> str:
        return self.day.isoformat()

    @property
    def wide(self) -> bool:
        return len(self.measures) > 7

    @property
    def filename(self) -> str:
        return f"clearing-{self.day.isoformat()}-{self.node_key.strip('/').replace('/', '-').replace(':', '-') or 'hq'}"

    def headers(self, measures: list[str] | None = None) -> list[str]:
        return [
            pgettext("books export", "Level"),
            pgettext("books export", "Node"),
            pgettext("books export", "Channel"),
            pgettext("books export", "Payment method"),
            pgettext("books export", "Corrects the day"),
            *[measure_name(m) + (" (¥)" if m in MONEY else "") for m in self._of(measures)],
        ]

    def _of(self, measures: list[str] | None) -> list[str]:
        return self.measures if measures is None else [m for m in measures if m in self.measures]

    def sections(self) -> list[tuple[str, list[str]]]:
        """The measures in the console's three tables (goods sold, takings, stored value and
        points), those present only: for a page too narrow for every column at once."""
        groups = [(str(title), self._of(list(ms))) for title, ms in SECTIONS]
        return [(title, ms) for title, ms in groups if ms]

    def lines(self, measures: list[str] | None = None) -> Iterator[list[Cell]]:
        """The body, one list of cells a row: the figures (read afresh each time), then the
        node's totals; with ``measures``, those columns only, leaving out rows with none."""
        shown = self._of(measures)

        def cells(values: dict[str, int]) -> list[Cell]:
            return [yuan(values.get(m, 0)) if m in MONEY else values.get(m, 0) for m in shown]

        for r in selectors.export_rows(day=self.day, node=self.node):
            if measures is not None and not any(r.values.get(m) for m in shown):
                continue
            yield [
                str(Level(r.level).label) if r.level in Level.values else r.level,
                r.name,
                channel_name(r.channel) if r.channel else "",
                method_name(r.method) if r.method else "",
                r.corrects.isoformat() if r.corrects else "",
                *cells(r.values),
            ]
        yield [pgettext("books export", "Total"), self.node_name, "", "", "", *cells(self.totals)]


def report_for(*, actor: StaffActor, day: date, node_key: str = "", fmt: str) -> Report:
    """The export of a closed day at a node in the actor's scope (their own by default), once
    the format is known: an unknown one is 422 ``unknown_format``, a day not closed 404
    ``day_not_closed``, a node outside the scope 404 ``node_not_found``."""
    if fmt not in FORMATS:
        raise ValidationError(
            f"the export format is one of {', '.join(FORMATS)}", code="unknown_format", format=fmt[:10]
        )
    head = selectors.day_figures(actor=actor, day=day, node_key=node_key)
    return Report(
        day,
        head.node.key,
        head.name,
        head.node,
        selectors.export_measures(day=day, node=head.node),
        head.totals,
    )
