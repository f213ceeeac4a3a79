"""The staff console: server-rendered pages that call the same services and selectors as the API.

A view reads its form (forms.py), makes one service or selector call and renders. Refusals are
DomainErrors: a page that re-renders a refused form does so with the error's 4xx status, and
anything else (outside the actor's scope: 404, not allowed: 403) gets the error page.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from omnipoint.core.errors import DomainError
from omnipoint.dashboards.views import dashboard_context
from omnipoint.inventory import selectors as stock
from omnipoint.inventory import services
from omnipoint.inventory.models import CountState, Transfer, TransferState
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.selectors import actor_get, outlet_get, outlet_list
from omnipoint.web.errors import error_text
from omnipoint.web.forms import (
    TRANSFER_FORM_ROWS,
    outlet_directory,
    parse_float,
    parse_id,
    parse_int,
    sku_codes,
    sku_find,
    sku_search,
)

# The dashboard flags a SKU when no more than this is free to sell (or its safety stock, if higher).
LOW_STOCK = 3
MAX_ROWS = 100  # longest table a page shows; an HQ lookup would otherwise list every outlet
OPEN_TRANSFER_STATES = (TransferState.DRAFT, TransferState.IN_TRANSIT)

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


def _refused(request: HttpRequest, template: str, context: dict[str, Any], e: DomainError) -> HttpResponse:
    return render(request, template, context | {"error": error_text(e)}, status=e.status)


def _my_outlets(actor: Actor) -> list[Any]:
    return list(outlet_list(actor=actor, active_only=True))


# --- home -----------------------------------------------------------------------------------


@require_GET
@console_view
def home(request: HttpRequest, actor: Actor) -> HttpResponse:
    outlet_id = actor.scope.outlet_id
    open_transfers = stock.transfer_list(actor=actor, location_id=outlet_id).filter(
        state__in=OPEN_TRANSFER_STATES
    )[:20]
    low = []
    if outlet_id is not None:
        low = [
            row
            for row in stock.stock_list(actor=actor, location_id=outlet_id)
            if row.available <= max(LOW_STOCK, row.safety_stock)
        ]
    return render(
        request,
        "web/home.html",
        {"actor": actor, "outlet_id": outlet_id, "low_stock": low, "open_transfers": open_transfers}
        | dashboard_context(request, actor),
    )


# --- where is it ----------------------------------------------------------------------------


@require_GET
@console_view
def stock_lookup(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Choose a SKU and a centre outlet; show who nearby has it, and my own rows for it."""
    centres = _my_outlets(actor)
    q = request.GET.get("q", "").strip()
    ctx: dict[str, Any] = {
        "centres": centres,
        "q": q,
        "radius": request.GET.get("radius", "10").strip() or "10",
        "qty": request.GET.get("qty", "1").strip() or "1",
    }
    centre_raw = request.GET.get("centre", "")
    default_centre = actor.scope.outlet_id or (centres[0].pk if centres else None)
    ctx["centre_id"] = int(centre_raw) if centre_raw.isdigit() else default_centre
    template = "web/_stock_results.html" if request.headers.get("HX-Request") else "web/stock.html"
    if q:
        try:
            matches = sku_search(q)
            ctx["matches"] = matches
            if len(matches) == 1 and ctx["centre_id"] is not None:
                sku = ctx["sku"] = matches[0]
                centre = ctx["centre"] = outlet_get(actor=actor, outlet_id=ctx["centre_id"])
                ctx["nearby"] = stock.stock_nearby(
                    lat=centre.lat,
                    lng=centre.lng,
                    sku_id=sku.pk,
                    quantity=parse_int(ctx["qty"]),
                    radius_km=parse_float(ctx["radius"], default=10.0, field="radius_km"),
                )
                ctx["rows"] = stock.stock_list(actor=actor, sku_id=sku.pk)[:MAX_ROWS]
        except DomainError as e:
            return _refused(request, template, ctx, e)
    return render(request, template, ctx)


# --- transfers ------------------------------------------------------------------------------


