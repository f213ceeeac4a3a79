"""Appointment writes, by sub-domain: setting up services and timetables (``setup``),
bookings (``bookings``), materials sent ahead and checked (``materials``) and the queue at
the outlet (``queue``)."""

from omnipoint.appointments.services.bookings import (
    BookingResult,
    booking_cancel,
    booking_create,
    booking_materials_check,
    booking_reschedule,
    bookings_no_show,
    bookings_remind,
)
from omnipoint.appointments.services.materials import material_review, material_upload
from omnipoint.appointments.services.queue import (
    booking_check_in,
    ticket_call_next,
    ticket_finish,
    ticket_skip,
    ticket_take,
)
from omnipoint.appointments.services.setup import (
    closure_add,
    offer_set,
    service_create,
    slots_materialise,
    slots_roll,
)

__all__ = [
    "BookingResult",
    "booking_cancel",
    "booking_check_in",
    "booking_create",
    "booking_materials_check",
    "booking_reschedule",
    "bookings_no_show",
    "bookings_remind",
    "closure_add",
    "material_review",
    "material_upload",
    "offer_set",
    "service_create",
    "slots_materialise",
    "slots_roll",
    "ticket_call_next",
    "ticket_finish",
    "ticket_skip",
    "ticket_take",
]
