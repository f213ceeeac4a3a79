"""Flash sales in the storefront: the sales on show, a sale's page with where the buyer stands
(polled every two seconds from a fragment: a handful of index reads), the claim, and the
checkout of a claim as a pickup order at one of the sale's outlets."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from omnipoint.core.errors import DomainError
from omnipoint.flashsales import selectors, services
from omnipoint.flashsales.errors import error_text
from omnipoint.flashsales.models import FlashSale
from omnipoint.members.selectors import member_for_user_or_none
from omnipoint.outlets.domain import MemberActor


def _member(request: HttpRequest) -> MemberActor | None:
    member = member_for_user_or_none(user=request.user)
    if member is None or member.user_id is None:
        return None
    return MemberActor(user_id=member.user_id, member_id=member.pk)


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 10 else 0


def _standing(me: MemberActor | None, sale: FlashSale) -> dict[str, Any]:
    st = selectors.standing_get(actor=me, sale=sale)
    return {"st": st, "claims": selectors.claims_open(actor=me, sale=sale) if me else []}


@require_GET
def sales(request: HttpRequest) -> HttpResponse:
    return render(request, "flashsales/shop/sales.html", {"sales": list(selectors.sales_on_show()[:20])})


def _sale_page(request: HttpRequest, sale_id: int, error: str = "", status: int = 200) -> HttpResponse:
    me = _member(request)
    sale = selectors.sale_on_show(sale_id=sale_id)
    ctx = {"sale": sale, "me": me, "error": error, "sources": selectors.sources_of(sale)} | _standing(
        me, sale
    )
    return render(request, "flashsales/shop/sale.html", ctx, status=status)


@require_GET
def sale(request: HttpRequest, sale_id: int) -> HttpResponse:
    try:
        return _sale_page(request, sale_id)
    except DomainError as e:
        return render(
            request, "flashsales/shop/sales.html", {"sales": [], "error": error_text(e)}, status=e.status
        )


@require_GET
def standing(request: HttpRequest, sale_id: int) -> HttpResponse:
    """The fragment the sale page polls."""
    me = _member(request)
    try:
        sale = selectors.sale_on_show(sale_id=sale_id)
    except DomainError as e:
        return HttpResponse(status=e.status)
    return render(request, "flashsales/shop/_standing.html", {"sale": sale, "me": me} | _standing(me, sale))


@require_POST
def claim(request: HttpRequest, sale_id: int) -> HttpResponse:
    me = _member(request)
    if me is None:
        return redirect(f"/shop/member/login/?next=/shop/flash/{sale_id}/")
    try:
        services.flash_claim(actor=me, sale_id=sale_id, quantity=_int(request.POST.get("quantity")) or 1)
    except DomainError as e:
        if e.code in ("in_line", "sold_out", "flash_limit_reached"):  # the page says where they stand
            return redirect("flashsales_shop:sale", sale_id=sale_id)
        return _sale_page(request, sale_id, error_text(e), e.status)
    return redirect("flashsales_shop:sale", sale_id=sale_id)


@require_POST
def checkout(request: HttpRequest, claim_id: int) -> HttpResponse:
    me = _member(request)
    if me is None:
        return redirect("/shop/member/login/")
    sale_id = _int(request.POST.get("sale"))
    try:
        order = services.flash_checkout(
            actor=me,
            claim_id=claim_id,
            pickup_outlet_id=_int(request.POST.get("pickup")),
            payment_mode=(request.POST.get("payment_mode") or "at_outlet")[:20],
        )
    except DomainError as e:
        return _sale_page(request, sale_id, error_text(e), e.status)
    return redirect("storefront:order", number=order.number)
