"""Orders keyed by staff for a customer: a caller on the hotline, a customer at the handheld."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from omnipoint.core.channels import Channel
from omnipoint.core.errors import DomainError, ValidationError
from omnipoint.orders import services
from omnipoint.orders.models import Method
from omnipoint.outlets.domain import Actor
from omnipoint.outlets.selectors import region_get
from omnipoint.web.forms import outlet_directory
from omnipoint.web.order_forms import (
    ORDER_FORM_ROWS,
    parse_lines,
    parse_mobile,
)
from omnipoint.web.views import _int_or_none, _my_outlets, _refused, console_view

STAFF_ORDER_CHANNELS = [Channel.HOTLINE, Channel.PDA]


def _order_new_context(actor: Actor, post: Any = None) -> dict[str, Any]:
    post = post or {}
    skus, qtys = post.getlist("sku") if post else [], post.getlist("qty") if post else []
    rows = [(s.strip(), q.strip()) for s, q in zip(skus, qtys, strict=False)][:50]
    origins = _my_outlets(actor)
    return {
        "channels": [(c, c.label) for c in STAFF_ORDER_CHANNELS],
        "methods": [(Method.PICKUP, Method.PICKUP.label), (Method.DELIVERY, Method.DELIVERY.label)],
        "payment_modes": [
            ("at_outlet", gettext_lazy("Pay at the outlet")),
            ("on_delivery", gettext_lazy("Cash on delivery")),
            ("online", gettext_lazy("Online (send a pay link)")),
        ],
        "origins": origins,
        "pickup_points": outlet_directory().filter(pickup_point=True),
        "form": {
            "channel": post.get("channel", Channel.HOTLINE),
            "method": post.get("method", Method.PICKUP),
            "payment_mode": post.get("payment_mode", "at_outlet"),
            # A blank choice on a posted form stays blank; a new form starts at my outlet.
            "origin": _int_or_none(post.get("origin")) if post else actor.scope.outlet_id,
            "pickup": _int_or_none(post.get("pickup")) if post else actor.scope.outlet_id,
            "name": post.get("name", "").strip()[:60],
            "mobile": post.get("mobile", "").strip()[:20],
            "district": post.get("district", "").strip()[:12],
            "address": post.get("address", "").strip()[:200],
        },
        "rows": rows + [("", "")] * max(0, ORDER_FORM_ROWS - len(rows)),
    }


@console_view
def order_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    """An order keyed for a caller (hotline) or a customer at the handheld (PDA)."""
    ctx = _order_new_context(actor, request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, "web/orders/new.html", ctx)
    form = ctx["form"]
    try:
        if form["channel"] not in STAFF_ORDER_CHANNELS:
            raise ValidationError(f"unknown channel {form['channel']}", code="invalid_channel")
        args: dict[str, Any] = {
            "method": form["method"],
            "payment_mode": form["payment_mode"],
            "customer_name": form["name"],
            "mobile": parse_mobile(form["mobile"], required=True),
            "origin_outlet_id": form["origin"],
            "lines": [
                services.LineRequest(s, q)
                for s, q in parse_lines([s for s, _q in ctx["rows"]], [q for _s, q in ctx["rows"]])
            ],
        }
        if form["method"] == Method.PICKUP:
            args["pickup_outlet_id"] = form["pickup"]
        elif form["method"] == Method.DELIVERY:
            if not form["district"]:
                raise ValidationError("choose the district", code="region_required")
            region = region_get(code=form["district"])
            # The district's centre stands for the address until a geocoder places it.
            args |= {
                "region_code": region.code,
                "address": form["address"],
                "lat": region.lat,
                "lng": region.lng,
            }
        order = services.order_place(actor=actor, channel=form["channel"], **args)
    except DomainError as e:
        if e.status == 403:
            raise
        return _refused(request, "web/orders/new.html", ctx, e)
    if order.pickup_code:
        messages.success(
            request,
            _("Order %(number)s placed. Tell the customer the pickup code: %(code)s")
            % {"number": order.number, "code": order.pickup_code},
        )
    else:
        messages.success(request, _("Order %(number)s placed.") % {"number": order.number})
    return redirect("web:order", order_id=order.pk)
