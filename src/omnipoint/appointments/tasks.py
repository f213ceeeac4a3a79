"""Background work for appointments, run by the Huey consumer (`manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from omnipoint.appointments.services import bookings_no_show, bookings_remind, slots_roll
from omnipoint.outlets.domain import SystemActor

NO_SHOWS = SystemActor(task="appointments_no_show")
REMINDERS = SystemActor(task="appointments_remind")
SLOTS = SystemActor(task="appointments_slots")


@db_periodic_task(crontab(minute="*"))
def mark_no_shows() -> int:
    """Every minute: bookings past their grace without a check-in become no-shows and give
    their place back."""
    total = 0
    while (n := bookings_no_show(actor=NO_SHOWS)) > 0:
        total += n
    return total


@db_periodic_task(crontab(minute="*/5"))
def send_reminders() -> int:
    """Every five minutes: text the members whose booking starts within a day, once each."""
    total = 0
    while (n := bookings_remind(actor=REMINDERS)) > 0:
        total += n
    return total


@db_periodic_task(crontab(minute="7", hour="*/6"))
def roll_slots() -> int:
    """Four times a day (once would do; the rest catch a missed run): the slots of the day that
    came into reach."""
    return slots_roll(actor=SLOTS)
