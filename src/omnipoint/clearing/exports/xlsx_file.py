"""The export as XLSX, with openpyxl's write-only workbook: rows go to a temporary file as they
are appended, never a sheet held in memory. Money cells are numbers shown with two decimals."""

from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from omnipoint.clearing.exports import Export

YUAN = "#,##0.00"


def write_xlsx(report: Export, out: IO[bytes]) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(report.sheet[:31])
    ws.freeze_panes = "C3"
    bold = Font(bold=True)

    def cell(value: Any, *, strong: bool = False) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=value)
        if isinstance(value, Decimal):
            c.number_format = YUAN
        if strong:
            c.font = bold
        return c

    ws.append([cell(report.title, strong=True)])
    ws.append([cell(h, strong=True) for h in report.headers()])
    for line in report.lines():
        ws.append([cell(v) for v in line])
    wb.save(out)
