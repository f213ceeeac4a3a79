"""Parcels in the staff console: the counter (accept a parcel, price it, take payment, print
the label), the scan page (an outlet records what happened to a parcel) and the handheld's
collection page (hand a held parcel over by its pickup code). The pages call the same services
and selectors as the API."""

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omnipoint.core.errors import DomainError
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.models import Level, Outlet, Region
from omnipoint.outlets.selectors import actor_get, scope_q
from omnipoint.parcels import domain, label, selectors, services
from omnipoint.parcels.errors import error_text

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


def _outlets(actor: Actor) -> list[Outlet]:
    return list(
        Outlet.objects.filter(scope_q(actor.scope), is_active=True)
        .select_related("region")
        .order_by("code")[:200]
    )


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 10 else 0


def _chosen(outlets: list[Outlet], raw: str | None) -> Outlet | None:
    return next((o for o in outlets if o.pk == _int(raw)), outlets[0] if outlets else None)


def _party(data: Any, who: str, default_region: str) -> services.Party:
    return services.Party(
        name=(data.get(f"{who}_name") or "")[:40],
        mobile=(data.get(f"{who}_mobile") or "")[:20],
        address=(data.get(f"{who}_address") or "")[:200],
        region_code=(data.get(f"{who}_region") or default_region)[:6],
    )


