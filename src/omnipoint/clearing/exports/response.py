"""A report as an HTTP download: CSV streamed line by line; XLSX and PDF written to a temporary
file on disk as they are built, then streamed from it."""

import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from omnipoint.clearing.exports import CONTENT_TYPES, Export
from omnipoint.clearing.exports.csv_file import csv_lines
from omnipoint.clearing.exports.pdf_file import write_pdf
from omnipoint.clearing.exports.xlsx_file import write_xlsx


def download(report: Export, fmt: str) -> HttpResponseBase:
    name = f"{report.filename}.{fmt}"
    if fmt == "csv":
        resp: HttpResponseBase = StreamingHttpResponse(csv_lines(report), content_type=CONTENT_TYPES[fmt])
        resp["Content-Disposition"] = f'attachment; filename="{name}"'
        return resp
    out = tempfile.TemporaryFile()
    (write_xlsx if fmt == "xlsx" else write_pdf)(report, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt])