@require_GET
@console_view
def transfer_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in TransferState.values:
        state = ""
    return render(
        request,
        "web/transfer_list.html",
        {
            "state": state,
            "states": TransferState.choices,
            "transfers": stock.transfer_list(actor=actor, state=state)[:100],
        },
    )


@console_view
def transfer_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    sources = _my_outlets(actor)
    ctx: dict[str, Any] = {
        "sources": sources,
        "destinations": outlet_directory(),
        "source_id": actor.scope.outlet_id,
        "destination_id": None,
        "note": "",
        "rows": [("", "")] * TRANSFER_FORM_ROWS,
    }
    if request.method != "POST":
        return render(request, "web/transfer_new.html", ctx)
    skus, qtys = request.POST.getlist("sku"), request.POST.getlist("qty")
    rows = [(s.strip(), q.strip()) for s, q in zip(skus, qtys, strict=False)][:200]
    ctx |= {
        "source_id": _int_or_none(request.POST.get("source")),
        "destination_id": _int_or_none(request.POST.get("destination")),
        "note": request.POST.get("note", "")[:200],
        "rows": rows + [("", "")] * max(0, TRANSFER_FORM_ROWS - len(rows)),
    }
    try:
        # The console ships from one of my own outlets; the API also lets a destination ask.
        source = outlet_get(actor=actor, outlet_id=parse_id(request.POST.get("source"), what="source"))
        destination_id = parse_id(request.POST.get("destination"), what="destination")
        lines = [(sku_find(s).pk, parse_int(q)) for s, q in rows if s or q]
        transfer = services.transfer_create(
            actor=actor, source_id=source.pk, destination_id=destination_id, lines=lines, note=ctx["note"]
        )
    except DomainError as e:
        return _refused(request, "web/transfer_new.html", ctx, e)
    messages.success(request, _("Transfer %(id)s created.") % {"id": transfer.pk})
    return redirect("web:transfer", transfer_id=transfer.pk)


