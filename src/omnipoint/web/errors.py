"""Refusals as the console shows them: the service's stable code, in the reader's language.

Services word their messages in English for API clients and logs; the console turns the code
(and its details) into a translated sentence, and falls back to the service's message for a
code it does not know yet.
"""

from typing import Any

from django.utils.translation import gettext_lazy

from omnipoint.core.errors import DomainError
from omnipoint.core.explain import render
from omnipoint.inventory.models import CountState, TransferState
from omnipoint.orders.models import OrderState, TaskState

_TEXT = {
    "not_found": gettext_lazy("Not found."),
    "transfer_not_found": gettext_lazy("Transfer not found."),
    "count_not_found": gettext_lazy("Count not found."),
    "location_not_found": gettext_lazy("Outlet not found in your area."),
    "outlet_not_found": gettext_lazy("Outlet not found in your area."),
    "sku_not_found": gettext_lazy("Unknown SKU."),
    "unknown_sku": gettext_lazy("No SKU has the code or barcode “%(query)s”."),
    "forbidden": gettext_lazy("Your role may not do this."),
    "not_staff": gettext_lazy("This account has no staff role."),
    "invalid_quantity": gettext_lazy("Invalid quantity “%(value)s”."),
    "insufficient_stock": gettext_lazy("Not enough stock: %(available)s available, %(requested)s needed."),
    "insufficient_stock_lines": gettext_lazy("Not enough stock: %(lines)s."),
    "same_location": gettext_lazy("Source and destination must be different outlets."),
    "no_lines": gettext_lazy("Add at least one line."),
    "too_many_lines": gettext_lazy("Too many lines."),
    "sku_not_on_transfer": gettext_lazy("That SKU is not on this transfer."),
    "over_receipt": gettext_lazy("More received than was sent."),
    "transfer_wrong_state": gettext_lazy("This transfer is now “%(state)s”; the action no longer applies."),
    "count_not_open": gettext_lazy("This count is no longer open."),
    "nothing_counted": gettext_lazy("Nothing has been counted yet."),
    "count_below_reserved": gettext_lazy(
        "Counted %(counted)s but %(reserved)s are reserved for customers: resolve those first."
    ),
    "count_contended": gettext_lazy("Stock kept changing while posting the count; try again."),
    "invalid_radius": gettext_lazy("The radius must be more than 0 and at most 200 km."),
    "invalid_coordinates": gettext_lazy("Coordinates are out of range."),
    "outlet_required": gettext_lazy("Choose an outlet."),
    "source_required": gettext_lazy("Choose a source outlet."),
    "destination_required": gettext_lazy("Choose a destination outlet."),
    "invalid_radius_km": gettext_lazy("The radius must be a number."),
    # orders, pickup, the counter, returns
    "order_not_found": gettext_lazy("Order not found."),
    "task_not_found": gettext_lazy("Task not found."),
    "invalid_step": gettext_lazy("Unknown step."),
    "task_wrong_state": gettext_lazy("This task is now “%(state)s”; the step no longer applies."),
    "task_wrong_step": gettext_lazy("That step does not apply to this kind of task."),
    "order_wrong_state": gettext_lazy("This order is now “%(state)s”; the action no longer applies."),
    "pickup_code_invalid": gettext_lazy("No order waiting at this outlet has this pickup code."),
    "pickup_locked": gettext_lazy("Too many wrong codes: hand-over is locked. Check the customer's ID."),
    "already_collected": gettext_lazy("This order was already collected: the code is used."),
    "order_not_ready": gettext_lazy("This order is “%(state)s”, not ready for pickup yet."),
    "payment_due": gettext_lazy("This order is to be paid at the outlet first."),
    "already_paid": gettext_lazy("This order is already paid."),
    "overpayment": gettext_lazy("That is more than remains to be paid."),
    "invalid_amount": gettext_lazy("Enter an amount in yuan, more than zero."),
    "payment_expired": gettext_lazy("The time to pay this order is over."),
    "method_unavailable": gettext_lazy("This payment method is not available yet."),
    "return_exceeds_sold": gettext_lazy("More returned than was bought (%(bought)s bought)."),
    "sku_not_on_order": gettext_lazy("That SKU is not on this order."),
    "order_in_transit": gettext_lazy("Goods for this order are already on the road."),
    "reservation_owned": gettext_lazy("This hold belongs to an order: it moves only with the order."),
    "order_holds_lapsed": gettext_lazy("The goods of this order are no longer all held for it."),
    "order_refunded": gettext_lazy("This order was refunded: its goods are not handed over."),
    "quantity_limit": gettext_lazy("At most %(limit)s of this SKU in one order."),
    "member_quantity_limit": gettext_lazy(
        "The customer already has %(open)s of this SKU in open orders (at most %(limit)s)."
    ),
    "order_not_paid": gettext_lazy("This order is not paid yet."),
    "refund_exceeds_payment": gettext_lazy("The refund would exceed what was paid."),
    "no_price": gettext_lazy("This SKU has no price here."),
    "no_counter": gettext_lazy("This outlet has no counter."),
    "invalid_mobile": gettext_lazy("That is not a mainland mobile number."),
    "mobile_required": gettext_lazy("Give the customer's mobile number."),
    "pickup_outlet_required": gettext_lazy("Choose an outlet that is a pickup point."),
    "address_required": gettext_lazy("Give the delivery address."),
    "region_required": gettext_lazy("Give the delivery district."),
    "region_not_found": gettext_lazy("Unknown district code."),
    "origin_required": gettext_lazy("Choose the outlet the order is keyed at."),
    "invalid_payment_mode": gettext_lazy("That way of paying does not suit this kind of order."),
    "invalid_channel": gettext_lazy("Unknown channel."),
    "invalid_method": gettext_lazy("That does not apply to this order."),
    "reason_required": gettext_lazy("Give a reason."),
    "order_required": gettext_lazy("Choose an order."),
    "sku_required": gettext_lazy("Choose a SKU."),
    "not_counter_sale": gettext_lazy("This order is not a counter sale."),
    "staff_not_found": gettext_lazy("Staff member not found."),
    "role_above_yours": gettext_lazy("You may not give a role above your own."),
    "own_role": gettext_lazy("Your own role is changed by another manager."),
    "invalid_role": gettext_lazy("Unknown role."),
    "node_required": gettext_lazy("Choose where the role is held: the outlet, or the region's code."),
    "username_taken": gettext_lazy("That username is taken."),
    "invalid_username": gettext_lazy("A username is letters, digits and . @ + - _ only."),
    "name_required": gettext_lazy("Give the name staff will see."),
    "weak_password": gettext_lazy("The password is too weak: %(reasons)s"),
    "cash_short": gettext_lazy(
        "%(given)s received is less than the %(due)s due: enter the full amount, or take it as a part payment."
    ),
    "insufficient_balance": gettext_lazy("The member's balance does not cover that amount."),
    "member_required": gettext_lazy("Name the member first: their mobile or member card."),
    "member_not_found": gettext_lazy("No member has this card or mobile number."),
    "coupon_not_found": gettext_lazy("Coupon %(coupon)s is not one of this member's coupons."),
    "coupon_expired": gettext_lazy("Coupon %(coupon)s has expired."),
    "coupon_not_available": gettext_lazy("Coupon %(coupon)s is already used on another order."),
    "coupon_not_applicable": gettext_lazy("Coupon %(coupon)s cannot be used on this sale (%(reason)s)."),
    "insufficient_points": gettext_lazy("The member does not have that many points to spend."),
    "points_contended": gettext_lazy("The member's points kept changing; try again."),
    "amount_required": gettext_lazy("Choose a package or give an amount."),
    "package_not_found": gettext_lazy("That top-up package is not offered."),
    "lookup_required": gettext_lazy("Give a mobile number or a member card code."),
    "invalid_node": gettext_lazy("This role is not held at that level of the network."),
    "not_a_district": gettext_lazy("An outlet is placed in a district."),
    "salesperson_not_found": gettext_lazy("Salesperson not found."),
    "not_salesperson": gettext_lazy("This is for salespeople."),
    "gateway_refund_refused": gettext_lazy("The payment gateway refused the refund."),
    "duplicate_line": gettext_lazy("A SKU is listed twice."),
}
_SHORT_LINE = gettext_lazy("%(sku_code)s: %(available)s available, %(requested)s needed")
_LIST_SEPARATOR = gettext_lazy("; ")

_STATES = (
    dict(TransferState.choices)
    | dict(CountState.choices)
    | dict(TaskState.choices)
    | dict(OrderState.choices)
)


def _short_lines(lines: list[dict[str, Any]]) -> str:
    """Each short SKU of a refused stock request, so the clerk knows which to take off."""
    return str(_LIST_SEPARATOR).join(str(_SHORT_LINE) % ln for ln in lines)


def error_text(error: DomainError) -> str:
    lines = error.details.get("lines")
    if error.code == "insufficient_stock" and lines:
        return str(_TEXT["insufficient_stock_lines"]) % {"lines": _short_lines(lines)}
    template = _TEXT.get(error.code)
    if template is None:
        return error.message
    details: dict[str, Any] = {"query": "", "value": ""} | {
        k: " ".join(map(str, v)) if isinstance(v, list) else v for k, v in error.details.items()
    }
    if isinstance(details.get("reason"), dict):
        details["reason"] = render(details["reason"])
    if "state" in details:
        details["state"] = _STATES.get(details["state"], details["state"])
    try:
        return str(template) % details
    except (KeyError, TypeError, ValueError):
        return error.message