@require_http_methods(["GET", "POST"])
@console_view
def counter(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Accept a parcel: sender, recipient, weight and size, service, declared value; then the
    parcel's page takes the payment."""
    actor.require(Perm.PARCEL)
    outlets = _outlets(actor)
    data = request.POST if request.method == "POST" else request.GET
    outlet = _chosen(outlets, data.get("outlet"))
    ctx: dict[str, Any] = {
        "outlets": outlets,
        "outlet": outlet,
        "form": data,
        "services": domain.Service.choices,
    }
    ctx["districts"] = (
        Region.objects.filter(level=Level.DISTRICT).order_by("code").values_list("code", "name")
    )
    if request.method == "POST" and outlet is not None:
        try:
            parcel = services.parcel_accept(
                actor=actor, outlet_id=outlet.pk,
                sender=_party(data, "sender", outlet.region.code), recipient=_party(data, "recipient", ""),
                size=domain.Dimensions(*(_int(data.get(f)) for f in ("weight_g", "length_cm", "width_cm", "height_cm"))),
                service=(data.get("service") or "")[:10], declared_value=_int(data.get("declared_value")) * 100,
                key=f"console:{(data.get('client_key') or '')[:40]}",
            )  # fmt: skip
            return redirect("parcels:detail", number=parcel.number)
        except DomainError as e:
            ctx["error"] = error_text(e)
    ctx["recent"] = list(selectors.parcels_list(actor=actor, outlet_id=outlet.pk if outlet else None)[:20])
    ctx["client_key"] = secrets.token_hex(10)
    return render(request, "parcels/counter.html", ctx, status=422 if "error" in ctx else 200)


@require_GET
@console_view
def detail(request: HttpRequest, actor: Actor, number: str) -> HttpResponse:
    parcel = selectors.parcel_get(actor=actor, number=number)
    ctx = {
        "p": parcel, "events": selectors.timeline(parcel), "pay_url": selectors.pay_url(parcel),
        "outlets": _outlets(actor), "kinds": [(k, domain.ParcelState(k).label) for k in domain.SCAN_KINDS],
        "voidable": parcel.voided_at is None and parcel.state in domain.VOIDABLE,
    }  # fmt: skip
    if ctx["pay_url"]:
        ctx["pay_link"] = request.build_absolute_uri(str(ctx["pay_url"]))
    return render(request, "parcels/detail.html", ctx)


@require_POST
@console_view
def pay(request: HttpRequest, actor: Actor, number: str) -> HttpResponse:
    try:
        parcel = services.parcel_pay(
            actor=actor, number=number, method=(request.POST.get("method") or "")[:10],
            return_url=f"/console/parcels/{number}/"[:200],
        )  # fmt: skip
    except DomainError as e:
        if e.status == 404:
            raise
        messages.error(request, error_text(e))
    else:
        if parcel.paid_at is not None:
            messages.success(request, _("Paid: the parcel is accepted. Print its label."))
    return redirect("parcels:detail", number=number)


@require_POST
@console_view
def void(request: HttpRequest, actor: Actor, number: str) -> HttpResponse:
    """Void a parcel before it leaves: its money goes back the way it came (cash by hand)."""
    try:
        services.parcel_void(actor=actor, number=number, reason=(request.POST.get("reason") or "")[:200])
    except DomainError as e:
        if e.status == 404:
            raise
        messages.error(request, error_text(e))
    else:
        messages.success(request, _("Voided: the money went back the way it was paid (hand cash back)."))
    return redirect("parcels:detail", number=number)


def _scan_post(request: HttpRequest, actor: Actor) -> str:
    done = services.parcel_scan(
        actor=actor, outlet_id=_int(request.POST.get("outlet")), number=(request.POST.get("number") or "")[:20],
        kind=(request.POST.get("kind") or "")[:20], scan_id=(request.POST.get("scan_id") or "")[:60],
    )  # fmt: skip
    if not done.fresh:
        return _("This scan was recorded already.")
    return (
        _("Recorded.") if done.moved else _("Recorded in the timeline; the parcel was already further along.")
    )


@require_http_methods(["GET", "POST"])
@console_view
def scan(request: HttpRequest, actor: Actor) -> HttpResponse:
    """An outlet records a scan of a parcel passing through."""
    actor.require(Perm.PARCEL)
    outlets = _outlets(actor)
    data = request.POST if request.method == "POST" else request.GET
    ctx: dict[str, Any] = {
        "outlets": outlets, "outlet": _chosen(outlets, data.get("outlet")), "number": (data.get("number") or "")[:20],
        "kinds": [(k, domain.ParcelState(k).label) for k in domain.SCAN_KINDS], "kind": data.get("kind") or "",
        "scan_id": secrets.token_hex(8),
    }  # fmt: skip
    if request.method == "POST":
        try:
            messages.success(request, _scan_post(request, actor))
            back = request.POST.get("back") or ""
            if back.startswith("/console/parcels/") and "//" not in back:
                return redirect(back)
            return redirect("parcels:scan")
        except DomainError as e:
            ctx["error"] = error_text(e)
    return render(request, "parcels/scan.html", ctx, status=422 if "error" in ctx else 200)


@require_http_methods(["GET", "POST"])
@console_view
def collect(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The handheld: the parcel's number (scanned) and the recipient's pickup code."""
    actor.require(Perm.PARCEL)
    outlets = _outlets(actor)
    data = request.POST if request.method == "POST" else request.GET
    outlet = _chosen(outlets, data.get("outlet"))
    ctx: dict[str, Any] = {"outlets": outlets, "outlet": outlet, "number": (data.get("number") or "")[:20]}
    if request.method == "POST":
        try:
            parcel = services.parcel_collect(
                actor=actor, outlet_id=outlet.pk if outlet else 0, number=ctx["number"],
                code=(data.get("code") or "").strip()[:10],
            )  # fmt: skip
            messages.success(request, _("Handed over: parcel %(number)s.") % {"number": parcel.number})
            return redirect(f"{request.path}?outlet={parcel.hold_outlet_id}")
        except DomainError as e:
            ctx["error"] = error_text(e)
    if outlet is not None:
        ctx["held"] = list(
            selectors.parcels_list(actor=actor, outlet_id=outlet.pk, state=domain.ParcelState.ARRIVED).filter(
                hold_outlet=outlet
            )[:50]
        )
    return render(request, "parcels/collect.html", ctx, status=422 if "error" in ctx else 200)


@require_GET
@console_view
def label_page(request: HttpRequest, actor: Actor, number: str) -> HttpResponse:
    """The label as it prints, on screen, with the PDF to print."""
    parcel = selectors.parcel_for_label(actor=actor, number=number)
    return render(request, "parcels/label.html", {"p": parcel})


@require_GET
@console_view
def label_file(request: HttpRequest, actor: Actor, number: str, fmt: str) -> HttpResponse:
    parcel = selectors.parcel_for_label(actor=actor, number=number)
    if fmt == "svg":
        return HttpResponse(label.label_svg(parcel), content_type="image/svg+xml")
    response = HttpResponse(label.label_pdf(parcel), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{parcel.number}.pdf"'
    return response
