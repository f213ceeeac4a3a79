"""Flash sales in the staff console: the sales of one's node with a form to set one up, and one
sale's pool, outlets and the button that ends it. The pages call the same services as the API."""

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omnipoint.catalog.models import Sku
from omnipoint.core.errors import DomainError, ValidationError
from omnipoint.flashsales import selectors, services
from omnipoint.flashsales.errors import error_text
from omnipoint.outlets.domain import Actor
from omnipoint.outlets.models import Outlet
from omnipoint.outlets.selectors import actor_get, scope_q

View = Callable[..., HttpResponse]


def console_view(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, actor_get(user=request.user), *args, **kwargs)
        except DomainError as e:
            return render(request, "web/error.html", {"error": error_text(e)}, status=e.status)

    return wrapper


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 10 else 0


def _when(value: str | None) -> datetime:
    parsed = parse_datetime(value or "")
    if parsed is None:
        raise ValidationError("a time", code="invalid_window")
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _outlets(actor: Actor) -> list[Outlet]:
    return list(Outlet.objects.filter(scope_q(actor.scope), is_active=True).order_by("code")[:100])


@require_http_methods(["GET", "POST"])
@console_view
def sales(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The sales under one's node; set a new one up (a quantity per outlet)."""
    listed = list(selectors.flash_sales_list(actor=actor)[:50])
    outlets = _outlets(actor)
    ctx: dict[str, Any] = {
        "sales": [(s, selectors.pool_of(s)) for s in listed],
        "outlets": outlets,
        "skus": Sku.objects.filter(is_active=True).order_by("code")[:200],
        "form": request.POST,
    }
    if request.method == "POST":
        try:
            sale = services.flash_sale_create(
                actor=actor,
                name=(request.POST.get("name") or "")[:60],
                sku_id=_int(request.POST.get("sku")),
                sources=[(o.pk, q) for o in outlets if (q := _int(request.POST.get(f"q{o.pk}")))],
                starts_at=_when(request.POST.get("starts_at")),
                ends_at=_when(request.POST.get("ends_at")),
                per_member_limit=_int(request.POST.get("limit")),
            )
        except DomainError as e:
            ctx["error"] = error_text(e)
            return render(request, "flashsales/sales.html", ctx, status=e.status)
        messages.success(request, _("The pool is set aside."))
        return redirect("flashsales:sale", sale_id=sale.pk)
    return render(request, "flashsales/sales.html", ctx)


@require_GET
@console_view
def sale(request: HttpRequest, actor: Actor, sale_id: int) -> HttpResponse:
    s = selectors.flash_sale_get(actor=actor, sale_id=sale_id)
    return render(
        request,
        "flashsales/sale.html",
        {"sale": s, "pool": selectors.pool_of(s), "sources": selectors.sources_of(s)},
    )


@require_POST
@console_view
def end(request: HttpRequest, actor: Actor, sale_id: int) -> HttpResponse:
    services.flash_sale_end(actor=actor, sale_id=sale_id)
    messages.success(request, _("The sale is ended: what was free is back at the outlets."))
    return redirect("flashsales:sale", sale_id=sale_id)
