"""Reading the order pages' forms: money typed in yuan, mobiles, SKU rows, the counter's cart.

As in forms.py, only parsing lives here; what is allowed (positive quantities, enough stock,
a payable order) is the services' rule.
"""

import re
from dataclasses import dataclass
from typing import Any

from omnipoint.core.errors import ValidationError, require_quantity
from omnipoint.members.domain import normalise_mobile
from omnipoint.web.forms import parse_int, sku_find

# Blank SKU rows on the hotline / handheld order form.
ORDER_FORM_ROWS = 4
MAX_CART_LINES = 50  # as many as one order takes
CART_KEY = "console_pos_cart"


def parse_yuan(raw: str | None, *, field: str = "amount") -> int:
    """An amount typed in yuan ("95", "95.5", "95.50") as fen."""
    text = (raw or "").strip().replace("¥", "").replace(",", "")
    match = re.fullmatch(r"(\d{1,9})(?:\.(\d{1,2}))?", text)
    if not match:
        raise ValidationError(f"{field} must be an amount in yuan", code="invalid_amount", value=text)
    yuan, fen = match.group(1), (match.group(2) or "").ljust(2, "0")
    amount = int(yuan) * 100 + int(fen)
    if amount <= 0:
        raise ValidationError(f"{field} must be more than zero", code="invalid_amount", value=text)
    return amount


def parse_mobile(raw: str | None, *, required: bool = False) -> str:
    text = (raw or "").strip()[:20]
    if not text:
        if required:
            raise ValidationError("give the customer's mobile number", code="mobile_required")
        return ""
    return normalise_mobile(text)


def parse_customer(raw: str | None) -> tuple[str, str]:
    """The counter's customer field as (mobile, card code): a member card's code (its QR
    scanned, or typed) starts with a letter; anything else is a mobile number."""
    text = "".join((raw or "").split())[:40]
    if text[:1].isalpha():
        return "", text.upper()
    return parse_mobile(text), ""


def parse_codes(raw: str | None) -> list[str]:
    """Coupon codes separated by spaces or commas, as scanned or typed."""
    return [c for c in re.split(r"[\s,;，；]+", raw or "") if c][:10]


def parse_lines(skus: list[str], qtys: list[str]) -> list[tuple[int, int]]:
    """SKU rows (code or barcode, quantity) as (sku_id, quantity); blank rows are skipped."""
    rows = [(s.strip(), q.strip()) for s, q in zip(skus, qtys, strict=False)][:MAX_CART_LINES]
    return [(sku_find(s).pk, parse_int(q)) for s, q in rows if s or q]


@dataclass
class Cart:
    """The counter's basket before it becomes an order: in the session, SKU ids and quantities."""

    outlet_id: int | None
    lines: dict[int, int]  # sku_id -> quantity
    customer: str = ""  # as typed at checkout: a mobile or a member card code
    coupons: str = ""  # coupon codes as typed at checkout
    target: str = ""  # the number a top-up goes to, as typed (blank: the customer's mobile)

    @classmethod
    def load(cls, session: Any) -> "Cart":
        raw = session.get(CART_KEY) or {}
        lines = {int(k): int(v) for k, v in (raw.get("lines") or {}).items()}
        return cls(
            raw.get("outlet_id"),
            lines,
            raw.get("customer", ""),
            raw.get("coupons", ""),
            raw.get("target", ""),
        )

    def save(self, session: Any) -> None:
        session[CART_KEY] = {
            "outlet_id": self.outlet_id,
            "lines": {str(k): v for k, v in self.lines.items()},
            "customer": self.customer,
            "coupons": self.coupons,
            "target": self.target,
        }

    def add(self, sku_id: int, quantity: int) -> None:
        """Refuses zero, negative and absurd quantities before they reach the basket."""
        require_quantity(quantity)
        if sku_id not in self.lines and len(self.lines) >= MAX_CART_LINES:
            raise ValidationError("too many lines", code="too_many_lines")
        self.lines[sku_id] = require_quantity(self.lines.get(sku_id, 0) + quantity)

    def set(self, sku_id: int, quantity: int) -> None:
        if quantity == 0:
            self.lines.pop(sku_id, None)
            return
        require_quantity(quantity)
        if sku_id in self.lines:
            self.lines[sku_id] = quantity
