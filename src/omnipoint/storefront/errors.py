"""Refusals as the customer reads them: the service's stable code turned into a sentence in
the customer's language. An unknown code falls back to the service's own message."""

from typing import Any

from django.utils.translation import pgettext_lazy

from omnipoint.core.errors import DomainError
from omnipoint.core.explain import render

_TEXT = {
    "invalid_quantity": pgettext_lazy("shop", "Enter a quantity from 1 to 99."),
    "too_many_lines": pgettext_lazy("shop", "Your cart is full."),
    "no_lines": pgettext_lazy("shop", "Your cart is empty."),
    "sku_not_found": pgettext_lazy("shop", "This item is no longer on sale."),
    "product_not_found": pgettext_lazy("shop", "This item is no longer on sale."),
    "category_not_found": pgettext_lazy("shop", "The shop has no such category."),
    "no_price": pgettext_lazy("shop", "%(item)s is not sold in this area."),
    "insufficient_stock": pgettext_lazy(
        "shop", "Not enough stock of %(item)s for this order. Lower the quantity or choose another outlet."
    ),
    "quantity_limit": pgettext_lazy("shop", "At most %(limit)s of %(item)s in one order."),
    "member_quantity_limit": pgettext_lazy(
        "shop", "You already have %(open)s of %(item)s in open orders: at most %(limit)s per customer."
    ),
    "invalid_mobile": pgettext_lazy("shop", "Enter an 11-digit mainland mobile number."),
    "mobile_required": pgettext_lazy("shop", "Enter your mobile number."),
    "name_required": pgettext_lazy("shop", "Enter your name."),
    "pickup_outlet_required": pgettext_lazy("shop", "Choose an outlet to pick up at."),
    "outlet_not_found": pgettext_lazy("shop", "Choose an outlet to pick up at."),
    "address_required": pgettext_lazy("shop", "Enter the delivery address."),
    "region_required": pgettext_lazy("shop", "Choose your district."),
    "invalid_method": pgettext_lazy("shop", "Choose delivery or pickup."),
    "invalid_payment_mode": pgettext_lazy(
        "shop", "This way of paying is not available for the chosen delivery method."
    ),
    "checkout_stale": pgettext_lazy(
        "shop", "This checkout page is out of date. Check your order and place it again."
    ),
    "not_yourself": pgettext_lazy(
        "shop",
        "Signed in, you order for yourself: give your own mobile number, or sign out to order for someone else.",
    ),
    "order_not_found": pgettext_lazy("shop", "No order has this number and mobile number."),
    "payment_expired": pgettext_lazy("shop", "The time to pay this order is over."),
    "already_paid": pgettext_lazy("shop", "This order is already paid."),
    "order_wrong_state": pgettext_lazy("shop", "This order can no longer be paid."),
    "invalid_coordinates": pgettext_lazy("shop", "Your location could not be used."),
    "coupon_not_found": pgettext_lazy("shop", "Coupon %(coupon)s is not one of your coupons."),
    "coupon_expired": pgettext_lazy("shop", "Coupon %(coupon)s has expired."),
    "coupon_not_available": pgettext_lazy("shop", "Coupon %(coupon)s is already used on another order."),
    "coupon_not_applicable": pgettext_lazy(
        "shop", "Coupon %(coupon)s cannot be used on this order: %(reason)s."
    ),
    "member_required": pgettext_lazy("shop", "Enter the mobile number your coupons were issued to."),
    "claim_limit_reached": pgettext_lazy(
        "shop", "You already hold this coupon: at most %(limit)s per member."
    ),
    "coupon_budget_exhausted": pgettext_lazy("shop", "This coupon is all gone."),
    "template_not_found": pgettext_lazy("shop", "This coupon is no longer offered."),
    "not_member": pgettext_lazy("shop", "Sign in as a member first."),
    "sign_in_required": pgettext_lazy("shop", "Sign in as a member first."),
    "attempts_exhausted": pgettext_lazy("shop", "You have no attempts left at this game."),
    "game_closed": pgettext_lazy("shop", "This game is not open now."),
    "game_not_found": pgettext_lazy("shop", "This game is not on now."),
}


def error_text(error: DomainError, *, items: dict[int, str] | None = None) -> str:
    template = _TEXT.get(error.code)
    if template is None:
        return error.message
    details: dict[str, Any] = dict(error.details)
    if isinstance(details.get("reason"), dict):
        details["reason"] = render(details["reason"])
    sku_id = details.get("sku_id")
    details["item"] = (items or {}).get(sku_id, "") if isinstance(sku_id, int) else ""
    if not details["item"]:
        details["item"] = pgettext_lazy("shop", "an item")
    try:
        return str(template) % details
    except (KeyError, TypeError, ValueError):
        return error.message
