"""Refusals of parcels as the console and the shop show them: the stable code in the reader's
language, the service's English message for a code not listed here."""

from django.utils.translation import gettext_lazy

from omnipoint.core.errors import DomainError

_TEXT = {
    "forbidden": gettext_lazy("Your role may not do this."),
    "not_staff": gettext_lazy("This account has no staff role."),
    "outlet_not_found": gettext_lazy("Outlet not found in your area."),
    "region_not_found": gettext_lazy("Choose a district from the list."),
    "invalid_mobile": gettext_lazy("This is not a mainland mobile number."),
    "invalid_input": gettext_lazy("Check what you entered."),
    "invalid_dimensions": gettext_lazy("Enter the weight in grams and each side in whole centimetres."),
    "over_weight": gettext_lazy("Over the weight limit: a parcel weighs at most 30 kg."),
    "over_size": gettext_lazy("Too big: a side is at most 150 cm, length and girth at most 300 cm."),
    "invalid_declared_value": gettext_lazy("A declared value is at most 20,000 yuan."),
    "invalid_service": gettext_lazy("Choose standard or express."),
    "malformed_tracking_number": gettext_lazy(
        "This is not a tracking number: two letters, nine digits and two letters, such as CP123456785CN. Check it."
    ),
    "parcel_not_found": gettext_lazy("No parcel has this tracking number."),
    "parcel_unpaid": gettext_lazy("The parcel is not paid yet."),
    "parcel_paid": gettext_lazy("The parcel was paid meanwhile."),
    "member_not_found": gettext_lazy("No member has the sender's mobile: take cash or the QR code."),
    "insufficient_balance": gettext_lazy("The sender's wallet does not hold enough for this parcel."),
    "invalid_scan_kind": gettext_lazy("Choose what happened to the parcel."),
    "invalid_time": gettext_lazy("A scan cannot be in the future."),
    "parcel_not_held": gettext_lazy("This parcel is not waiting at this outlet."),
    "parcel_collected": gettext_lazy("This parcel was collected already."),
    "wrong_pickup_code": gettext_lazy("That is not this parcel's pickup code."),
    "pickup_locked": gettext_lazy(
        "Too many wrong codes for this parcel: ask for the recipient's ID, try again later."
    ),
    "method_unavailable": gettext_lazy("Online payment is not available here."),
    "parcel_voided": gettext_lazy("This parcel was voided."),
    "qr_failed": gettext_lazy("The QR payment failed: take cash or the sender's wallet."),
    "parcel_expired": gettext_lazy("This parcel expired unpaid: accept it again."),
    "parcel_not_voidable": gettext_lazy("This parcel is on its way: it can no longer be voided."),
    "reason_required": gettext_lazy("Say why the parcel is voided."),
}


def error_text(error: DomainError) -> str:
    template = _TEXT.get(error.code)
    return error.message if template is None else str(template)
