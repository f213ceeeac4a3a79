"""Storefront pages for a salesperson's showroom (专属展厅) and for offers near the customer.

Opening a showroom link remembers, for a few days, that this salesperson sent the customer:
checkout then places the order on the showroom channel, credited to them. "Nearby" lists
the pickup outlets within 1 km of the customer with what they have in stock now; "reserve and
try in store" places a try-in-store order there, which lands in that outlet's work queue.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from omnipoint.catalog.models import Sku
from omnipoint.catalog.selectors import prices_get
from omnipoint.core.errors import DomainError, NotFoundError, ValidationError
from omnipoint.marketing.selectors import promotions_live
from omnipoint.members.domain import normalise_mobile
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders import services as ordering
from omnipoint.orders.models import Method
from omnipoint.outlets.models import Outlet
from omnipoint.showrooms import selectors as showrooms
from omnipoint.storefront import selectors
from omnipoint.storefront.attribution import attribution_get, attribution_set, showroom_order_args
from omnipoint.storefront.checkout import placed, submission, submission_lookup, token_new
from omnipoint.storefront.errors import error_text
from omnipoint.storefront.offers import badges_for, promotion_badge
from omnipoint.storefront.pages import _int, _location, _not_found, _page, _region, _remember_order

TRY_TOKEN_KEY = "shop_try_token"


@require_GET
def showroom(request: HttpRequest, code: str) -> HttpResponse:
    try:
        room = showrooms.showroom_get(code=code)
    except NotFoundError:
        err = NotFoundError(pgettext("shop", "No showroom has this link."), code="showroom_not_found")
        return _not_found(request, err)
    attribution_set(request.session, room)
    region = _region(request)
    cards = selectors.product_cards(showrooms.showroom_products(showroom=room), region=region)
    share_url = request.build_absolute_uri(reverse("storefront:showroom", kwargs={"code": room.code}))
    return _page(
        request,
        "showroom.html",
        {"region": region, "room": room, "outlet": room.staff.outlet, "cards": cards, "share_url": share_url},
    )


# --- nearby offers ----------------------------------------------------------------------------


def _offers(request: HttpRequest) -> dict[str, Any]:
    region = _region(request)
    lat, lng, from_browser = _location(request, region)
    offers = showrooms.offers_nearby(lat=lat, lng=lng)
    priced = []
    for o in offers:  # try-in-store orders are priced for the outlet's area
        prices = prices_get(
            sku_ids=[s.pk for s, _ in o.skus], region=o.outlet.region, channel=selectors.CHANNEL
        )
        live = promotions_live(
            region_path=o.outlet.region_path, channel=selectors.CHANNEL, outlet_id=o.outlet.pk
        )
        rows = [
            (
                sku,
                free,
                prices[sku.pk].amount,
                badges_for(live, product_id=sku.product_id, category_id=sku.product.category_id),
            )
            for sku, free in o.skus
            if sku.pk in prices
        ]
        if rows:
            priced.append((o, rows, [promotion_badge(p) + " · " + p.name for p in live]))
    return {
        "region": region,
        "offers": priced,
        "from_browser": from_browser,
        "lat": f"{lat:.5f}",
        "lng": f"{lng:.5f}",
        "radius_m": int(showrooms.NEARBY_OFFERS_KM * 1000),
    }


@require_GET
def nearby(request: HttpRequest) -> HttpResponse:
    return _page(request, "nearby.html", _offers(request))


def _try_target(params: Any) -> tuple[Outlet, int]:
    outlet_id, sku_id = _int(params.get("outlet")), _int(params.get("sku"))
    outlet = Outlet.objects.select_related("region").filter(pk=outlet_id or 0, is_active=True).first()
    if outlet is None or sku_id is None:
        raise NotFoundError("outlet not found", code="outlet_not_found")
    return outlet, sku_id


def _try_page(
    request: HttpRequest,
    outlet: Outlet,
    sku_id: int,
    *,
    form: dict[str, str],
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    sku = (
        Sku.objects.select_related("product")
        .filter(pk=sku_id, is_active=True, product__is_active=True)
        .first()
    )
    if sku is None:
        return _not_found(request, NotFoundError("SKU not found", code="sku_not_found"))
    token = request.session.get(TRY_TOKEN_KEY) or token_new()
    request.session[TRY_TOKEN_KEY] = token
    price = prices_get(sku_ids=[sku.pk], region=outlet.region, channel=selectors.CHANNEL).get(sku.pk)
    return _page(
        request,
        "try_in_store.html",
        {
            "outlet": outlet,
            "sku": sku,
            "price": price.amount if price else None,
            "form": form,
            "token": token,
            "error": error,
            "attributed": attribution_get(request.session),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def try_in_store(request: HttpRequest) -> HttpResponse:
    """Reserve one unit at a nearby outlet to try it there; paid at the outlet if kept."""
    params = request.POST if request.method == "POST" else request.GET
    try:
        outlet, sku_id = _try_target(params)
    except DomainError as e:
        return _not_found(request, e)
    form = {"name": params.get("name", "").strip()[:60], "mobile": params.get("mobile", "").strip()[:20]}
    if request.method == "GET":
        return _try_page(request, outlet, sku_id, form=form)

    token, session_key = params.get("token", ""), request.session.session_key or ""
    if not token or not session_key or token != request.session.get(TRY_TOKEN_KEY):
        earlier = submission_lookup(session_key=session_key, token=token) if token and session_key else None
        if earlier is not None and earlier.order_number:
            return redirect(reverse("storefront:order", kwargs={"number": earlier.order_number}))
        err = DomainError("this form is out of date", code="checkout_stale")
        return _try_page(request, outlet, sku_id, form=form, error=error_text(err), status=409)
    try:
        if not form["name"]:
            raise ValidationError("enter a name", code="name_required")
        mobile = normalise_mobile(form["mobile"])
    except DomainError as e:
        return _try_page(request, outlet, sku_id, form=form, error=error_text(e), status=e.status)
    try:
        with submission(session_key=session_key, token=token) as (first, held):
            if first.order_number:
                return redirect(reverse("storefront:order", kwargs={"number": first.order_number}))
            order = ordering.order_place(
                actor=actor_for_user(user=request.user),
                lines=[ordering.LineRequest(sku_id=sku_id, quantity=1)],
                method=Method.TRY_IN_STORE,
                payment_mode="at_outlet",
                pickup_outlet_id=outlet.pk,
                mobile=mobile,
                customer_name=form["name"],
                **({"channel": selectors.CHANNEL} | showroom_order_args(request.session)),
            )
            placed(held, order_number=order.number)
    except DomainError as e:
        return _try_page(request, outlet, sku_id, form=form, error=error_text(e), status=e.status)
    request.session[TRY_TOKEN_KEY] = token_new()
    _remember_order(request, order.number, order.customer_mobile)
    messages.success(request, pgettext("shop", "Reserved: the outlet is putting it aside for you to try."))
    return redirect(reverse("storefront:order", kwargs={"number": order.number}))
