"""Returns at my outlet: any outlet finds the order by its number and takes goods back."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from omnipoint.core.errors import DomainError
from omnipoint.core.money import Money
from omnipoint.orders import selectors as orders
from omnipoint.orders import services
from omnipoint.orders.models import OrderReturn
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.selectors import outlet_get
from omnipoint.web.forms import parse_id, parse_int
from omnipoint.web.views import _int_or_none, _my_outlets, _refused, console_view


@require_GET
@console_view
def return_find(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Any outlet takes returns: look the order up by the number on the customer's receipt."""
    actor.require(Perm.STOCK_SELL)
    number = "".join(request.GET.get("number", "").split())[:24]
    if not number:
        return render(request, "web/orders/return_find.html", {"number": ""})
    try:
        order = orders.order_get_by_number(number=number)
    except DomainError as e:
        return _refused(request, "web/orders/return_find.html", {"number": number}, e)
    return redirect("web:order_return", number=order.number)


def _return_context(request: HttpRequest, actor: Actor, number: str) -> dict[str, Any]:
    actor.require(Perm.STOCK_SELL)
    order = orders.order_get_by_number(number=number)
    posted = request.POST
    outlets = _my_outlets(actor)
    outlet_id = _int_or_none(posted.get("outlet") or request.GET.get("outlet")) or actor.scope.outlet_id
    lines = sorted(order.lines.all(), key=lambda ln: ln.sku.code)
    return {
        "order": order,
        "outlets": outlets,
        "outlet_id": outlet_id,
        "lines": [
            (ln, ln.quantity - ln.returned_quantity, posted.get(f"qty_{ln.sku_id}", "")) for ln in lines
        ],
        "reason": posted.get("reason", "")[:200],
    }


@console_view
def order_return(request: HttpRequest, actor: Actor, number: str) -> HttpResponse:
    ctx = _return_context(request, actor, number)
    order = ctx["order"]
    if request.method != "POST":
        done = _int_or_none(request.GET.get("done"))
        if done:
            record = OrderReturn.objects.filter(
                pk=done, order=order, outlet__in=[o.pk for o in ctx["outlets"]]
            ).first()
            if record is not None:
                ctx["record"] = record
                ctx["refunds"] = list(record.refunds.select_related("payment").order_by("pk"))
        return render(request, "web/orders/return.html", ctx)
    try:
        outlet = outlet_get(actor=actor, outlet_id=parse_id(request.POST.get("outlet"), what="outlet"))
        wanted = []
        for ln, _left, typed in ctx["lines"]:
            qty = parse_int(typed) if typed.strip() else 0
            if qty != 0:  # blank or 0: none of this line; the service refuses a negative one
                wanted.append((ln.sku_id, qty))
        record = services.order_return(
            actor=actor, order_id=order.pk, outlet_id=outlet.pk, lines=wanted, reason=ctx["reason"]
        )
    except DomainError as e:
        if e.status == 403:
            raise
        return _refused(request, "web/orders/return.html", ctx, e)
    messages.success(
        request,
        _("Return taken at %(outlet)s: %(amount)s refunded.")
        % {
            "outlet": outlet.name,
            "amount": Money(record.amount),
        },
    )
    return redirect(f"{reverse('web:order_return', kwargs={'number': order.number})}?done={record.pk}")
