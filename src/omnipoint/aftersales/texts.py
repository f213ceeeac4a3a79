"""Refusals as the ticket pages show them: the service's stable code, in the reader's language
(services word their messages in English for API clients and logs)."""

from django.utils.translation import gettext_lazy as _

from omnipoint.core.errors import DomainError

_TEXT = {
    "ticket_not_found": _("No such ticket here."),
    "ticket_wrong_state": _("This ticket has moved on: reload to see where it is."),
    "not_your_ticket": _("This ticket is assigned to another technician."),
    "confirmation_code_invalid": _("That is not the customer's confirmation code."),
    "confirmation_locked": _(
        "Too many wrong codes: record that the work could not be completed; the desk agrees a new visit "
        "and the customer gets a new code."
    ),
    "note_required": _("Say why (a short note)."),
    "invalid_note": _("A note is at most 300 characters."),
    "invalid_step": _("Unknown step."),
    "technician_not_found": _("Choose a technician who serves this outlet."),
    "technician_day_full": _("That technician's day is fully booked: choose another day or technician."),
    "visit_day_past": _("A visit is today or later."),
    "visit_day_too_far": _("That day is too far ahead."),
    "invalid_window": _("Choose the morning or the afternoon."),
    "invalid_day": _("Enter a day as YYYY-MM-DD."),
    "order_not_found": _("No such order of yours."),
    "order_not_completed": _("A repair or an exchange is for goods you have received."),
    "invalid_kind": _("Choose repair, exchange or complaint."),
    "description_required": _("Say what is wrong (up to 500 characters)."),
    "line_not_found": _("That item is not on this order."),
    "slot_full": _("That time is fully booked: choose another."),
    "slot_past": _("That time has already begun: choose a later one."),
    "too_far_ahead": _("Choose a time in the next two weeks."),
    "same_slot": _("That is the visit you have already."),
    "visit_under_way": _("The technician is on the way: call us to change the visit."),
    "visit_change_limit": _("The visit has been changed online as often as it may be: call us to change it."),
    "invalid_capacity": _("Visits a day are a number from 0 to 20."),
    "capacity_below_booked": _("More visits are booked that day: move them to another day first."),
    "forbidden": _("Your role may not do this."),
    "not_staff": _("This account has no staff role."),
    "not_member": _("Sign in as a member first."),
}


def error_text(error: DomainError) -> str:
    return str(_TEXT.get(error.code, error.message))
