from django.core.management.base import BaseCommand, CommandError

from omnipoint.inventory.checks import inventory_breaches


class Command(BaseCommand):
    help = "Verify the stock invariants; exit non-zero on any breach."

    def handle(self, *args: object, **options: object) -> None:
        breaches = inventory_breaches()
        if breaches:
            for line in breaches:
                self.stderr.write(line)
            raise CommandError(f"{len(breaches)} inventory breach(es)")
        self.stdout.write(
            "inventory OK: 0 <= reserved <= on_hand, on_hand = sum(movements), "
            "reserved = sum(held reservations), no stale holds"
        )
