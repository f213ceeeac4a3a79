import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from omnipoint.core.errors import DomainError
from omnipoint.demo.plan import DEMO_MARKER_OUTLET, SIZES
from omnipoint.demo.scenario import demo_scenario_load
from omnipoint.demo.selectors import demo_outlet_kinds
from omnipoint.demo.services import demo_network_load, demo_reset
from omnipoint.demo.story import scenario_highlights, story_lines
from omnipoint.outlets.domain import SystemActor

DEMO_SEED_TASK = SystemActor(task="demo_seed")


class Command(BaseCommand):
    help = (
        "Load the demo network (outlets in Shanghai and Jiangsu, catalogue, prices, stock, staff) "
        "and its story (loyalty rules, members, offers, a showroom, orders in every state). "
        "Does nothing when the demo is already loaded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="empty every table but the regions (all data, not only the demo), then load the demo again",
        )
        parser.add_argument("--size", choices=sorted(SIZES), default="full")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["reset"]:
            self.stdout.write("emptying the database (regions kept) ...")
            demo_reset(actor=DEMO_SEED_TASK)
        try:
            summary = demo_network_load(actor=DEMO_SEED_TASK, size=options["size"])
            network_done = time.monotonic()
            story = demo_scenario_load()
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        c = summary.counts
        if not summary.created:
            self.stdout.write(
                f"demo network already loaded (outlet {DEMO_MARKER_OUTLET} exists): nothing changed; "
                "use --reset to reload it"
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"demo network loaded in {network_done - started:.1f}s"))
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(demo_outlet_kinds().items()))
        self.stdout.write(
            f"  outlets    {c['outlets']} (Shanghai {c['outlets_shanghai']}, Jiangsu {c['outlets_jiangsu']}): {kinds}\n"
            f"  catalogue  {c['categories']} categories, {c['brands']} brands, {c['suppliers']} suppliers, "
            f"{c['products']} products, {c['skus']} SKUs\n"
            f"  prices     {c['price_lists']} price lists, {c['prices']} prices\n"
            f"  stock      {c['stock_rows']} stock rows, {c['stock_units']} units, {c['movements']} movements\n"
            f"  staff      {c['staff']} logins (password omnipoint), superuser admin"
        )
        if story.created:
            self.stdout.write(
                self.style.SUCCESS(f"demo story loaded in {time.monotonic() - network_done:.1f}s")
            )
        else:
            self.stdout.write("demo story already loaded: nothing changed")
        self.stdout.write(self._story(story.counts))

    def _story(self, c: dict[str, int]) -> str:
        lines = [
            f"  loyalty    {c['tiers']} tiers, {c['earn_rules']} earning rules, {c['topup_packages']} top-up packages",
            f"  marketing  {c['promotions']} promotions, {c['coupon_templates']} coupon templates, {c['games']} games",
            f"  orders     {c['orders']} orders, {c['tasks']} pick tasks, {c['transfers']} transfers, "
            f"{c['postings']} ledger postings",
        ]
        return "\n".join(lines + story_lines(scenario_highlights()))
