"""Reconcile a day's bill payments with each biller's daily statement: one line per difference
(what either side is missing, amounts that differ); exit status 1 when there is any."""

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from omnipoint.billpay.billers import billers_list
from omnipoint.billpay.selectors import statement_differences
from omnipoint.outlets.domain import SystemActor


class Command(BaseCommand):
    help = "List the differences between our paid bills and the billers' daily statements."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="YYYY-MM-DD (default: yesterday, Asia/Shanghai)")
        parser.add_argument("--biller", action="append", default=[], help="a biller's code (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = (
                date.fromisoformat(options["day"])
                if options["day"]
                else timezone.localdate() - timedelta(days=1)
            )
        except ValueError as exc:
            raise CommandError("--day is YYYY-MM-DD") from exc
        actor = SystemActor(task="billpay_reconcile")
        found = 0
        for code in options["biller"] or [b.code for b in billers_list()]:
            for d in statement_differences(actor=actor, biller=code, day=day):
                found += 1
                self.stdout.write(
                    f"{code} {day} {d.kind} {d.merchant_ref} {d.bill_ref} ours={d.ours} theirs={d.theirs}"
                )
        self.stdout.write(f"{found} difference(s) on {day}")
        if found:
            raise SystemExit(1)
