"""Appointments' explanations in words (``core.explain`` renders them in the reader's language)."""

from django.utils.translation import pgettext_lazy

from omnipoint.appointments.domain import AppointmentWhy

TEXTS = {
    AppointmentWhy.TOO_LATE_TO_CHANGE: pgettext_lazy(
        "explain", "a booking is changed or cancelled no later than %(hours)s hours before it starts"
    ),
    AppointmentWhy.TOO_MANY_NO_SHOWS: pgettext_lazy(
        "explain", "%(count)s missed appointments in %(days)s days: book at the counter or by phone"
    ),
    AppointmentWhy.CHECK_IN_TOO_EARLY: pgettext_lazy("explain", "check-in opens at %(opens_at)s"),
    AppointmentWhy.CLOSED: pgettext_lazy("explain", "closed on %(day)s: %(reason)s"),
}
