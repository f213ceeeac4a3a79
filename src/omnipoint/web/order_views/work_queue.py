"""The outlet work queue: the handheld's tasks and their next steps."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from omnipoint.core.errors import DomainError
from omnipoint.orders import selectors as orders
from omnipoint.orders import services
from omnipoint.orders.models import PickTask, TaskState
from omnipoint.outlets.domain import Actor
from omnipoint.outlets.models import Outlet
from omnipoint.web.order_views.common import (
    PURPOSE_LABELS,
    _is_htmx,
    _outlet_param,
    _when,
)
from omnipoint.web.views import _my_outlets, _refused, console_view

# Steps offered on the handheld for a task in each state, by purpose (see services.TASK_FLOW).
_NEXT_STEPS = {
    TaskState.QUEUED: ["claim", "picked"],
    TaskState.CLAIMED: ["picked"],
    TaskState.PICKED: ["packed", "finish"],
    TaskState.PACKED: ["finish"],
}
STEP_LABELS = {
    "claim": gettext_lazy("Claim"),
    "picked": gettext_lazy("Picked"),
    "packed": gettext_lazy("Packed"),
    "ready": gettext_lazy("Ready for pickup"),
    "handed_over": gettext_lazy("Handed to carrier"),
}


def _task_rows(tasks: list[PickTask]) -> list[dict[str, Any]]:
    rows = []
    for task in tasks:
        lines = [
            ln
            for ln in task.order.lines.all()
            if task.purpose == "pickup" or ln.location_id == task.location_id
        ]
        finish = "ready" if task.purpose == "pickup" else "handed_over"
        steps = [finish if s == "finish" else s for s in _NEXT_STEPS.get(TaskState(task.state), [])]
        rows.append(
            {
                "task": task,
                "lines": lines,
                "purpose": PURPOSE_LABELS.get(task.purpose, task.purpose),
                "steps": [(s, STEP_LABELS[s]) for s in steps],
                "expected_ready_at": _when(task.order.routing.get("expected_ready_at")),
            }
        )
    return rows


def _queue_context(actor: Actor, outlet: Outlet | None) -> dict[str, Any]:
    tasks = list(orders.task_queue(actor=actor, location_id=outlet.pk if outlet else None)[:200])
    return {
        "outlets": _my_outlets(actor),
        "outlet": outlet,
        "rows": _task_rows(tasks),
        "queue_url": reverse("web:order_queue") + (f"?outlet={outlet.pk}" if outlet else ""),
    }


@require_GET
@console_view
def order_queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The handheld's queue; the page polls its own fragment, so new tasks appear by themselves."""
    outlet = _outlet_param(actor, request.GET.get("outlet"))
    template = "web/orders/_queue.html" if _is_htmx(request) else "web/orders/queue.html"
    return render(request, template, _queue_context(actor, outlet))


@require_POST
@console_view
def task_step(request: HttpRequest, actor: Actor, task_id: int, step: str) -> HttpResponse:
    outlet = _outlet_param(actor, request.POST.get("outlet"))
    try:
        task = services.task_advance(actor=actor, task_id=task_id, step=step)
    except DomainError as e:
        if e.status in (403, 404):
            raise
        return _refused(request, "web/orders/queue.html", _queue_context(actor, outlet), e)
    messages.success(
        request,
        _("Order %(number)s: %(step)s.") % {"number": task.order.number, "step": STEP_LABELS.get(step, step)},
    )
    return redirect(_queue_context(actor, outlet)["queue_url"])
