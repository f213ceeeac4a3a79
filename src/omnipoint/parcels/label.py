"""A parcel's label (100 x 150 mm): the service, the tracking number as a Code 128 barcode and in
figures, sender and recipient, weight, the date, and a QR code of the online tracking page.

One ReportLab drawing, rendered as PDF for the printer and as SVG for the screen (the console's
label page shows it, so a browser sees the very label that prints). Chinese is set in ReportLab's
built-in CID font STSong-Light, as the clearing exports are (no font file to embed)."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.graphics import renderPDF, renderSVG
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

from omnipoint.parcels.domain import Service
from omnipoint.parcels.models import Parcel

FONT = "STSong-Light"
WIDTH, HEIGHT = 100 * mm, 150 * mm
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def tracking_url(number: str) -> str:
    return settings.SITE_URL + reverse("parcels_shop:track", args=[number])


def _qr(data: str, x: float, y: float, size: float) -> Group:
    import segno

    matrix = segno.make(data, error="m", boost_error=False).matrix
    n = len(matrix) + 8  # a quiet zone of four modules each side
    cell = size / n
    group = Group(Rect(x, y, size, size, fillColor=colors.white, strokeColor=None))
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):  # one rectangle per run of dark modules
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            top = y + size - (r + 4 + 1) * cell
            group.add(
                Rect(
                    x + (start + 4) * cell,
                    top,
                    (c - start) * cell,
                    cell,
                    fillColor=colors.black,
                    strokeColor=None,
                )
            )
    return group


def _text(x: float, y: float, text: str, size: float = 9, bold: bool = False) -> String:
    return String(x, y, text, fontName="Helvetica-Bold" if bold and text.isascii() else FONT, fontSize=size)


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)][:3] or [""]


def _party(d: Drawing, top: float, title: str, name: str, mobile: str, region: str, address: str) -> None:
    d.add(_text(4 * mm, top, title, 8))
    d.add(_text(16 * mm, top, f"{name}  {mobile}", 11))
    y = top - 5 * mm
    for line in _wrap(f"{region} {address}", 26):
        d.add(_text(16 * mm, y, line, 9))
        y -= 4.2 * mm


def label_drawing(parcel: Parcel) -> Drawing:
    d = Drawing(WIDTH, HEIGHT)
    d.add(Rect(1 * mm, 1 * mm, WIDTH - 2 * mm, HEIGHT - 2 * mm, fillColor=None, strokeWidth=1))
    express = parcel.service == Service.EXPRESS
    d.add(_text(4 * mm, HEIGHT - 10 * mm, _("Omnipoint parcel"), 12))
    d.add(_text(WIDTH - 34 * mm, HEIGHT - 10 * mm, str(Service(parcel.service).label), 14))
    if express:
        d.add(Rect(WIDTH - 36 * mm, HEIGHT - 12.5 * mm, 32 * mm, 8 * mm, fillColor=None, strokeWidth=1.5))
    barcode = createBarcodeDrawing(
        "Code128",
        value=parcel.number,
        barHeight=16 * mm,
        barWidth=0.42 * mm,
        humanReadable=False,
        quiet=False,
    )
    bx = (WIDTH - barcode.width) / 2
    g = Group(*barcode.contents, transform=(1, 0, 0, 1, bx, HEIGHT - 33 * mm))
    d.add(g)
    n = parcel.number
    spaced = " ".join((n[:2], n[2:5], n[5:8], n[8:11], n[11:]))  # as the UPU prints it: RR 123 456 785 GB
    d.add(
        String(
            WIDTH / 2, HEIGHT - 38 * mm, spaced, fontName="Helvetica-Bold", fontSize=13, textAnchor="middle"
        )
    )
    d.add(Line(2 * mm, HEIGHT - 41 * mm, WIDTH - 2 * mm, HEIGHT - 41 * mm))
    _party(d, HEIGHT - 48 * mm, pgettext("parcels", "To"), parcel.recipient_name, parcel.recipient_mobile,
           parcel.recipient_region.name, parcel.recipient_address)  # fmt: skip
    d.add(Line(2 * mm, HEIGHT - 68 * mm, WIDTH - 2 * mm, HEIGHT - 68 * mm))
    _party(d, HEIGHT - 75 * mm, pgettext("parcels", "From"), parcel.sender_name, parcel.sender_mobile,
           parcel.sender_region.name, parcel.sender_address)  # fmt: skip
    d.add(Line(2 * mm, HEIGHT - 95 * mm, WIDTH - 2 * mm, HEIGHT - 95 * mm))
    facts = [
        _("Weight: %(kg)s kg") % {"kg": f"{parcel.weight_g / 1000:.2f}"},
        _("Size: %(l)s x %(w)s x %(h)s cm")
        % {"l": parcel.length_cm, "w": parcel.width_cm, "h": parcel.height_cm},
        _("Accepted at: %(outlet)s") % {"outlet": parcel.origin.name},
        timezone.localtime(parcel.paid_at or parcel.created_at).strftime("%Y-%m-%d %H:%M"),
    ]
    y = HEIGHT - 101 * mm
    for line in facts:
        d.add(_text(4 * mm, y, line[:30], 8.5))
        y -= 5 * mm
    d.add(_qr(tracking_url(parcel.number), WIDTH - 38 * mm, 6 * mm, 34 * mm))
    d.add(_text(4 * mm, 8 * mm, _("Scan to track online"), 8))
    return d


def label_pdf(parcel: Parcel) -> bytes:
    return bytes(renderPDF.drawToString(label_drawing(parcel), showBoundary=False))


def label_svg(parcel: Parcel) -> str:
    return str(renderSVG.drawToString(label_drawing(parcel)))
