"""The member centre on the storefront: sign in with a mobile number and a one-time code (sent
by SMS; shown on screen too only while the demo is on), then points with their lots and
expiry dates, the wallet's principal and bonus, the tier, the member card's QR, one order
history across channels, paying an order with points or the wallet, and an online top-up."""

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from omnipoint.core.errors import DomainError
from omnipoint.core.throttle import client_address
from omnipoint.identity.selectors import badge_for_member
from omnipoint.loyalty import selectors as loyalty
from omnipoint.loyalty.models import OnlineTopup, PointsLot, TopupPackage, TopupState
from omnipoint.loyalty.selectors import member_lots
from omnipoint.members import services
from omnipoint.members.models import Member
from omnipoint.members.selectors import actor_for_user, member_actor, member_for_user_or_none
from omnipoint.orders import selectors as order_selectors
from omnipoint.orders.models import Method, Order, OrderState, PaymentState
from omnipoint.outlets.domain import SYSTEM
from omnipoint.payments import services as payments
from omnipoint.payments import topups
from omnipoint.payments.selectors import (
    orders_paid_amounts,
    payment_list_returned,
    payment_order_ids_open_online,
)
from omnipoint.storefront.cart import cart_get
from omnipoint.storefront.errors import error_text as shop_error_text
from omnipoint.storefront.events import payment_label, returned_text, state_label
from omnipoint.storefront.selectors import region_for

CENTRE = "storefront:member"

# Refusals met only on the member pages, in the customer's language; the rest are the shop's.
_TEXT = {
    "login_code_invalid": pgettext_lazy("shop", "The code is wrong or has expired. Ask for a new one."),
    "login_code_throttled": pgettext_lazy(
        "shop", "Too many codes asked for this number. Wait a few minutes."
    ),
    "login_attempts_throttled": pgettext_lazy("shop", "Too many tries. Wait a few minutes and try again."),
    "invalid_amount": pgettext_lazy("shop", "Enter a whole number, more than zero."),
    "insufficient_points": pgettext_lazy("shop", "You do not have that many points."),
    "insufficient_balance": pgettext_lazy("shop", "Your wallet does not hold that much."),
    "overpayment": pgettext_lazy("shop", "That is more than is left to pay."),
    "package_not_found": pgettext_lazy("shop", "Choose a top-up package."),
    "method_unavailable": pgettext_lazy("shop", "This way of paying is not available yet."),
}


def error_text(error: DomainError) -> str:
    text = _TEXT.get(error.code)
    return str(text) if text is not None else shop_error_text(error)


def _member(request: HttpRequest) -> Member | None:
    return member_for_user_or_none(user=request.user)


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    base = {
        "region": region_for(request.session.get("shop_region", "")),
        "cart_count": sum(cart_get(request.session).values()),
        "is_member": _member(request) is not None,
    }
    return render(request, f"storefront/member/{template}", base | context, status=status)


@require_http_methods(["GET", "POST"])
def member_login(request: HttpRequest) -> HttpResponse:
    """Step one: the mobile number, to which a code is sent by SMS (and shown, only while the
    demo is on). Step two: the code."""
    if request.method == "GET":
        return _page(request, "login.html", {"step": "mobile"})
    mobile = request.POST.get("mobile", "").strip()[:20]
    code = request.POST.get("code", "").strip()[:10]
    try:
        if not code:
            sent, expires = services.login_code_issue(
                actor=services.SIGN_IN, mobile=mobile, client=client_address(request)
            )
            shown = sent if settings.DEMO_MODE else ""
            context = {"step": "code", "mobile": mobile, "demo_code": shown, "expires": expires}
            return _page(request, "login.html", context)
        member = services.login_code_verify(
            actor=services.SIGN_IN, mobile=mobile, code=code, client=client_address(request)
        )
    except DomainError as e:
        step = "code" if code else "mobile"
        return _page(
            request, "login.html", {"step": step, "mobile": mobile, "error": error_text(e)}, status=e.status
        )
    assert member.user is not None
    login(request, member.user, backend=settings.AUTHENTICATION_BACKENDS[0])
    return redirect(CENTRE)


@require_POST
def member_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("storefront:home")


def _card_qr(code: str) -> str:
    svg = segno.make_qr(code, error="m").svg_inline(scale=4, border=2, title=code, omitsize=True)
    return mark_safe(svg)  # segno builds the SVG and escapes the title


def _yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


def _due(order: Order, paid: dict[int, int]) -> int:
    return order.total - paid.get(order.pk, 0)


