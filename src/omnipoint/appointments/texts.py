"""Refusals as the appointment pages show them: the service's stable code, in the reader's
language (services word their messages in English for API clients and logs)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from omnipoint.core.errors import DomainError
from omnipoint.core.explain import render

_TEXT = {
    "slot_not_found": _("That time is no longer offered."),
    "slot_full": _("That time is fully booked: choose another."),
    "slot_past": _("That time has passed: choose another."),
    "slot_closed": _("That time is closed: choose another."),
    "too_far_ahead": _("That is too far ahead to book."),
    "already_booked": _("You already hold a place at that time."),
    "not_yourself": _("You may book only for yourself."),
    "not_member": _("Sign in as a member first."),
    "member_required": _("Name the member first: their mobile number."),
    "member_not_found": _("No member has this mobile number."),
    "invalid_mobile": _("That is not a mainland mobile number."),
    "booking_not_found": _("No booking has this code here."),
    "booking_wrong_state": _("This booking can no longer be changed."),
    "different_service": _("A booking moves to a time of the same service."),
    "service_not_found": _("Unknown service."),
    "service_not_offered": _("This outlet does not offer this service."),
    "outlet_not_found": _("Outlet not found in your area."),
    "check_in_too_late": _("The grace period is over: the booking was missed."),
    "queue_empty": _("Nobody is waiting."),
    "queue_busy": _("The queue is busy: try again."),
    "counter_required": _("Name your counter (for example 1)."),
    "ticket_not_found": _("Ticket not found."),
    "ticket_wrong_state": _("This ticket has moved on."),
    "unknown_material": _("That is not on the checklist."),
    "invalid_channel": _("Unknown channel."),
    "forbidden": _("Your role may not do this."),
    "not_staff": _("This account has no staff role."),
    "invalid_time": _("Enter a time as HH:MM."),
    "invalid_opening": _("The timetable closes before it opens."),
    "invalid_capacity": _("Places per slot are 1 to 100."),
    "openings_overlap": _("Two openings of one day overlap."),
    "day_past": _("A closure is today or later."),
    "invalid_text": _("Give a short text (up to 60 characters)."),
    "invalid_day": _("Enter a day as YYYY-MM-DD."),
    "outlet_required": _("Choose an outlet."),
    "no_file": _("Choose a file first."),
    "empty_file": _("The file is empty."),
    "file_too_large": _("The file is too large: at most 5 MB."),
    "unsupported_file_type": _("Send a photo (JPEG or PNG) or a PDF."),
    "too_many_uploads": _("This item has been sent too many times: bring it to the outlet."),
    "upload_busy": _("Sending is busy: try again."),
    "material_accepted": _("This item is already accepted."),
    "upload_not_found": _("File not found."),
    "upload_superseded": _("A newer file was sent for this item: look at it first."),
    "invalid_decision": _("Accept or reject."),
    "reason_required": _("Say why the item is rejected."),
    "invalid_reason": _("A reason is at most 200 characters."),
}


def error_text(error: DomainError) -> str:
    """The sentence for a refusal: its explanation when it carries one, else its code's."""
    reason: Any = error.details.get("reason")
    if isinstance(reason, dict) and "kind" in reason:
        return render(reason)
    return str(_TEXT.get(error.code, error.message))
