"""What the console's order pages share: labels, the outlet a page works at, HTMX
redirects, and an order's tenders (what is paid and what remains)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy

from omnipoint.orders.models import Order
from omnipoint.outlets.domain import Actor
from omnipoint.outlets.models import Outlet, Staff
from omnipoint.outlets.selectors import outlet_get
from omnipoint.payments import selectors as pay_selectors
from omnipoint.payments.domain import Method as Tender
from omnipoint.payments.domain import PaymentState as TenderState
from omnipoint.web.views import _int_or_none

PURPOSE_LABELS = {
    "pickup": gettext_lazy("Customer pickup"),
    "ship": gettext_lazy("Ship to customer"),
    "transfer": gettext_lazy("Transfer leg"),
}
EVENT_LABELS = {
    "placed": gettext_lazy("Placed"),
    "confirmed": gettext_lazy("Confirmed"),
    "paid": gettext_lazy("Paid"),
    "task_claim": gettext_lazy("Task claimed"),
    "task_picked": gettext_lazy("Goods picked"),
    "task_packed": gettext_lazy("Goods packed"),
    "task_ready": gettext_lazy("Ready for pickup"),
    "task_handed_over": gettext_lazy("Handed to carrier"),
    "transfer_received": gettext_lazy("Transfer received"),
    "ready": gettext_lazy("Ready for pickup"),
    "completed": gettext_lazy("Completed"),
    "cancelled": gettext_lazy("Cancelled"),
    "returned": gettext_lazy("Goods returned"),
    "virtual_fulfilled": gettext_lazy("Top-up credited"),
    "virtual_refused": gettext_lazy("Top-up refused, refunded"),
}


def _outlet_param(actor: Actor, raw: str | None) -> Outlet | None:
    """The outlet a page works at: the one chosen (in scope, else 404), else the actor's own."""
    outlet_id = _int_or_none(raw) or actor.scope.outlet_id
    return outlet_get(actor=actor, outlet_id=outlet_id) if outlet_id else None


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def _hx_or_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """After a write: HTMX follows HX-Redirect, a plain form the 302."""
    if _is_htmx(request):
        response = HttpResponse()
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _when(iso: str | None) -> Any:
    """A time the routing stored as ISO text (UTC), as a datetime the page shows in local time."""
    return parse_datetime(iso) if iso else None


def _staff_names(user_ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    return dict(Staff.objects.filter(user_id__in=ids).values_list("user_id", "display_name")) if ids else {}


def _tenders(actor: Actor, order: Order) -> dict[str, Any]:
    tenders = list(pay_selectors.payment_list(order_id=order.pk))
    paid = pay_selectors.order_paid_amount(order_id=order.pk)
    open_online = next(
        (p for p in reversed(tenders) if p.method == Tender.ONLINE and p.state == TenderState.PENDING), None
    )
    return {
        "order": order,
        "tenders": tenders,
        "paid": paid,
        "remaining": max(0, order.total - paid),
        "open_online": open_online,
    }
