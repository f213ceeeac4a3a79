import os
import signal
import subprocess
import sys
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from omnipoint.demo.plan import DEMO_PASSWORD, PERSONAS, SUPERUSER
from omnipoint.demo.story import scenario_highlights, story_lines
from omnipoint.outlets.models import Staff


def _stop(signum: int, frame: FrameType | None) -> None:
    """SIGTERM ends the server like Ctrl-C does, so the consumer is stopped too."""
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Serve the demo: the Huey consumer (reservation expiry) and the web site, until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        self.stdout.write(self._banner(host, port))
        # Started in the background by a script, a process inherits "ignore Ctrl-C": undo that.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _stop)
        # The sandbox gateway's notifications go to this server, from the consumer process.
        site = os.environ.get("SITE_URL") or f"http://{host}:{port}"
        settings.SITE_URL = site
        consumer = subprocess.Popen(
            [sys.executable, str(settings.PROJECT_DIR / "manage.py"), "run_huey", "--quiet"],
            env=os.environ | {"SITE_URL": site},
        )
        self.stdout.write(f"task consumer started (pid {consumer.pid})")
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        except (KeyboardInterrupt, SystemExit):  # runserver turns Ctrl-C into sys.exit(0)
            pass
        finally:
            # A second Ctrl-C or TERM (the terminal and make both pass them on) must not cut the
            # clean-up short and leave the consumer running.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            self.stdout.write("stopping the task consumer ...")
            consumer.send_signal(signal.SIGINT)  # Huey's graceful shutdown
            try:
                consumer.wait(timeout=10)
            except subprocess.TimeoutExpired:
                consumer.kill()
                consumer.wait()

    def _banner(self, host: str, port: int) -> str:
        base = f"http://{host}:{port}"
        staff = {
            s.user.username: s
            for s in Staff.objects.select_related("user", "region", "outlet").filter(
                user__username__in=[p.username for p in PERSONAS]
            )
        }
        lines = [
            "",
            "=" * 78,
            "Omnipoint demo",
            f"  storefront      {base}/shop/",
            f"  staff console   {base}/console/",
            f"  API docs        {base}/api/v1/docs",
            f"  sandbox SMS     {base}/sandbox/sms/   (sign-in codes: the demo sends no real SMS)",
            f"  admin           {base}/admin/   ({SUPERUSER} / {DEMO_PASSWORD})",
            "",
            f"  logins (password {DEMO_PASSWORD}):",
        ]
        for p in PERSONAS:
            s = staff.get(p.username)
            if s is None:
                node = "missing: run `manage.py demo_seed`"
            elif s.outlet:
                node = f"{s.outlet.name} ({s.outlet.code})"
            elif s.region:
                node = f"{s.region.name} ({s.region.code})"
            else:
                node = "HQ (whole network)"
            lines.append(f"    {p.username:<18} {p.role:<18} {node}")
        story = story_lines(scenario_highlights(), base=base)
        lines += ["", "  try the story:", *story] if story else []
        lines += ["=" * 78, ""]
        return "\n".join(lines)
