"""How an uploaded material file is served, the same at every door (API, console, shop), once
the selector has said the caller may see it: never cached, never sniffed into another type,
sandboxed, and a PDF downloaded rather than opened in the site's origin."""

from django.http import HttpResponse

from omnipoint.appointments.domain import PDF
from omnipoint.appointments.models import MaterialUpload

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def material_response(upload: MaterialUpload) -> HttpResponse:
    response = HttpResponse(bytes(upload.content), content_type=upload.content_type)
    name = f"{upload.item}-v{upload.version}.{EXTENSIONS.get(upload.content_type, 'bin')}"
    disposition = "attachment" if upload.content_type == PDF else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
