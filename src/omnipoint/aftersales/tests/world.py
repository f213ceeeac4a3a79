"""What the persona rows and bad-input rows of the tickets API act on (tests/api), built on the
shop's world once per test: a technician at A (tech_a, with a token) and one at C; the
shopper's repair ticket on the counter sale at A, open (tk_a) and scheduled with tech_a and on
its way (tk_run_a), scheduled (tk_sched_a), on site (tk_site_a, its code tk_code_a); the Nanjing member's on the sale at C, open (tk_c)."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from omnipoint.aftersales import services
from omnipoint.aftersales.models import Ticket
from omnipoint.core.models import ApiToken
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.services import staff_create
from omnipoint.testing import PASSWORD


def build_tickets(w: Any) -> Any:
    if "tk_a" in w.objects:
        return w
    o, net = w.objects, w.net
    for name, outlet in (("tech_a", net.a), ("tech_c", net.c)):
        staff = staff_create(
            actor=SYSTEM,
            username=name,
            password=PASSWORD,
            display_name=name,
            role="technician",
            outlet=outlet,
        )
        net.staff[name], net.tokens[name], o[name] = staff, ApiToken.issue(staff.user, name="test"), staff.pk
    o["tk_day"] = timezone.localdate() + timedelta(days=1)
    for key, order in (("a", o["sale_a"]), ("c", o["sale_c"])):
        o[f"tk_{key}"] = services.ticket_open(
            actor=SYSTEM, order_id=order, kind="repair", description="不制冷", channel="api"
        ).pk
    for key, steps in (("sched", ()), ("run", ("depart",)), ("site", ("depart", "arrive"))):
        t = services.ticket_open(actor=SYSTEM, order_id=o["sale_a"], kind="repair", description="漏水")
        services.ticket_schedule(
            actor=SYSTEM, ticket_id=t.pk, technician_id=o["tech_a"], day=o["tk_day"], window="am"
        )
        for step in steps:
            services.ticket_step(actor=SYSTEM, ticket_id=t.pk, step=step)
        o[f"tk_{key}_a"] = t.pk
    o["tk_code_a"] = Ticket.objects.get(pk=o["tk_site_a"]).confirmation_code  # type: ignore[assignment]
    return w
