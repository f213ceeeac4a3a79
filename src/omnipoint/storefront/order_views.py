"""Tracking: find an order by its number and mobile, its page, and paying it online."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omnipoint.core.errors import DomainError, NotFoundError
from omnipoint.members.domain import normalise_mobile
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders import selectors as orders
from omnipoint.orders.models import Method, Order, OrderState, PaymentState
from omnipoint.orders.selectors import member_orders
from omnipoint.outlets.domain import SYSTEM
from omnipoint.payments import services as payments
from omnipoint.payments.selectors import payment_list_returned
from omnipoint.storefront.errors import error_text
from omnipoint.storefront.events import event_label, payment_label, returned_text, state_label
from omnipoint.storefront.pages import (
    ORDERS_KEY,
    _order_url,
    _page,
    _remember_order,
    _signed_in_member,
)


def _pay(request: HttpRequest, order: Order) -> HttpResponse:
    """Start the online payment and send the customer to the gateway's hosted page; they come
    back to the order's tracking page."""
    try:
        payment = payments.payment_start(
            actor=actor_for_user(user=request.user),
            order_id=order.pk,
            return_url=_order_url(order.number),
            mobile=order.customer_mobile,
        )
    except DomainError as e:
        messages.error(request, error_text(e))
        return redirect(_order_url(order.number))
    return redirect(payment.pay_url)


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Find an order by its number and the mobile number it was placed with."""
    if request.method == "GET":
        return _page(request, "track.html", {"number": request.GET.get("number", "")[:24]})
    number = request.POST.get("number", "").strip()[:24]
    raw_mobile = request.POST.get("mobile", "")[:20]
    try:
        mobile = normalise_mobile(raw_mobile)
        order = orders.order_get_for_customer(number=number, mobile=mobile)
    except DomainError as e:
        ctx = {"number": number, "mobile": raw_mobile, "error": error_text(e)}
        return _page(request, "track.html", ctx, status=404 if e.code == "order_not_found" else e.status)
    _remember_order(request, order.number, mobile)
    return redirect(_order_url(order.number))


def _order_for(request: HttpRequest, number: str) -> Order | None:
    """The order if this visitor may see it: a signed-in member's own order (their history),
    or one placed or looked up with its mobile in this session."""
    own = _signed_in_member(request)
    if own is not None:
        mine = (
            member_orders(member=own)
            .filter(number=number[:24])
            .prefetch_related("lines__sku__product", "events")
            .first()
        )
        if mine is not None:
            return mine
    mobile = (request.session.get(ORDERS_KEY) or {}).get(number)
    if not mobile:
        return None
    try:
        return orders.order_get_for_customer(number=number, mobile=mobile)
    except NotFoundError:
        return None


@require_GET
def order(request: HttpRequest, number: str) -> HttpResponse:
    found = _order_for(request, number)
    if found is None:
        return redirect(f"{reverse('storefront:track')}?number={number[:24]}")
    # Back from the gateway: ask it now rather than wait for its notification (also for a paid
    # order: a second payment made on an older pay page is then refunded, and said so below).
    payments.payments_sync(actor=SYSTEM, order_id=found.pk)
    found = _order_for(request, number) or found
    pickup = found.method in (Method.PICKUP, Method.TRY_IN_STORE)
    events = [(e, event_label(e.kind)) for e in found.events.all()]
    return _page(
        request,
        "order.html",
        {
            "order": found,
            "events": events,
            "is_pickup": pickup,
            "returned": [
                returned_text(p.refunded_amount, cancelled=found.state == OrderState.CANCELLED)
                for p in payment_list_returned(order_ids=[found.pk])
            ],
            "state_label": state_label(found.state),
            "payment_label": payment_label(found.payment_state),
            "show_code": pickup and found.state in (OrderState.CONFIRMED, OrderState.READY),
            "can_pay": found.payment_mode == "online"
            and found.payment_state == PaymentState.UNPAID
            and found.state == OrderState.PENDING,
        },
    )


@require_POST
def order_pay(request: HttpRequest, number: str) -> HttpResponse:
    found = _order_for(request, number)
    if found is None:
        return redirect(f"{reverse('storefront:track')}?number={number[:24]}")
    return _pay(request, found)
