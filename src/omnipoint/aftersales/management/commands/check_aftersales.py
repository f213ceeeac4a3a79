from typing import Any

from django.core.management.base import BaseCommand, CommandError

from omnipoint.aftersales.selectors import capacity_mismatches


class Command(BaseCommand):
    help = "Verify that every technician day's booked count equals the tickets holding a place on it."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = capacity_mismatches()
        for p in problems:
            self.stderr.write(p)
        if problems:
            raise CommandError(f"{len(problems)} technician day(s) inconsistent")
        self.stdout.write("aftersales: every technician day's count matches its tickets")
