"""The export as CSV: UTF-8 with a byte-order mark (so Excel reads the Chinese headers), a line
yielded as soon as its row is read."""

import csv
from collections.abc import Iterator

from omnipoint.clearing.exports import Export


class _Line:
    """A file that hands back what is written to it, for csv.writer to format one line."""

    def write(self, text: str) -> str:
        return text


def csv_lines(report: Export) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff"
    yield writer.writerow([report.title])
    yield writer.writerow(report.headers())
    for line in report.lines():
        yield writer.writerow([f"{c:.2f}" if not isinstance(c, str | int) else c for c in line])
