"""A closed day's clearing as a file: the outlet daily report or the institution clearing report
at a manager's node (日结报表 / 机构清算报表), the node and every node under it by channel x payment
method, with the adjustments it booked and the node's totals.

The rows are built once (``selectors.export_rows``, read in chunks and yielded one at a time)
and laid out here as cells (``Report``: headers in the reader's language, money as yuan with two
decimals); ``csv_file``, ``xlsx_file`` and ``pdf_file`` each render them, streaming: a CSV
generator, an openpyxl write-only workbook, a PDF drawn row by row."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import pgettext

from omnipoint.clearing import selectors
from omnipoint.clearing.domain import MONEY, Level
from omnipoint.clearing.tables import channel_name, measure_name, method_name
from omnipoint.core.errors import ValidationError
from omnipoint.outlets.domain import StaffActor

FORMATS = ("csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
Cell = str | int | Decimal


def yuan(fen: int) -> Decimal:
    """Fen as yuan with two decimals."""
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Report:
    day: date
    node_key: str
    node_name: str
    measures: list[str]
    totals: dict[str, int]
    rows: Iterator[selectors.ExportRow]

    @property
    def title(self) -> str:
        return pgettext("books export", "Daily clearing report %(day)s, %(node)s") % {
            "day": self.day.isoformat(),
            "node": self.node_name,
        }

    @property
    def filename(self) -> str:
        return f"clearing-{self.day.isoformat()}-{self.node_key.strip('/').replace('/', '-').replace(':', '-') or 'hq'}"

    def headers(self) -> list[str]:
        return [
            pgettext("books export", "Level"),
            pgettext("books export", "Node"),
            pgettext("books export", "Channel"),
            pgettext("books export", "Payment method"),
            pgettext("books export", "Corrects the day"),
            *[measure_name(m) + (" (¥)" if m in MONEY else "") for m in self.measures],
        ]

    def _values(self, values: dict[str, int]) -> list[Cell]:
        return [yuan(values.get(m, 0)) if m in MONEY else values.get(m, 0) for m in self.measures]

    def lines(self) -> Iterator[list[Cell]]:
        """The body, one list of cells a row: the figures, then the node's totals."""
        for r in self.rows:
            yield [
                str(Level(r.level).label) if r.level in Level.values else r.level,
                r.name,
                channel_name(r.channel) if r.channel else "",
                method_name(r.method) if r.method else "",
                r.corrects.isoformat() if r.corrects else "",
                *self._values(r.values),
            ]
        yield [pgettext("books export", "Total"), self.node_name, "", "", "", *self._values(self.totals)]


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
        selectors.export_measures(day=day, node=head.node),
        head.totals,
        selectors.export_rows(day=day, node=head.node),
    )
