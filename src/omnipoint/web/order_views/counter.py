"""The counter (POS): the basket, checkout, and paying a counter sale (cash, wallet, points,
the sandbox QR) up to its receipt."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from omnipoint.catalog.domain import ProductKind, takes_stock
from omnipoint.catalog.models import Sku
from omnipoint.catalog.selectors import prices_get
from omnipoint.core.channels import Channel
from omnipoint.core.errors import DomainError, ValidationError
from omnipoint.core.money import Money
from omnipoint.inventory import selectors as stock
from omnipoint.loyalty.selectors import member_for_counter
from omnipoint.orders import selectors as orders
from omnipoint.orders import services
from omnipoint.orders.models import Method, OrderState
from omnipoint.outlets.domain import Actor
from omnipoint.outlets.models import Outlet
from omnipoint.payments import services as payments
from omnipoint.payments.domain import Method as Tender
from omnipoint.web.errors import error_text
from omnipoint.web.forms import parse_id, parse_int, sku_search
from omnipoint.web.order_forms import (
    Cart,
    parse_codes,
    parse_customer,
    parse_yuan,
)
from omnipoint.web.order_views.common import (
    _hx_or_redirect,
    _outlet_param,
    _tenders,
)
from omnipoint.web.views import _my_outlets, _refused, console_view

POS_CASH_KEY = "console_pos_cash"  # per order: cash handed over and cash taken, for the change
POS_REFUSAL_KEY = "console_pos_refusal"  # a refused checkout, shown once on the basket page
LEDGER_TENDERS = (Tender.WALLET, Tender.POINTS)


def _counter_outlets(actor: Actor) -> list[Outlet]:
    return [o for o in _my_outlets(actor) if o.sells_at_counter]


def _pos_context(request: HttpRequest, actor: Actor, cart: Cart) -> dict[str, Any]:
    outlets = _counter_outlets(actor)
    outlet = next((o for o in outlets if o.pk == cart.outlet_id), None)
    skus = {s.pk: s for s in Sku.objects.select_related("product").filter(pk__in=list(cart.lines))}
    prices = prices_get(sku_ids=list(cart.lines), region=outlet.region, channel=Channel.POS) if outlet else {}
    lines = []
    for sku_id, qty in cart.lines.items():
        price = prices.get(sku_id)
        lines.append(
            {
                "sku": skus.get(sku_id),
                "quantity": qty,
                "unit_price": price.amount if price else None,
                "amount": price.amount * qty if price else None,
            }
        )
    return {
        "outlets": outlets,
        "outlet": outlet,
        "lines": [ln for ln in lines if ln["sku"] is not None],
        "has_virtual": any(s.product.kind == ProductKind.VIRTUAL for s in skus.values()),
        "target": cart.target,
        "subtotal": sum(ln["amount"] or 0 for ln in lines),
        "q": request.POST.get("q", "").strip()[:60],
        "qty": request.POST.get("qty", "1").strip()[:12] or "1",
        "customer": cart.customer,
        "coupons": cart.coupons,
    }


def _sku_choices(actor: Actor, outlet: Outlet | None, matches: list[Sku]) -> list[dict[str, Any]]:
    """The picker's rows: each SKU with its variant, its counter price and what is free to sell
    here, so the clerk picks the right one without another lookup."""
    ids = [s.pk for s in matches]
    prices = prices_get(sku_ids=ids, region=outlet.region, channel=Channel.POS) if outlet else {}
    free = (
        {
            row.sku_id: row.available
            for row in stock.stock_list(actor=actor, location_id=outlet.pk).filter(sku_id__in=ids)
        }
        if outlet
        else {}
    )
    return [
        {
            "sku": s,
            "price": prices[s.pk].amount if s.pk in prices else None,
            "available": max(free.get(s.pk, 0), 0),
            "takes_stock": takes_stock(s.product.kind),  # a service or a top-up needs none
        }
        for s in matches
    ]


@console_view
def pos(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The counter's basket: scan or search SKUs, set quantities, then check out."""
    cart = Cart.load(request.session)
    if cart.outlet_id is None or request.POST.get("outlet"):
        chosen = _outlet_param(actor, request.POST.get("outlet") or request.GET.get("outlet"))
        if chosen is None:
            outlets = _counter_outlets(actor)
            chosen = outlets[0] if outlets else None
        cart.outlet_id = chosen.pk if chosen else None
        cart.save(request.session)
    if request.method != "POST":
        ctx = _pos_context(request, actor, cart)
        refusal = request.session.pop(POS_REFUSAL_KEY, None)
        if refusal:  # the checkout was refused: say why here, with its status
            return render(
                request, "web/orders/pos.html", ctx | {"error": refusal["text"]}, status=refusal["status"]
            )
        return render(request, "web/orders/pos.html", ctx)
    action = request.POST.get("action", "add")
    ctx = _pos_context(request, actor, cart)
    try:
        if action == "add":
            matches = sku_search(ctx["q"])
            if len(matches) != 1:
                if not matches:
                    raise ValidationError(f"unknown SKU {ctx['q']!r}", code="unknown_sku", query=ctx["q"])
                choices = _sku_choices(actor, ctx["outlet"], matches)
                return render(request, "web/orders/pos.html", ctx | {"matches": choices})
            cart.add(matches[0].pk, parse_int(ctx["qty"]))
        elif action == "set":
            sku_id = parse_id(request.POST.get("sku"), what="sku")
            cart.set(sku_id, parse_int(request.POST.get("qty"), field="quantity"))
        elif action == "clear":
            cart.lines.clear()
            cart.customer = cart.coupons = cart.target = ""
    except DomainError as e:
        return _refused(request, "web/orders/pos.html", ctx, e)
    cart.save(request.session)
    return redirect("web:pos")