@require_http_methods(["GET"])
def member_centre(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if member is None:
        return redirect("storefront:member_login")
    for number in OnlineTopup.objects.filter(member=member, state=TopupState.PENDING).values_list(
        "number", flat=True
    )[:5]:
        topups.topup_online_settle(actor=member_actor(member), number=number)  # back from the gateway
    orders = list(order_selectors.member_orders(member=member)[:50])
    # Back from the gateway: ask it about each open payment (a second payment for an order
    # already paid is then refunded, and said so on the order's row).
    for order_id in sorted(payment_order_ids_open_online(order_ids=[o.pk for o in orders])):
        payments.payments_sync(actor=SYSTEM, order_id=order_id)
    orders = list(order_selectors.member_orders(member=member)[:50])
    paid = orders_paid_amounts(order_ids=[o.pk for o in orders])
    returned: dict[int, list[str]] = {}
    for p in payment_list_returned(order_ids=[o.pk for o in orders]):
        order = next(o for o in orders if o.pk == p.order_id)
        text = returned_text(p.refunded_amount, cancelled=order.state == OrderState.CANCELLED)
        returned.setdefault(p.order_id, []).append(text)
    tier = loyalty.member_tier(member=member)
    rows = [
        {
            "order": o,
            "state": state_label(o.state),
            "payment": payment_label(o.payment_state),
            "due": _yuan(_due(o, paid)),
            "total": _yuan(o.total),
            "returned": returned.get(o.pk, []),
            "show_code": o.method in (Method.PICKUP, Method.TRY_IN_STORE)
            and o.state in (OrderState.CONFIRMED, OrderState.READY),
            "payable": o.state == OrderState.PENDING
            and o.payment_mode == "online"
            and o.payment_state == PaymentState.UNPAID
            and o.member_id == member.pk,
        }
        for o in orders
    ]
    return _page(
        request,
        "centre.html",
        {
            "member": member,
            "tier": tier,
            "points": loyalty.points_balance(member=member),
            "lots": [(lot, _lot_order(lot)) for lot in member_lots(member=member)],
            "wallet": {k: _yuan(v) for k, v in loyalty.wallet_balance(member=member).items()},
            "orders": rows,
            "packages": TopupPackage.objects.filter(is_active=True).order_by("pay_amount"),
            "card_qr": _card_qr(member.card_code),
            "badge": badge_for_member(member_id=member.pk),
        },
    )


def _lot_order(lot: PointsLot) -> str:
    """The order a lot of points was earned on, when it was (loyalty refers to it as
    ``order:<number>``); a lot won or given otherwise names no order. Its reference is
    loyalty's and marketing's text, not the customer's to read."""
    prefix = "order:"
    return lot.reference[len(prefix) :] if lot.reference.startswith(prefix) else ""


def _own_order(member: Member, number: str) -> Order | None:
    return Order.objects.filter(number=number[:24], member=member).first()


@require_POST
def member_tender(request: HttpRequest, number: str) -> HttpResponse:
    """Pay part (or all) of one of the member's orders with points or the wallet."""
    member = _member(request)
    order = _own_order(member, number) if member else None
    if member is None or order is None:
        return redirect("storefront:member_login")
    method = request.POST.get("method", "")
    raw = request.POST.get("value", "").strip()
    try:
        if not raw.isdigit() or len(raw) > 12:
            raise DomainError("enter a whole number", code="invalid_amount")
        value = int(raw)
        if method == "points":
            payments.payment_tender(
                actor=actor_for_user(user=request.user), order_id=order.pk, method="points", points=value
            )
        else:  # the wallet, in yuan and fen typed as fen-free yuan
            payments.payment_tender(
                actor=actor_for_user(user=request.user),
                order_id=order.pk,
                method="wallet",
                amount=value * 100,
            )
    except DomainError as e:
        messages.error(request, error_text(e))
        return redirect(CENTRE)
    if method == "points":
        messages.success(request, pgettext("shop", "Paid with your points."))
    else:
        messages.success(request, pgettext("shop", "Paid from your wallet."))
    return redirect(CENTRE)


@require_POST
def member_pay_rest(request: HttpRequest, number: str) -> HttpResponse:
    """What is left of the order, online at the payment gateway."""
    member = _member(request)
    order = _own_order(member, number) if member else None
    if member is None or order is None:
        return redirect("storefront:member_login")
    try:
        payment = payments.payment_start(
            actor=actor_for_user(user=request.user), order_id=order.pk, return_url=reverse(CENTRE)
        )
    except DomainError as e:
        messages.error(request, error_text(e))
        return redirect(CENTRE)
    return redirect(payment.pay_url)


@require_POST
def member_topup(request: HttpRequest) -> HttpResponse:
    """Top up the wallet online with a package, paid at the payment gateway."""
    member = _member(request)
    if member is None:
        return redirect("storefront:member_login")
    raw = request.POST.get("package_id", "")
    try:
        if not raw.isdigit() or len(raw) > 12:
            raise DomainError("choose a package", code="package_not_found")
        topup = topups.topup_online_start(
            actor=member_actor(member), member_id=member.pk, package_id=int(raw), return_url=reverse(CENTRE)
        )
    except DomainError as e:
        messages.error(request, error_text(e))
        return redirect(CENTRE)
    return redirect(topup.pay_url)
