"""Hand-over at pickup: the customer's pickup code, and payment due at the outlet."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from omnipoint.core.errors import DomainError, ValidationError
from omnipoint.core.money import Money
from omnipoint.orders import selectors as orders
from omnipoint.orders import services
from omnipoint.outlets.domain import Actor
from omnipoint.outlets.models import Outlet
from omnipoint.payments import services as payments
from omnipoint.payments.domain import Method as Tender
from omnipoint.web.forms import parse_id
from omnipoint.web.order_views.common import (
    _outlet_param,
)
from omnipoint.web.views import _int_or_none, _my_outlets, _refused, console_view


def _pickup_context(actor: Actor, outlet: Outlet | None, post: Any = None) -> dict[str, Any]:
    post = post or {}
    return {
        "outlets": [o for o in _my_outlets(actor) if o.pickup_point],
        "outlet": outlet,
        "code": (post.get("code") or "").strip()[:8],
        "number": (post.get("number") or "").strip()[:24],
        "tenders": [(Tender.CASH, Tender.CASH.label), (Tender.AT_OUTLET, Tender.AT_OUTLET.label)],
    }


def _pickup_outlet(actor: Actor, raw: str | None) -> Outlet:
    outlet = _outlet_param(actor, raw)
    if outlet is None:
        raise ValidationError("choose an outlet", code="outlet_required")
    return outlet


@console_view
def pickup(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Enter or scan the customer's pickup code; hand the order over at this outlet."""
    params = request.POST if request.method == "POST" else request.GET
    outlet = _outlet_param(actor, params.get("outlet"))
    ctx = _pickup_context(actor, outlet, request.POST)
    if request.method != "POST":
        done = _int_or_none(request.GET.get("done"))
        if done:
            ctx["done"] = orders.order_get(actor=actor, order_id=done)
        return render(request, "web/orders/pickup.html", ctx)
    try:
        order = services.order_hand_over(
            actor=actor,
            outlet_id=_pickup_outlet(actor, params.get("outlet")).pk,
            code=ctx["code"],
            order_number=ctx["number"],
        )
    except DomainError as e:
        if e.code == "payment_due" and outlet is not None:
            # The code matched (the service checks it before the payment): offer to take it.
            ctx["due"] = (
                orders.order_list(actor=actor)
                .filter(pickup_outlet=outlet, pickup_code=ctx["code"])
                .exclude(pickup_code="")
                .first()
            )
        return _refused(request, "web/orders/pickup.html", ctx, e)
    messages.success(request, _("Order %(number)s handed over.") % {"number": order.number})
    return redirect(f"{reverse('web:pickup')}?outlet={order.pickup_outlet_id}&done={order.pk}")


@require_POST
@console_view
def pickup_pay(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Payment due at the outlet: take it (cash, or the outlet's own terminal), then hand over."""
    outlet = _outlet_param(actor, request.POST.get("outlet"))
    ctx = _pickup_context(actor, outlet, request.POST)
    method = request.POST.get("method", Tender.CASH)
    try:
        order_id = parse_id(request.POST.get("order"), what="order")
        payment = payments.payment_capture(actor=actor, order_id=order_id, method=method)
    except DomainError as e:
        if e.status in (403, 404):
            raise
        return _refused(request, "web/orders/pickup.html", ctx, e)
    ctx["paid"] = payment
    messages.success(
        request,
        _("%(amount)s taken for order %(number)s: hand it over now.")
        % {
            "amount": Money(payment.amount),
            "number": orders.order_get(actor=actor, order_id=order_id).number,
        },
    )
    return render(request, "web/orders/pickup.html", ctx)