@require_POST
@console_view
def pos_checkout(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The basket becomes a counter order: priced (promotions, and the member's coupons), held
    at this outlet until it is paid. The customer is named by mobile or by the member card's
    code (its QR scanned into the same field). A refusal goes back to the basket, which says
    why: the checkout's own URL is never left on screen to be posted again."""
    cart = Cart.load(request.session)
    cart.customer = request.POST.get("customer", "").strip()[:40]
    cart.coupons = request.POST.get("coupons", "").strip()[:200]
    cart.target = request.POST.get("target", "").strip()[:20]
    try:
        if not cart.lines:
            raise ValidationError("add at least one line", code="no_lines")
        mobile, card = parse_customer(cart.customer)
        member_id = member_for_counter(actor=actor, card=card).id if card else None
        order = services.order_place(
            actor=actor,
            channel=Channel.POS,
            method=Method.COUNTER,
            payment_mode="counter",
            lines=_counter_lines(cart),
            origin_outlet_id=cart.outlet_id,
            mobile=mobile,
            member_id=member_id,
            coupon_codes=parse_codes(cart.coupons),
        )
    except DomainError as e:
        if e.status == 403:
            raise
        cart.save(request.session)
        request.session[POS_REFUSAL_KEY] = {"text": error_text(e), "status": e.status}
        return redirect("web:pos")
    Cart(cart.outlet_id, {}).save(request.session)
    return redirect("web:pos_pay", order_id=order.pk)


def _counter_lines(cart: Cart) -> list[services.LineRequest]:
    """The basket as order lines: a top-up goes to the number typed for it (blank: to the
    customer's own mobile, as orders decide)."""
    virtual = set(
        Sku.objects.filter(pk__in=list(cart.lines), product__kind=ProductKind.VIRTUAL).values_list(
            "pk", flat=True
        )
    )
    return [
        services.LineRequest(s, q, target=cart.target if s in virtual else "")
        for s, q in sorted(cart.lines.items())
    ]


def _pos_context_for(request: HttpRequest, actor: Actor, order_id: int) -> dict[str, Any]:
    order = orders.order_get(actor=actor, order_id=order_id)
    if order.method != Method.COUNTER:
        raise ValidationError("not a counter sale", code="not_counter_sale")
    ctx = _tenders(actor, order)
    given, taken = (request.session.get(POS_CASH_KEY) or {}).get(str(order.pk), (0, 0))
    member = member_for_counter(actor=actor, card=order.member.card_code) if order.member else None
    virtual = orders.order_virtual_lines(order=order)
    return ctx | {
        "cash_given": given,
        "change": max(0, given - taken),
        "member": member,
        "receipt_lines": [(ln, virtual.get(ln.pk)) for ln in order.lines.all()],
    }


@require_GET
@console_view
def pos_pay(request: HttpRequest, actor: Actor, order_id: int) -> HttpResponse:
    ctx = _pos_context_for(request, actor, order_id)
    if ctx["order"].state == OrderState.COMPLETED:
        return redirect("web:pos_receipt", order_id=order_id)
    return render(request, "web/orders/pos_pay.html", ctx)


@require_POST
@console_view
def pos_cash(request: HttpRequest, actor: Actor, order_id: int) -> HttpResponse:
    """Cash handed over: take what is due and give the change. Less than is due is refused
    (a mistyped amount must not pass as a part payment) unless the clerk says it is one."""
    ctx = _pos_context_for(request, actor, order_id)
    ctx["given_text"] = request.POST.get("given", "")[:20]
    partial = request.POST.get("partial") == "1"
    try:
        given = parse_yuan(ctx["given_text"], field="cash")
        if given < ctx["remaining"] and not partial:
            raise ValidationError(
                f"{Money(given)} is less than the {Money(ctx['remaining'])} due",
                code="cash_short",
                given=str(Money(given)),
                due=str(Money(ctx["remaining"])),
            )
        take = min(given, ctx["remaining"]) or given  # nothing remaining: the service refuses
        payments.payment_capture(actor=actor, order_id=order_id, method=Tender.CASH, amount=take)
    except DomainError as e:
        return _refused(request, "web/orders/pos_pay.html", ctx, e)
    cash = request.session.get(POS_CASH_KEY) or {}
    before_given, before_taken = cash.get(str(order_id), (0, 0))
    cash[str(order_id)] = (before_given + given, before_taken + take)
    request.session[POS_CASH_KEY] = dict(list(cash.items())[-20:])  # the last few sales are enough
    return redirect("web:pos_pay", order_id=order_id)


@require_POST
@console_view
def pos_tender(request: HttpRequest, actor: Actor, order_id: int, method: str) -> HttpResponse:
    """The member pays from their wallet or with points: the same two-phase tender as the API,
    held on the ledger and captured when the sale is paid in full. Blank pays all that remains."""
    ctx = _pos_context_for(request, actor, order_id)
    raw = request.POST.get("amount", "").strip()[:20]
    ctx[f"{method}_text"] = raw
    try:
        if method not in LEDGER_TENDERS:
            raise ValidationError(f"unknown tender {method}", code="invalid_method")
        amount = points = None
        if raw and method == Tender.POINTS:
            points = parse_int(raw, field="points")
        elif raw:
            amount = parse_yuan(raw)
        payments.payment_tender(
            actor=actor,
            order_id=order_id,
            method=method,
            amount=amount,
            points=points,
        )
    except DomainError as e:
        if e.status in (403, 404):
            raise
        return _refused(request, "web/orders/pos_pay.html", ctx, e)
    return redirect("web:pos_pay", order_id=order_id)


@require_POST
@console_view
def pos_online(request: HttpRequest, actor: Actor, order_id: int) -> HttpResponse:
    """What remains is paid online: a sandbox payment the customer settles from the QR code."""
    ctx = _pos_context_for(request, actor, order_id)
    try:
        payments.payment_start(actor=actor, order_id=order_id)
    except DomainError as e:
        return _refused(request, "web/orders/pos_pay.html", ctx, e)
    return redirect("web:pos_pay", order_id=order_id)


@require_GET
@console_view
def pos_status(request: HttpRequest, actor: Actor, order_id: int) -> HttpResponse:
    """Polled while the customer pays online: ask the gateway, and go to the receipt once paid."""
    order = orders.order_get(actor=actor, order_id=order_id)
    if order.state == OrderState.PENDING:
        payments.payments_sync(actor=actor, order_id=order.pk)
        order = orders.order_get(actor=actor, order_id=order_id)
    if order.state == OrderState.COMPLETED:
        return _hx_or_redirect(request, reverse("web:pos_receipt", kwargs={"order_id": order_id}))
    return render(request, "web/orders/_pos_status.html", _tenders(actor, order))


@require_GET
@console_view
def pos_receipt(request: HttpRequest, actor: Actor, order_id: int) -> HttpResponse:
    return render(request, "web/orders/receipt.html", _pos_context_for(request, actor, order_id))
