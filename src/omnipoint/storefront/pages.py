"""What every storefront page shares: the district and where the customer is, the page frame
(cart count, signed-in member), and the orders this session may open."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from omnipoint.core.errors import DomainError
from omnipoint.members.models import Member
from omnipoint.members.selectors import member_for_user_or_none
from omnipoint.outlets.models import Region
from omnipoint.storefront import selectors
from omnipoint.storefront.cart import cart_get
from omnipoint.storefront.errors import error_text
from omnipoint.storefront.funnel_steps import note_step

REGION_KEY = "shop_region"
GEO_KEY = "shop_geo"
ORDERS_KEY = "shop_orders"  # order number -> mobile, for the orders placed or looked up here


def _region(request: HttpRequest) -> Region:
    return selectors.region_for(request.session.get(REGION_KEY, ""))


def _float(raw: str | None) -> float | None:
    try:
        value = float(raw or "")
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _location(request: HttpRequest, region: Region) -> tuple[float, float, bool]:
    """Where the customer is: the point the browser gave (remembered in the session), else
    the middle of the chosen district. The bool says whether it came from the browser."""
    params = request.POST if request.method == "POST" else request.GET
    lat, lng = _float(params.get("lat")), _float(params.get("lng"))
    if lat is not None and lng is not None and -90 <= lat <= 90 and -180 <= lng <= 180:
        request.session[GEO_KEY] = [lat, lng]
        return lat, lng, True
    geo = request.session.get(GEO_KEY)
    if geo:
        return float(geo[0]), float(geo[1]), True
    return region.lat, region.lng, False


def _page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HttpResponse:
    context = context or {}
    region = context.get("region") or _region(request)
    if status == 200 and request.method == "GET":
        note_step(request, "visit", region_path=region.path)
    base = {
        "region": region,
        "cart_count": sum(cart_get(request.session).values()),
        "q": request.GET.get("q", "")[:60],
        "is_member": _signed_in_member(request) is not None,
    }
    return render(request, f"storefront/{template}", base | context, status=status)


def _not_found(request: HttpRequest, error: DomainError) -> HttpResponse:
    return _page(request, "not_found.html", {"error": error_text(error)}, status=404)


def _int(raw: str | None) -> int | None:
    text = (raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def _remember_order(request: HttpRequest, number: str, mobile: str) -> None:
    known = dict(request.session.get(ORDERS_KEY) or {})
    known[number] = mobile
    request.session[ORDERS_KEY] = dict(list(known.items())[-20:])


def _signed_in_member(request: HttpRequest) -> Member | None:
    return member_for_user_or_none(user=request.user)


def _order_url(number: str) -> str:
    return reverse("storefront:order", kwargs={"number": number})
