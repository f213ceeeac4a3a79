from typing import Any

from django.core.management.base import BaseCommand, CommandError

from omnipoint.appointments.selectors import capacity_problems


class Command(BaseCommand):
    help = "Verify that every slot's booked count equals its live bookings."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = capacity_problems()
        for p in problems:
            self.stderr.write(p)
        if problems:
            raise CommandError(f"{len(problems)} slot(s) inconsistent")
        self.stdout.write("appointments: every slot's count matches its bookings")
