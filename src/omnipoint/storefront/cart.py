"""The cart lives in the customer's session: SKU ids and quantities, nothing priced.

Prices and stock are read fresh on every page; the order is priced and stock is held only at
checkout (``orders.services.order_place``), so a cart never blocks anyone else's purchase.
"""

from django.contrib.sessions.backends.base import SessionBase

from omnipoint.core.errors import InvalidQuantityError, ValidationError, require_quantity
from omnipoint.orders.services import MAX_ORDER_LINES

SESSION_KEY = "shop_cart"
MAX_LINE_QUANTITY = 99


def parse_quantity(raw: str | None) -> int:
    """A quantity typed by the customer: a whole number from 1 to MAX_LINE_QUANTITY."""
    text = (raw or "").strip()
    if not text.isdigit():
        raise InvalidQuantityError("quantity must be a whole number", field="quantity", value=text[:20])
    quantity = require_quantity(int(text))
    if quantity > MAX_LINE_QUANTITY:
        raise InvalidQuantityError(
            f"at most {MAX_LINE_QUANTITY} of one item", field="quantity", value=quantity
        )
    return quantity


def cart_get(session: SessionBase) -> dict[int, int]:
    raw = session.get(SESSION_KEY) or {}
    return {int(k): int(v) for k, v in raw.items()}


def _save(session: SessionBase, cart: dict[int, int]) -> None:
    session[SESSION_KEY] = {str(k): v for k, v in cart.items()}


def cart_add(session: SessionBase, *, sku_id: int, quantity: int) -> None:
    cart = cart_get(session)
    if sku_id not in cart and len(cart) >= MAX_ORDER_LINES:
        raise ValidationError(f"at most {MAX_ORDER_LINES} items in a cart", code="too_many_lines")
    total = cart.get(sku_id, 0) + quantity
    if total > MAX_LINE_QUANTITY:
        raise InvalidQuantityError(f"at most {MAX_LINE_QUANTITY} of one item", field="quantity", value=total)
    cart[sku_id] = total
    _save(session, cart)


def cart_update(session: SessionBase, *, sku_id: int, quantity: int) -> None:
    cart = cart_get(session)
    if sku_id in cart:
        cart[sku_id] = quantity
        _save(session, cart)


def cart_remove(session: SessionBase, *, sku_id: int) -> None:
    cart = cart_get(session)
    if cart.pop(sku_id, None) is not None:
        _save(session, cart)


def cart_clear(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)
