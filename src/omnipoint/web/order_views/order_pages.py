"""Orders and their detail page, and what staff do to an order there (cancel, deliver, a pay
link)."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from omnipoint.core.channels import Channel
from omnipoint.core.errors import DomainError
from omnipoint.orders import selectors as orders
from omnipoint.orders import services
from omnipoint.orders.models import Order, OrderReturn, OrderState
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.payments import services as payments
from omnipoint.payments.models import Payment, Refund
from omnipoint.web.order_views.common import (
    EVENT_LABELS,
    PURPOSE_LABELS,
    _staff_names,
    _tenders,
    _when,
)
from omnipoint.web.views import _refused, console_view

MAX_ORDERS = 100  # longest order list a page shows


@require_GET
@console_view
def order_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    state = request.GET.get("state", "")
    channel = request.GET.get("channel", "")
    q = "".join(request.GET.get("q", "").split())[:24]
    state = state if state in OrderState.values else ""
    channel = channel if channel in Channel.values else ""
    found = orders.order_list(actor=actor, state=state, channel=channel, search=q)[:MAX_ORDERS]
    return render(
        request,
        "web/orders/list.html",
        {
            "orders": found,
            "state": state,
            "channel": channel,
            "q": q,
            "states": OrderState.choices,
            "channels": Channel.choices,
        },
    )


def _refund_label(refund: Refund, payment: Payment, order: Order, returns: dict[int, OrderReturn]) -> str:
    """What a refund was for, told from what it is linked to (a return, a payment that came too
    late, the order's cancellation); a refund staff made says what they wrote."""
    if refund.pk in returns:
        return _("Goods returned at %(outlet)s") % {"outlet": returns[refund.pk].outlet.name}
    if not payment.counted:  # money that came after the order was cancelled or paid in full
        if order.state == OrderState.CANCELLED:
            return _("Paid after the order was cancelled")
        return _("Paid again after the order was paid in full")
    if refund.actor_id is None and order.state == OrderState.CANCELLED:
        return _("Order cancelled")
    return refund.reason or _("Refunded by staff")


def _tender_rows(ctx: dict[str, Any], returns: list[OrderReturn]) -> list[tuple[Payment, list[Any]]]:
    """Each tender with its refunds, each refund with what it was for."""
    by_refund = {r.pk: ret for ret in returns for r in ret.refunds.all()}
    order = ctx["order"]
    return [
        (p, [(r, _refund_label(r, p, order, by_refund)) for r in p.refunds.all()]) for p in ctx["tenders"]
    ]


def _order_context(actor: Actor, order_id: int) -> dict[str, Any]:
    order = orders.order_get(actor=actor, order_id=order_id)
    ctx = _tenders(actor, order)
    events = list(order.events.all())
    names = _staff_names({e.actor_id for e in events} | {order.keyed_by_id})
    routing = order.routing or {}
    returns = list(order.returns.select_related("outlet").prefetch_related("refunds").order_by("pk"))
    return ctx | {
        "tender_rows": _tender_rows(ctx, returns),
        "lines": sorted(order.lines.all(), key=lambda ln: ln.sku.code),
        "events": [(e, EVENT_LABELS.get(e.kind, e.kind), names.get(e.actor_id or 0, "")) for e in events],
        "keyed_by": names.get(order.keyed_by_id or 0, ""),
        "tasks": [
            (t, PURPOSE_LABELS.get(t.purpose, t.purpose))
            for t in order.tasks.select_related("location").order_by("pk")
        ],
        "shipments": routing.get("shipments", []),
        "transfers": routing.get("transfers", []),
        "reasons": routing.get("reasons", []),
        "expected_ready_at": _when(routing.get("expected_ready_at")),
        "returns": returns,
        "can_cancel": order.state in (OrderState.PENDING, OrderState.CONFIRMED, OrderState.READY),
        "can_deliver": order.state == OrderState.SHIPPED,
        "can_return": order.state == OrderState.COMPLETED,
        "can_pay_link": order.payment_mode == "online"
        and order.state == OrderState.PENDING
        and ctx["remaining"] > 0,
    }


@require_GET
@console_view
def order_detail(request: HttpRequest, actor: Actor, order_id: int) -> HttpResponse:
    return render(request, "web/orders/detail.html", _order_context(actor, order_id))


def _order_action(request: HttpRequest, actor: Actor, order_id: int, act: Any) -> HttpResponse:
    ctx = _order_context(actor, order_id)  # not visible: 404
    try:
        done = act(ctx["order"])
    except DomainError as e:
        if e.status in (403, 404):
            raise
        return _refused(
            request, "web/orders/detail.html", ctx | {"reason": request.POST.get("reason", "")}, e
        )
    messages.success(request, done)
    return redirect("web:order", order_id=order_id)


@require_POST
@console_view
def order_cancel(request: HttpRequest, actor: Actor, order_id: int) -> HttpResponse:
    def act(order: Order) -> str:
        services.order_cancel(actor=actor, order_id=order.pk, reason=request.POST.get("reason", ""))
        return _("Order %(number)s cancelled.") % {"number": order.number}

    return _order_action(request, actor, order_id, act)


@require_POST
@console_view
def order_deliver(request: HttpRequest, actor: Actor, order_id: int) -> HttpResponse:
    def act(order: Order) -> str:
        actor.require(Perm.STOCK_SELL)
        services.order_deliver(actor=actor, order_id=order.pk)
        return _("Order %(number)s delivered.") % {"number": order.number}

    return _order_action(request, actor, order_id, act)


@require_POST
@console_view
def order_pay_link(request: HttpRequest, actor: Actor, order_id: int) -> HttpResponse:
    """A pay link (and its QR) for a customer who ordered by phone and pays online."""

    def act(order: Order) -> str:
        payments.payment_start(actor=actor, order_id=order.pk)
        return _("Payment link ready for order %(number)s.") % {"number": order.number}

    return _order_action(request, actor, order_id, act)