def _int_or_none(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 19 else None


def _transfer_context(actor: Actor, transfer: Transfer, posted: Any = None) -> dict[str, Any]:
    def covers(outlet: Any) -> bool:
        return actor.can(Perm.TRANSFER) and actor.scope.covers_outlet(
            outlet_id=outlet.pk, region_path=outlet.region_path
        )

    draft = transfer.state == TransferState.DRAFT
    return {
        "transfer": transfer,
        # Each line with what the receive form shows: what was typed, else the quantity sent.
        "lines": [
            (ln, (posted or {}).get(f"received_{ln.sku_id}", ln.quantity))
            for ln in sorted(transfer.lines.all(), key=lambda ln: ln.sku.code)
        ],
        "can_dispatch": draft and covers(transfer.source),
        "can_receive": transfer.state == TransferState.IN_TRANSIT and covers(transfer.destination),
    }


@require_GET
@console_view
def transfer_detail(request: HttpRequest, actor: Actor, transfer_id: int) -> HttpResponse:
    transfer = stock.transfer_get(actor=actor, transfer_id=transfer_id)
    return render(request, "web/transfer_detail.html", _transfer_context(actor, transfer))


def _transfer_action(request: HttpRequest, actor: Actor, transfer_id: int, act: Callable[[Transfer], str]):  # type: ignore[no-untyped-def]
    transfer = stock.transfer_get(actor=actor, transfer_id=transfer_id)  # not visible: 404
    try:
        done = act(transfer)
    except DomainError as e:
        ctx = _transfer_context(actor, transfer, request.POST)
        return _refused(request, "web/transfer_detail.html", ctx, e)
    messages.success(request, done)
    return redirect("web:transfer", transfer_id=transfer_id)


@require_POST
@console_view
def transfer_dispatch(request: HttpRequest, actor: Actor, transfer_id: int) -> HttpResponse:
    def act(transfer: Transfer) -> str:
        services.transfer_dispatch(actor=actor, transfer_id=transfer.pk)
        return _("Transfer %(id)s dispatched.") % {"id": transfer.pk}

    return _transfer_action(request, actor, transfer_id, act)


@require_POST
@console_view
def transfer_receive(request: HttpRequest, actor: Actor, transfer_id: int) -> HttpResponse:
    def act(transfer: Transfer) -> str:
        received = {}
        for line in transfer.lines.all():
            raw = request.POST.get(f"received_{line.sku_id}", "").strip()
            if raw:  # a line left blank arrived in full
                received[line.sku_id] = parse_int(raw, field="received")
        done = services.transfer_receive(actor=actor, transfer_id=transfer.pk, received=received)
        if done.state == TransferState.SHORT_RECEIVED:
            return _("Transfer %(id)s received short.") % {"id": transfer.pk}
        return _("Transfer %(id)s received.") % {"id": transfer.pk}

    return _transfer_action(request, actor, transfer_id, act)


@require_POST
@console_view
def transfer_cancel(request: HttpRequest, actor: Actor, transfer_id: int) -> HttpResponse:
    def act(transfer: Transfer) -> str:
        services.transfer_cancel(actor=actor, transfer_id=transfer.pk)
        return _("Transfer %(id)s cancelled.") % {"id": transfer.pk}

    return _transfer_action(request, actor, transfer_id, act)


# --- cycle counts ---------------------------------------------------------------------------


@console_view
def count_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The counts in my area, and the form that opens a new one."""
    ctx: dict[str, Any] = {
        "counts": stock.count_list(actor=actor)[:50],
        "locations": _my_outlets(actor),
        "location_id": actor.scope.outlet_id,
        "skus_text": "",
    }
    if request.method != "POST":
        return render(request, "web/count_list.html", ctx)
    ctx |= {
        "location_id": _int_or_none(request.POST.get("location")),
        "skus_text": request.POST.get("skus", "")[:4000],
    }
    try:
        location = outlet_get(actor=actor, outlet_id=parse_id(request.POST.get("location"), what="outlet"))
        count = services.count_open(actor=actor, location_id=location.pk, sku_ids=sku_codes(ctx["skus_text"]))
    except DomainError as e:
        return _refused(request, "web/count_list.html", ctx, e)
    messages.success(request, _("Count %(id)s opened.") % {"id": count.pk})
    return redirect("web:count", count_id=count.pk)


def _count_context(actor: Actor, count_id: int) -> dict[str, Any]:
    count = stock.count_get(actor=actor, count_id=count_id)
    lines = sorted(count.lines.all(), key=lambda ln: ln.sku.code)
    return {
        "count": count,
        "lines": lines,
        "is_open": count.state == CountState.OPEN,
        "counted": sum(1 for ln in lines if ln.counted is not None),
    }


@require_GET
@console_view
def count_detail(request: HttpRequest, actor: Actor, count_id: int) -> HttpResponse:
    return render(request, "web/count_detail.html", _count_context(actor, count_id))


@require_POST
@console_view
def count_record(request: HttpRequest, actor: Actor, count_id: int) -> HttpResponse:
    ctx = _count_context(actor, count_id)  # not visible: 404
    ctx |= {"sku_text": request.POST.get("sku", "")[:60], "qty_text": request.POST.get("counted", "")[:20]}
    try:
        sku = sku_find(ctx["sku_text"])
        counted = parse_int(ctx["qty_text"], field="counted")
        services.count_record(actor=actor, count_id=count_id, sku_id=sku.pk, counted=counted)
    except DomainError as e:
        return _refused(request, "web/count_detail.html", ctx, e)
    messages.success(request, _("%(sku)s: %(counted)s counted.") % {"sku": sku.code, "counted": counted})
    return redirect("web:count", count_id=count_id)


@require_POST
@console_view
def count_post(request: HttpRequest, actor: Actor, count_id: int) -> HttpResponse:
    ctx = _count_context(actor, count_id)
    try:
        services.count_post(actor=actor, count_id=count_id)
    except DomainError as e:
        return _refused(request, "web/count_detail.html", ctx, e)
    messages.success(request, _("Count %(id)s posted.") % {"id": count_id})
    return redirect("web:count", count_id=count_id)


# --- outlets --------------------------------------------------------------------------------


@require_GET
@console_view
def outlets(request: HttpRequest, actor: Actor) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    actor.require(Perm.NETWORK_VIEW)
    return render(request, "web/outlets.html", {"q": q, "outlets": outlet_list(actor=actor, search=q)[:200]})
