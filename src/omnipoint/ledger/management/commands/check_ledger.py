from django.core.management.base import BaseCommand, CommandError

from omnipoint.ledger.checks import ledger_breaches


class Command(BaseCommand):
    help = "Verify that every account's totals equal the sum of its postings and every unit balances."

    def handle(self, *args: object, **options: object) -> None:
        breaches = ledger_breaches()
        if breaches:
            for line in breaches:
                self.stderr.write(line)
            raise CommandError(f"{len(breaches)} ledger breach(es)")
        self.stdout.write("ledger OK: every account equals the sum of its postings; debits equal credits")
