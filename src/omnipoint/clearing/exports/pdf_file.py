"""The export as PDF (ReportLab), drawn row by row onto landscape pages, a section per table of
the day page with its headers repeated on each page, so no table of every row is built first.

Chinese text: Debian's fonts-noto-cjk ships only OpenType collections with PostScript (CFF)
outlines, which ReportLab's TTFont cannot read, so the text is set in ReportLab's built-in CID
font STSong-Light (UnicodeCIDFont: no font file, the reader's viewer supplies the glyphs)."""

from decimal import Decimal
from functools import cache
from typing import IO

from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from omnipoint.clearing.exports import Cell, Export

FONT = "STSong-Light"
MARGIN = 28
SIZE = 7
LINE = 10


@cache
def font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Break a text to fit a width, character by character (Chinese has no spaces)."""
    lines, line = [], ""
    for ch in text:
        if line and pdfmetrics.stringWidth(line + ch, font(), size) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line][:3]


def _shown(value: Cell) -> str:
    return (
        f"{value:,.2f}" if isinstance(value, Decimal) else (f"{value:,}" if isinstance(value, int) else value)
    )


class _Pages:
    """A canvas drawn top to bottom: a title on each page, a section's headers at its start and
    again on each page it runs onto."""

    def __init__(self, report: Export, out: IO[bytes]) -> None:
        self.report = report
        self.text = report.text_columns
        self.size = landscape(A3 if report.wide else A4)
        self.pdf = Canvas(out, pagesize=self.size)
        self.pdf.setTitle(report.title)
        self.number = 0
        self.y = 0.0

    def columns(self, measures: int) -> tuple[list[float], list[float]]:
        width = self.size[0]
        numeric = (width - 2 * MARGIN - sum(self.text)) / max(measures, 1)
        widths = [*self.text, *[min(numeric, 90)] * measures]
        return [MARGIN + sum(widths[:i]) for i in range(len(widths))], widths

    def page(self) -> None:
        if self.number:
            self.pdf.showPage()
        self.number += 1
        width, height = self.size
        self.pdf.setFont(font(), 11)
        self.pdf.drawString(MARGIN, height - MARGIN, self.report.title)
        self.pdf.setFont(font(), SIZE)
        self.pdf.drawRightString(width - MARGIN, height - MARGIN, f"{self.number}")
        self.y = height - MARGIN - 20

    def heading(self, title: str, headers: list[str]) -> None:
        if self.y < MARGIN + 6 * LINE:
            self.page()
        self.pdf.setFont(font(), 9)
        self.pdf.drawString(MARGIN, self.y, title)
        self.y -= LINE + 4
        self.headers(headers)

    def headers(self, headers: list[str]) -> None:
        xs, widths = self.columns(len(headers) - len(self.text))
        self.pdf.setFont(font(), SIZE)
        wrapped = [_wrap(h, w - 3, SIZE) for h, w in zip(headers, widths, strict=True)]
        for x, lines in zip(xs, wrapped, strict=True):
            for i, text in enumerate(lines):
                self.pdf.drawString(x + 1, self.y - i * LINE, text)
        self.y -= LINE * max(len(lines) for lines in wrapped)
        self.pdf.line(MARGIN, self.y + LINE - 3, xs[-1] + widths[-1], self.y + LINE - 3)

    def row(self, line: list[Cell], headers: list[str]) -> None:
        if self.y < MARGIN:
            self.page()
            self.headers(headers)
        xs, widths = self.columns(len(line) - len(self.text))
        self.pdf.setFont(font(), SIZE)
        for i, (x, w, value) in enumerate(zip(xs, widths, line, strict=True)):
            text = _shown(value)
            if i < len(self.text):
                self.pdf.drawString(x + 1, self.y, _wrap(text, w - 3, SIZE)[0])
            else:
                self.pdf.drawRightString(x + w - 2, self.y, text)
        self.y -= LINE


def write_pdf(report: Export, out: IO[bytes]) -> None:
    """One section per table (of the day page: goods sold, takings, stored value and points),
    each read afresh from the database and drawn a row at a time."""
    pages = _Pages(report, out)
    pages.page()
    for title, measures in report.sections():
        headers = report.headers(measures)
        pages.heading(title, headers)
        for line in report.lines(measures):
            pages.row(line, headers)
        pages.y -= LINE
    pages.pdf.showPage()
    pages.pdf.save()
