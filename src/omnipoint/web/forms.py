"""Reading the console's plain HTML forms into the arguments services take.

Only parsing lives here: a typed text becomes an int or a SKU, or a ValidationError the page
shows. Whether a quantity is allowed (positive, not too large, not more than was sent) is the
services' rule, checked there once for the API and the console alike.
"""

import re

from django.db.models import QuerySet

from omnipoint.catalog.models import Sku
from omnipoint.catalog.selectors import product_list, sku_get
from omnipoint.core.errors import InvalidQuantityError, NotFoundError, ValidationError
from omnipoint.outlets.models import Outlet

# Blank rows offered on the transfer form: enough for a counter, short enough for a phone.
TRANSFER_FORM_ROWS = 5


def parse_int(raw: str | None, *, field: str = "quantity") -> int:
    """A whole number typed into a form (the service then checks its range)."""
    text = (raw or "").strip()
    if not re.fullmatch(r"[+-]?\d{1,12}", text):
        raise InvalidQuantityError(f"{field} must be a whole number", field=field, value=text)
    return int(text)


def parse_id(raw: str | None, *, what: str) -> int:
    text = (raw or "").strip()
    if not text.isdigit() or len(text) > 18:
        raise ValidationError(f"choose a {what}", code=f"{what}_required")
    return int(text)


def parse_float(raw: str | None, *, default: float, field: str) -> float:
    text = (raw or "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValidationError(f"{field} must be a number", code=f"invalid_{field}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValidationError(f"{field} must be a number", code=f"invalid_{field}")
    return value


def sku_find(query: str) -> Sku:
    """The SKU a scanned barcode or a typed code names."""
    text = query.strip()
    lookups: list[dict[str, str]] = [{"barcode": text}, {"code": text}, {"code": text.upper()}]
    for lookup in lookups if text else []:
        try:
            return sku_get(barcode=lookup.get("barcode", ""), code=lookup.get("code", ""))
        except NotFoundError:
            continue
    raise ValidationError(f"unknown SKU {text!r}", code="unknown_sku", query=text)


def sku_search(query: str, *, limit: int = 20) -> list[Sku]:
    """SKUs matching a barcode or code exactly, else those of products matching the text."""
    text = query.strip()
    if not text:
        return []
    try:
        return [sku_find(text)]
    except ValidationError:
        pass
    found: list[Sku] = []
    for product in product_list(search=text)[:limit]:
        for sku in product.skus.all():
            if sku.is_active:
                sku.product = product
                found.append(sku)
    return found[:limit]


def sku_codes(text: str) -> list[int] | None:
    """SKU ids from a list of codes or barcodes (spaces, commas or new lines); None when empty."""
    tokens = [t for t in re.split(r"[\s,;，；]+", text) if t]
    if not tokens:
        return None
    return [sku_find(t).pk for t in tokens]


def outlet_directory() -> QuerySet[Outlet]:
    """Every active outlet, for choosing where goods go: names and codes are public (the
    storefront lists outlets); what lies inside an outlet stays scoped."""
    return Outlet.objects.filter(is_active=True).only("pk", "code", "name").order_by("code")
