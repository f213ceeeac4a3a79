"""The export as PDF (ReportLab), drawn row by row onto landscape pages with the headers
repeated on each, so no table of every row is built first.

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

from omnipoint.clearing.exports import Cell, Report

FONT = "STSong-Light"
MARGIN = 28
SIZE = 7
LINE = 10
TEXT_COLUMNS = (48, 120, 52, 60, 58)  # level, node, channel, method, corrects (points)


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


def write_pdf(report: Report, out: IO[bytes]) -> None:
    headers = report.headers()
    measures = len(headers) - len(TEXT_COLUMNS)
    page = landscape(A4 if measures <= 10 else A3)
    width, height = page
    numeric = (width - 2 * MARGIN - sum(TEXT_COLUMNS)) / max(measures, 1)
    widths = [*TEXT_COLUMNS, *[numeric] * measures]
    xs = [MARGIN + sum(widths[:i]) for i in range(len(widths))]
    pdf = Canvas(out, pagesize=page)
    pdf.setTitle(report.title)
    number = 0

    def top() -> float:
        nonlocal number
        number += 1
        pdf.setFont(font(), 11)
        pdf.drawString(MARGIN, height - MARGIN, report.title)
        pdf.setFont(font(), SIZE)
        pdf.drawRightString(width - MARGIN, height - MARGIN, f"{number}")
        y = height - MARGIN - 18
        wrapped = [_wrap(h, w - 3, SIZE) for h, w in zip(headers, widths, strict=True)]
        for x, lines in zip(xs, wrapped, strict=True):
            for i, text in enumerate(lines):
                pdf.drawString(x + 1, y - i * LINE, text)
        y -= LINE * max(len(lines) for lines in wrapped)
        pdf.line(MARGIN, y + LINE - 3, width - MARGIN, y + LINE - 3)
        return y

    y = top()
    for line in report.lines():
        if y < MARGIN:
            pdf.showPage()
            y = top()
        pdf.setFont(font(), SIZE)
        for i, (x, w, value) in enumerate(zip(xs, widths, line, strict=True)):
            text = _shown(value)
            if i < len(TEXT_COLUMNS):
                pdf.drawString(x + 1, y, _wrap(text, w - 3, SIZE)[0])
            else:
                pdf.drawRightString(x + w - 2, y, text)
        y -= LINE
    pdf.showPage()
    pdf.save()
