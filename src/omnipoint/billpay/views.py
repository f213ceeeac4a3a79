"""Bill payment in the staff console: the counter (enter the account, see the bill, take the
cash, print the receipt) and an agent's phone-sized page (float, today's takings, rebate to date
and tier progress). The pages call the same services and selectors as the API."""

import secrets
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omnipoint.billpay import billers, domain, selectors, services
from omnipoint.billpay.domain import PayMode
from omnipoint.billpay.errors import error_text
from omnipoint.billpay.models import BillOutlet
from omnipoint.core.errors import DomainError
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.selectors import actor_get, scope_q

View = Callable[..., HttpResponse]


def console_view(view: View) -> View:
    """Signed in, resolved to an actor; a refusal nobody handled becomes the error page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, actor_get(user=request.user), *args, **kwargs)
        except DomainError as e:
            return render(request, "web/error.html", {"error": error_text(e)}, status=e.status)

    return wrapper


def _points(actor: Actor) -> list[BillOutlet]:
    return list(
        BillOutlet.objects.filter(scope_q(actor.scope, via="outlet"), is_active=True)
        .select_related("outlet")
        .order_by("outlet__code")[:200]
    )


def _city(point: BillOutlet) -> str:
    parts = point.outlet.region_path.strip("/").split("/")
    return parts[1] + "00" if len(parts) > 1 else ""


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


@require_http_methods(["GET", "POST"])
@console_view
def counter(request: HttpRequest, actor: Actor) -> HttpResponse:
    """户号 in, the bill shown, cash taken: the payment goes to its receipt."""
    actor.require(Perm.BILL_PAY)
    points = _points(actor)
    data = request.POST if request.method == "POST" else request.GET
    chosen = next(
        (p for p in points if p.outlet_id == _int(data.get("outlet"))), points[0] if points else None
    )
    ctx: dict[str, Any] = {"points": points, "point": chosen, "account": (data.get("account") or "")[:64]}
    ctx["billers"] = billers.billers_list(city_code=_city(chosen)) if chosen else []
    ctx["biller"] = (data.get("biller") or "")[:40]
    if not (chosen and ctx["biller"] and ctx["account"]):
        return render(request, "billpay/counter.html", ctx)
    try:
        if request.method == "POST":
            payment = services.bill_pay(
                actor=actor, outlet_id=chosen.outlet_id, biller=ctx["biller"], account=ctx["account"],
                amount=_int(data.get("amount")) or 0, key=f"console:{(data.get('client_key') or '')[:40]}",
                mobile=(data.get("mobile") or "").strip()[:20],
            )  # fmt: skip
            return redirect("billpay:receipt", number=payment.number)
        b, due = selectors.bill_lookup(actor=actor, biller=ctx["biller"], account=ctx["account"])
        ctx |= {"bill": due, "biller_obj": b, "client_key": secrets.token_hex(10)}
    except DomainError as e:
        ctx["error"] = error_text(e)
    return render(request, "billpay/counter.html", ctx, status=422 if "error" in ctx else 200)


@require_GET
@console_view
def receipt(request: HttpRequest, actor: Actor, number: str) -> HttpResponse:
    payment = selectors.payment_get(actor=actor, number=number)
    try:
        biller = billers.biller_get(payment.biller)
    except DomainError:
        biller = None
    return render(request, "billpay/receipt.html", {"p": payment, "biller": biller})


@require_POST
@console_view
def complaint(request: HttpRequest, actor: Actor, number: str) -> HttpResponse:
    """A customer's complaint about this payment, recorded: it weighs on the outlet's stars."""
    try:
        services.complaint_record(actor=actor, number=number, reason=request.POST.get("reason") or "")
    except DomainError as e:
        if e.status in (403, 404):  # not theirs: the error page, never a hint on a receipt
            raise
        messages.error(request, error_text(e))
    else:
        messages.success(request, _("The complaint is recorded."))
    return redirect("billpay:receipt", number=number)


@require_GET
@console_view
def agent(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The agent's day at a glance, on a phone: its own outlet, or one in scope (?outlet=)."""
    actor.require(Perm.BILL_PAY)
    outlet_id = actor.scope.outlet_id or _int(request.GET.get("outlet"))
    agents = [p for p in _points(actor) if p.mode == PayMode.AGENT_FLOAT]
    if outlet_id is None and agents:
        outlet_id = agents[0].outlet_id
    if outlet_id is None:
        return render(request, "billpay/agent.html", {"agents": agents})
    day = selectors.agent_day(actor=actor, outlet_id=outlet_id)
    recent = list(selectors.payments_list(actor=actor, outlet_id=outlet_id)[:10])
    return render(request, "billpay/agent.html", {"day": day, "recent": recent, "agents": agents})


def _yuan_fen(raw: str | None) -> int:
    try:
        value = Decimal((raw or "").strip())
    except ArithmeticError:
        return 0
    return int(value * 100) if value.is_finite() and value == value.quantize(Decimal("0.01")) else 0


def _agents_post(request: HttpRequest, actor: Actor) -> str:
    """Enrol an outlet (its rebate schedule) or record a deposit into an agent's float."""
    outlet_id = _int(request.POST.get("outlet")) or 0
    if request.POST.get("action") == "fund":
        services.float_fund(
            actor=actor, outlet_id=outlet_id, amount=_yuan_fen(request.POST.get("amount")),
            key=(request.POST.get("client_key") or "")[:60],
        )  # fmt: skip
        return _("The deposit is in the float.")
    text = request.POST.get("tiers") or ""
    schedule = domain.schedule_parse(request.POST.get("basis") or "count", text) if text.strip() else None
    services.outlet_enrol(actor=actor, outlet_id=outlet_id, schedule=schedule)
    return _("The outlet takes bill payments now.")


@require_http_methods(["GET", "POST"])
@console_view
def agents(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The agent outlets by this month's volume, and onboarding: enrol an outlet with its
    rebate schedule, fund an agent's float."""
    actor.require(Perm.OUTLET_EDIT)
    ctx: dict[str, Any] = {}
    if request.method == "POST":
        try:
            messages.success(request, _agents_post(request, actor))
            return redirect("billpay:agents")
        except DomainError as e:
            ctx["error"] = error_text(e)
    ctx |= {
        "rows": selectors.agents_ranking(actor=actor),
        "candidates": list(selectors.outlets_to_enrol(actor=actor)[:200]),
        "default_tiers": ", ".join(f"{t.threshold}:{t.per_bill}" for t in domain.DEFAULT_SCHEDULE.tiers),
        "client_key": secrets.token_hex(10),
    }
    return render(request, "billpay/agents.html", ctx, status=422 if "error" in ctx else 200)
