"""The customer storefront: server-rendered, phone first, calling the same selectors and
services as the API (catalogue prices, "where is it", order_place, payment_start, tracking).

A view reads its input, makes its calls and renders. Refusals are DomainErrors: a refused form
is rendered again with the error's 4xx status and changes nothing.

Browsing and the cart live here; checkout in checkout_views.py, tracking in order_views.py.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omnipoint.catalog.selectors import category_list, product_list, sku_get
from omnipoint.core.errors import DomainError, NotFoundError
from omnipoint.outlets.models import Region
from omnipoint.outlets.selectors import region_children
from omnipoint.storefront import offers, selectors
from omnipoint.storefront.cart import cart_add, cart_get, cart_remove, cart_update, parse_quantity
from omnipoint.storefront.errors import error_text
from omnipoint.storefront.funnel_steps import note_step
from omnipoint.storefront.pages import GEO_KEY, REGION_KEY, _int, _location, _not_found, _page, _region

PAGE_SIZE = 40


# --- browsing ---------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    categories = [c for c in category_list() if c.parent_id is None]
    cards = selectors.product_cards(product_list()[:8], region=region)
    return _page(request, "home.html", {"region": region, "categories": categories, "cards": cards})


@require_GET
def category(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(request)
    cat = category_list().filter(code=code).first()
    if cat is None:
        return _not_found(request, NotFoundError("category not found", code="category_not_found"))
    cards = selectors.product_cards(product_list(category=code)[:PAGE_SIZE], region=region)
    children = category_list().filter(parent=cat)
    return _page(
        request,
        "list.html",
        {"region": region, "category": cat, "children": children, "cards": cards, "title": cat.name},
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    q = request.GET.get("q", "").strip()[:60]
    cards = selectors.product_cards(product_list(search=q)[:PAGE_SIZE], region=region) if q else []
    return _page(request, "list.html", {"region": region, "cards": cards, "searched": q})


@require_GET
def product(request: HttpRequest, product_id: int) -> HttpResponse:
    region = _region(request)
    try:
        item = selectors.product_for_sale(product_id=product_id)
    except NotFoundError as e:
        return _not_found(request, e)
    variants = selectors.product_variants(item, region=region)
    wanted = _int(request.GET.get("sku"))
    chosen = next((v for v in variants if v.sku.pk == wanted), variants[0] if variants else None)
    lat, lng, from_browser = _location(request, region)
    nearby = selectors.stock_near(lat=lat, lng=lng, sku_id=chosen.sku.pk) if chosen else []
    badges = offers.product_badges([item], region=region, channel=selectors.CHANNEL).get(item.pk, [])
    return _page(
        request,
        "product.html",
        {
            "region": region,
            "product": item,
            "variants": variants,
            "chosen": chosen,
            "nearby": nearby,
            "badges": badges,
            "from_browser": from_browser,
            "low_stock": selectors.LOW_STOCK,
            "radius_km": int(selectors.NEARBY_RADIUS_KM),
        },
    )


@require_http_methods(["GET", "POST"])
def region(request: HttpRequest) -> HttpResponse:
    """Choose the district prices and distances are for: provinces, then cities, then districts."""
    nxt = request.POST.get("next") or request.GET.get("next") or reverse("storefront:home")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = reverse("storefront:home")
    if request.method == "POST":
        chosen = Region.objects.filter(code=request.POST.get("code", ""), level="district").first()
        if chosen is None:
            return _page(
                request, "not_found.html", {"error": pgettext("shop", "Choose a district.")}, status=404
            )
        request.session[REGION_KEY] = chosen.code
        request.session.pop(GEO_KEY, None)  # the customer said where they are
        return redirect(nxt)
    parent_code = request.GET.get("parent", "")[:6]
    parent = Region.objects.filter(code=parent_code).first() if parent_code else None
    return _page(
        request,
        "region.html",
        {
            "parent": parent,
            "trail": selectors.region_path(parent) if parent else [],
            "children": region_children(parent_code=parent.code if parent else None),
            "next": nxt,
        },
    )


# --- cart ---------------------------------------------------------------------------------


def _cart_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    region = _region(request)
    view = selectors.cart_view(cart_get(request.session), region=region)
    return _page(
        request,
        "cart.html",
        {"region": region, "cart": view, "error": error, "max_quantity": 99},
        status=status,
    )


@require_GET
def cart(request: HttpRequest) -> HttpResponse:
    return _cart_page(request)


def _sku_on_sale(raw: str | None) -> int:
    sku_id = _int(raw)
    if sku_id is None:
        raise NotFoundError("SKU not found", code="sku_not_found")
    sku = sku_get(sku_id=sku_id)
    if not (sku.is_active and sku.product.is_active):
        raise NotFoundError("SKU not found", code="sku_not_found")
    return sku.pk


@require_POST
def cart_add_view(request: HttpRequest) -> HttpResponse:
    try:
        sku_id = _sku_on_sale(request.POST.get("sku_id"))
        cart_add(request.session, sku_id=sku_id, quantity=parse_quantity(request.POST.get("quantity", "1")))
    except DomainError as e:
        return _cart_page(request, error=error_text(e), status=e.status)
    note_step(request, "cart", region_path=_region(request).path)
    messages.success(request, pgettext("shop", "Added to your cart."))
    return redirect("storefront:cart")


@require_POST
def cart_update_view(request: HttpRequest) -> HttpResponse:
    sku_id = _int(request.POST.get("sku_id"))
    try:
        quantity = parse_quantity(request.POST.get("quantity"))
    except DomainError as e:
        return _cart_page(request, error=error_text(e), status=e.status)
    if sku_id is not None:
        cart_update(request.session, sku_id=sku_id, quantity=quantity)
    return redirect("storefront:cart")


@require_POST
def cart_remove_view(request: HttpRequest) -> HttpResponse:
    sku_id = _int(request.POST.get("sku_id"))
    if sku_id is not None:
        cart_remove(request.session, sku_id=sku_id)
    return redirect("storefront:cart")
