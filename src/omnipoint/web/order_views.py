"""The console's order pages: the outlet work queue, hand-over at pickup, the counter (POS),
orders and their detail, returns, and orders keyed by staff for a caller (hotline, handheld).

As in views.py: a view parses its form (order_forms.py), makes one service or selector call and
renders; a refusal re-renders the page with the error's status, and anything outside the
actor's scope (404) or role (403) becomes the error page.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from omnipoint.catalog.models import Sku
from omnipoint.catalog.selectors import prices_get
from omnipoint.core.channels import Channel
from omnipoint.core.errors import DomainError, ValidationError
from omnipoint.core.money import Money
from omnipoint.inventory import selectors as stock
from omnipoint.loyalty.selectors import member_for_counter
from omnipoint.orders import selectors as orders
from omnipoint.orders import services
from omnipoint.orders.models import Method, Order, OrderReturn, OrderState, PickTask, TaskState
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.models import Outlet, Staff
from omnipoint.outlets.selectors import outlet_get, region_get
from omnipoint.payments import selectors as pay_selectors
from omnipoint.payments import services as payments
from omnipoint.payments.domain import Method as Tender
from omnipoint.payments.domain import PaymentState as TenderState
from omnipoint.web.errors import error_text
from omnipoint.web.forms import outlet_directory, parse_id, parse_int, sku_search
from omnipoint.web.order_forms import (
    ORDER_FORM_ROWS,
    Cart,
    parse_codes,
    parse_customer,
    parse_lines,
    parse_mobile,
    parse_yuan,
)
from omnipoint.web.views import _int_or_none, _my_outlets, _refused, console_view

MAX_ORDERS = 100  # longest order list a page shows
POS_CASH_KEY = "console_pos_cash"  # per order: cash handed over and cash taken, for the change
POS_REFUSAL_KEY = "console_pos_refusal"  # a refused checkout, shown once on the basket page
LEDGER_TENDERS = (Tender.WALLET, Tender.POINTS)

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
}
STAFF_ORDER_CHANNELS = [Channel.HOTLINE, Channel.PDA]


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


# --- the work queue -------------------------------------------------------------------------


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


# --- hand over at pickup --------------------------------------------------------------------


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
        % {"amount": Money(payment.amount), "number": payment.order.number},
    )
    return render(request, "web/orders/pickup.html", ctx)


# --- the counter (POS) ----------------------------------------------------------------------


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
            cart.customer = cart.coupons = ""
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
    try:
        if not cart.lines:
            raise ValidationError("add at least one line", code="no_lines")
        mobile, card = parse_customer(cart.customer)
        member_id = member_for_counter(actor=actor, card=card).id if card else None
        order = services.order_place(
            user=request.user,
            channel=Channel.POS,
            method=Method.COUNTER,
            payment_mode="counter",
            lines=[services.LineRequest(s, q) for s, q in sorted(cart.lines.items())],
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


def _tenders(actor: Actor, order: Order) -> dict[str, Any]:
    tenders = list(pay_selectors.payment_list(actor=actor, order_id=order.pk))
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


def _pos_context_for(request: HttpRequest, actor: Actor, order_id: int) -> dict[str, Any]:
    order = orders.order_get(actor=actor, order_id=order_id)
    if order.method != Method.COUNTER:
        raise ValidationError("not a counter sale", code="not_counter_sale")
    ctx = _tenders(actor, order)
    given, taken = (request.session.get(POS_CASH_KEY) or {}).get(str(order.pk), (0, 0))
    member = member_for_counter(actor=actor, card=order.member.card_code) if order.member else None
    return ctx | {"cash_given": given, "change": max(0, given - taken), "member": member}


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
            user=request.user, order_id=order_id, method=method, amount=amount, points=points
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
        payments.payment_start(user=request.user, order_id=order_id)
    except DomainError as e:
        return _refused(request, "web/orders/pos_pay.html", ctx, e)
    return redirect("web:pos_pay", order_id=order_id)


@require_GET
@console_view
def pos_status(request: HttpRequest, actor: Actor, order_id: int) -> HttpResponse:
    """Polled while the customer pays online: ask the gateway, and go to the receipt once paid."""
    order = orders.order_get(actor=actor, order_id=order_id)
    if order.state == OrderState.PENDING:
        payments.payments_sync(order_id=order.pk)
        order = orders.order_get(actor=actor, order_id=order_id)
    if order.state == OrderState.COMPLETED:
        return _hx_or_redirect(request, reverse("web:pos_receipt", kwargs={"order_id": order_id}))
    return render(request, "web/orders/_pos_status.html", _tenders(actor, order))


@require_GET
@console_view
def pos_receipt(request: HttpRequest, actor: Actor, order_id: int) -> HttpResponse:
    return render(request, "web/orders/receipt.html", _pos_context_for(request, actor, order_id))


# --- orders ---------------------------------------------------------------------------------


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


def _order_context(actor: Actor, order_id: int) -> dict[str, Any]:
    order = orders.order_get(actor=actor, order_id=order_id)
    ctx = _tenders(actor, order)
    events = list(order.events.all())
    names = _staff_names({e.actor_id for e in events} | {order.keyed_by_id})
    routing = order.routing or {}
    return ctx | {
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
        "returns": list(order.returns.select_related("outlet").order_by("pk")),
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
        actor.require(Perm.STOCK_SELL)
        reason = request.POST.get("reason", "").strip()[:200]
        if not reason:
            raise ValidationError("give a reason", code="reason_required")
        services.order_cancel(order_id=order.pk, reason=reason, user_id=actor.user_id)
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
        payments.payment_start(user=request.user, order_id=order.pk)
        return _("Payment link ready for order %(number)s.") % {"number": order.number}

    return _order_action(request, actor, order_id, act)


# --- returns at my outlet -------------------------------------------------------------------


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


# --- orders keyed by staff for a customer (hotline, handheld) --------------------------------


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
        order = services.order_place(user=request.user, channel=form["channel"], **args)
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
