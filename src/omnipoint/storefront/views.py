"""The customer storefront: server-rendered, phone first, calling the same selectors and
services as the API (catalogue prices, "where is it", order_place, payment_start, tracking).

A view reads its input, makes its calls and renders. Refusals are DomainErrors: a refused form
is rendered again with the error's 4xx status and changes nothing.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omnipoint.catalog.selectors import category_list, product_list, sku_get
from omnipoint.core.errors import DomainError, NotFoundError, ValidationError
from omnipoint.loyalty import services as loyalty
from omnipoint.marketing.selectors import coupon_list_for_member
from omnipoint.members.domain import normalise_mobile
from omnipoint.members.models import Member
from omnipoint.orders import selectors as orders
from omnipoint.orders import services as ordering
from omnipoint.orders.models import Method, Order, OrderState, PaymentState
from omnipoint.orders.selectors import member_orders
from omnipoint.outlets.models import Outlet, Region
from omnipoint.outlets.selectors import region_children
from omnipoint.payments import services as payments
from omnipoint.payments.selectors import payment_list_returned
from omnipoint.storefront import offers, selectors, tenders
from omnipoint.storefront.attribution import showroom_order_args, showroom_outlet_id
from omnipoint.storefront.cart import cart_add, cart_clear, cart_get, cart_remove, cart_update, parse_quantity
from omnipoint.storefront.checkout import Claim, placed, submission, submission_lookup, token_new
from omnipoint.storefront.errors import error_text
from omnipoint.storefront.events import event_label, payment_label, returned_text, state_label

REGION_KEY = "shop_region"
GEO_KEY = "shop_geo"
TOKEN_KEY = "shop_checkout_token"
ORDERS_KEY = "shop_orders"  # order number -> mobile, for the orders placed or looked up here
PAGE_SIZE = 40
NEAREST_POINTS = 3  # pickup points listed at once at checkout; the rest behind "more"


# --- helpers ----------------------------------------------------------------------------------


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
    base = {
        "region": context.get("region") or _region(request),
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
        return _not_found(request, NotFoundError("category not found", code="not_found"))
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


# --- checkout -----------------------------------------------------------------------------


def _checkout_token(request: HttpRequest) -> str:
    token = request.session.get(TOKEN_KEY)
    if not token:
        token = request.session[TOKEN_KEY] = token_new()
    return str(token)


def _checkout_page(
    request: HttpRequest,
    *,
    form: dict[str, str] | None = None,
    codes: list[str] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    region = _region(request)
    view = selectors.cart_view(cart_get(request.session), region=region)
    lat, lng, from_browser = _location(request, region)
    mine = showroom_outlet_id(request.session)
    lines = {ln.sku.pk: ln.quantity for ln in view.lines}
    points = selectors.pickup_points(lat=lat, lng=lng, lines=lines, first=mine)
    form = form or {}
    if not form.get("pickup_outlet_id"):
        showroom = points[0] if points and points[0].outlet.pk == mine else None
        first = showroom or next((p for p in points if p.in_stock), points[0] if points else None)
        form["pickup_outlet_id"] = str(first.outlet.pk) if first else ""
    form = {"method": "pickup", "payment_mode": "online"} | form
    own = _signed_in_member(request)
    if own is not None and not form.get("mobile"):
        form |= {"name": form.get("name") or own.name, "mobile": own.mobile}
    extras, refusal = _checkout_offers(request, form, codes or [], own, region)
    if refusal is not None and not error:
        error, status = error_text(refusal), refusal.status
    preview = extras["preview"]
    extras["tender"] = _tender_offer(own, form, preview.total if preview else view.total)
    near, more = _nearest_first(points, form["pickup_outlet_id"])
    return _page(
        request,
        "checkout.html",
        {
            "region": region,
            "cart": view,
            "points": near,
            "more_points": more,
            "from_browser": from_browser,
            "token": _checkout_token(request),
            "form": form,
            "error": error,
        }
        | extras,
        status=status,
    )


def _nearest_first(
    points: list[selectors.PickupPoint], chosen: str
) -> tuple[list[selectors.PickupPoint], list[selectors.PickupPoint]]:
    """The few nearest pickup points to pick from at once (and the chosen one, wherever it is);
    the rest wait behind "more"."""
    near, more = points[:NEAREST_POINTS], points[NEAREST_POINTS:]
    picked = [p for p in more if str(p.outlet.pk) == chosen]
    return near + picked, [p for p in more if p not in picked]


def _tender_offer(own: Member | None, form: dict[str, str], total: int) -> dict[str, Any] | None:
    """A signed-in member's points and wallet, offered for this order (None: nothing to offer)."""
    if own is None:
        return None
    points, wallet = loyalty.points_balance(member=own), loyalty.wallet_balance(member=own)["total"]
    per_yuan = settings.POINTS_PER_YUAN
    usable = tenders.usable_points(balance=points, due_fen=total, points_per_yuan=per_yuan)
    if usable == 0 and wallet == 0:
        return None
    plan = tenders.tender_plan(
        total_fen=total,
        points_balance=points,
        wallet_fen=wallet,
        use_points=bool(form.get("use_points")),
        use_wallet=bool(form.get("use_wallet")),
        points_per_yuan=per_yuan,
    )
    return {
        "points": points,
        "usable_points": usable,
        "usable_points_fen": usable * 100 // per_yuan,
        "wallet": wallet,
        "plan": plan,
    }


def _signed_in_member(request: HttpRequest) -> Member | None:
    user = request.user
    return Member.objects.filter(user_id=user.pk).first() if user.is_authenticated else None


def _checkout_offers(
    request: HttpRequest, form: dict[str, str], codes: list[str], own: Member | None, region: Region
) -> tuple[dict[str, Any], DomainError | None]:
    """The price preview (promotions and the coupons named) and the member's coupons to pick
    from. A refused coupon comes back as the refusal, with the preview priced without coupons."""
    cart_now = cart_get(request.session)
    channel = ({"channel": selectors.CHANNEL} | showroom_order_args(request.session))["channel"]
    pickup = None
    if form["method"] != Method.DELIVERY:
        outlet_id = _int(form.get("pickup_outlet_id"))
        pickup = Outlet.objects.select_related("region").filter(pk=outlet_id or 0, is_active=True).first()
    member = offers.checkout_member(user=request.user)
    where = {"cart": cart_now, "region": region, "channel": channel, "pickup_outlet": pickup}
    refusal = None
    preview = None
    if cart_now and (pickup is not None or form["method"] == Method.DELIVERY):
        try:
            preview = offers.checkout_preview(member=member, codes=codes, **where)
        except DomainError as e:
            refusal = e
            preview = offers.checkout_preview(member=member, **where)
    mine: list[offers.MemberCoupon] = []
    if own is not None:
        issued = coupon_list_for_member(member=own, state="issued").filter(expires_at__gt=timezone.now())
        mine = offers.member_coupons(list(issued[:20]))
        if cart_now and (pickup is not None or form["method"] == Method.DELIVERY):
            mine = offers.coupon_hints(mine, member=own, **where)
    mine_codes = {mc.coupon.code for mc in mine}
    return {
        "preview": preview,
        "my_coupons": mine,
        "chosen": codes,
        "typed_codes": " ".join(c for c in codes if c not in mine_codes),
    }, refusal


def _after_placing(request: HttpRequest, number: str, mobile: str) -> None:
    _remember_order(request, number, mobile)
    cart_clear(request.session)
    request.session[TOKEN_KEY] = token_new()


def _order_url(number: str) -> str:
    return reverse("storefront:order", kwargs={"number": number})


def _order_request(request: HttpRequest, form: dict[str, str], region: Region) -> dict[str, Any]:
    """The checkout form as order_place's arguments; malformed input is refused here."""
    if form["method"] not in (Method.PICKUP, Method.DELIVERY):
        raise ValidationError("choose delivery or pickup", code="invalid_method")
    if not form["name"]:
        raise ValidationError("enter a name", code="name_required")
    mobile = normalise_mobile(form["mobile"])
    args: dict[str, Any] = {
        "method": form["method"],
        "payment_mode": form["payment_mode"],
        "mobile": mobile,
        "customer_name": form["name"],
    }
    if form["method"] == Method.PICKUP:
        outlet_id = _int(form["pickup_outlet_id"])
        if outlet_id is None:
            raise ValidationError("choose a pickup outlet", code="pickup_outlet_required")
        args["pickup_outlet_id"] = outlet_id
    else:
        lat, lng, _from_browser = _location(request, region)
        args |= {"region_code": region.code, "address": form["address"], "lat": lat, "lng": lng}
    return args


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if not cart_get(request.session):
            return redirect("storefront:cart")
        return _checkout_page(request)

    p = request.POST
    form = {
        "method": p.get("method", ""),
        "payment_mode": p.get("payment_mode", ""),
        "name": p.get("name", "").strip()[:60],
        "mobile": p.get("mobile", "").strip()[:20],
        "pickup_outlet_id": p.get("pickup_outlet_id", ""),
        "address": p.get("address", "").strip()[:200],
        "use_points": "1" if p.get("use_points") else "",
        "use_wallet": "1" if p.get("use_wallet") else "",
    }
    codes = offers.coupon_codes(p.getlist("coupon"), p.get("coupon_code", "")[:100])
    if p.get("action") == "preview":  # "apply": price the form as it stands, place nothing
        if not cart_get(request.session):
            return redirect("storefront:cart")
        return _checkout_page(request, form=form, codes=codes)
    token = p.get("token", "")
    session_key = request.session.session_key or ""
    if not token or not session_key:
        return _checkout_page(request, form=form, codes=codes, error=error_text(_stale()), status=409)
    if token != request.session.get(TOKEN_KEY):
        # Not the current form: a repeat of one that was placed goes to its order.
        return _repeat(request, form, submission_lookup(session_key=session_key, token=token))

    region = _region(request)
    cart_now = cart_get(request.session)
    if not cart_now:
        return redirect("storefront:cart")
    view = selectors.cart_view(cart_now, region=region)
    items = {ln.sku.pk: ln.sku.label for ln in view.lines}
    try:
        args = _order_request(request, form, region)
    except DomainError as e:
        return _checkout_page(
            request, form=form, codes=codes, error=error_text(e, items=items), status=e.status
        )
    if codes:
        args["coupon_codes"] = codes

    try:
        with submission(session_key=session_key, token=token) as (first, held):
            if first.order_number:
                return _repeat(request, form, first)
            order = ordering.order_place(
                user=request.user,
                lines=[ordering.LineRequest(sku_id=s, quantity=q) for s, q in sorted(cart_now.items())],
                **({"channel": selectors.CHANNEL} | args | showroom_order_args(request.session)),
            )
            placed(held, order_number=order.number)
    except DomainError as e:
        text = error_text(e, items=items)
        return _checkout_page(request, form=form, codes=codes, error=text, status=e.status)
    _after_placing(request, order.number, order.customer_mobile)
    if order.payment_mode == "online":
        if _tender_balances(request, order, form):
            messages.success(request, pgettext("shop", "Paid with your points and wallet."))
            return redirect(_order_url(order.number))
        return _pay(request, order)
    messages.success(request, pgettext("shop", "Your order is placed."))
    return redirect(_order_url(order.number))


def _tender_balances(request: HttpRequest, order: Order, form: dict[str, str]) -> bool:
    """Pay the placed order from the member's points, then wallet, as the customer asked, through
    the same two-phase tenders as the API. True when nothing is left to pay online. A refused
    tender (the balance moved meanwhile) is told and leaves the rest to the gateway."""
    own = _signed_in_member(request)
    if own is None or order.member_id != own.pk or not (form["use_points"] or form["use_wallet"]):
        return False
    plan = tenders.tender_plan(
        total_fen=order.total,
        points_balance=loyalty.points_balance(member=own),
        wallet_fen=loyalty.wallet_balance(member=own)["total"],
        use_points=bool(form["use_points"]),
        use_wallet=bool(form["use_wallet"]),
        points_per_yuan=settings.POINTS_PER_YUAN,
    )
    try:
        if plan.points:
            payments.payment_tender(user=request.user, order_id=order.pk, method="points", points=plan.points)
        if plan.wallet_fen:
            payments.payment_tender(
                user=request.user, order_id=order.pk, method="wallet", amount=plan.wallet_fen
            )
    except DomainError as e:
        messages.error(request, error_text(e))
        return False
    return plan.covered


def _stale() -> DomainError:
    return DomainError("this checkout form is out of date", code="checkout_stale")


def _repeat(request: HttpRequest, form: dict[str, str], claim: Claim | None) -> HttpResponse:
    """A second submission of a checkout form: never a second order. A token that placed
    nothing and is not the current one is stale: the customer checks the current form."""
    if claim is not None and claim.order_number:
        try:
            mobile = normalise_mobile(form["mobile"])
        except DomainError:
            mobile = ""
        if mobile:
            _after_placing(request, claim.order_number, mobile)
        return redirect(_order_url(claim.order_number))
    return _checkout_page(request, form=form, error=error_text(_stale()), status=409)


def _pay(request: HttpRequest, order: Order) -> HttpResponse:
    """Start the online payment and send the customer to the gateway's hosted page; they come
    back to the order's tracking page."""
    try:
        payment = payments.payment_start(
            user=request.user,
            order_id=order.pk,
            return_url=_order_url(order.number),
            mobile=order.customer_mobile,
        )
    except DomainError as e:
        messages.error(request, error_text(e))
        return redirect(_order_url(order.number))
    return redirect(payment.pay_url)


# --- tracking -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Find an order by its number and the mobile number it was placed with."""
    if request.method == "GET":
        return _page(request, "track.html", {"number": request.GET.get("number", "")[:24]})
    number = request.POST.get("number", "").strip()[:24]
    raw_mobile = request.POST.get("mobile", "")[:20]
    try:
        mobile = normalise_mobile(raw_mobile)
        order = orders.order_get_for_customer(number=number, mobile=mobile)
    except DomainError as e:
        ctx = {"number": number, "mobile": raw_mobile, "error": error_text(e)}
        return _page(request, "track.html", ctx, status=404 if e.code == "order_not_found" else e.status)
    _remember_order(request, order.number, mobile)
    return redirect(_order_url(order.number))


def _order_for(request: HttpRequest, number: str) -> Order | None:
    """The order if this visitor may see it: a signed-in member's own order (their history),
    or one placed or looked up with its mobile in this session."""
    own = _signed_in_member(request)
    if own is not None:
        mine = (
            member_orders(member=own)
            .filter(number=number[:24])
            .prefetch_related("lines__sku__product", "events")
            .first()
        )
        if mine is not None:
            return mine
    mobile = (request.session.get(ORDERS_KEY) or {}).get(number)
    if not mobile:
        return None
    try:
        return orders.order_get_for_customer(number=number, mobile=mobile)
    except NotFoundError:
        return None


@require_GET
def order(request: HttpRequest, number: str) -> HttpResponse:
    found = _order_for(request, number)
    if found is None:
        return redirect(f"{reverse('storefront:track')}?number={number[:24]}")
    # Back from the gateway: ask it now rather than wait for its notification (also for a paid
    # order: a second payment made on an older pay page is then refunded, and said so below).
    payments.payments_sync(order_id=found.pk)
    found = _order_for(request, number) or found
    pickup = found.method in (Method.PICKUP, Method.TRY_IN_STORE)
    events = [(e, event_label(e.kind)) for e in found.events.all()]
    return _page(
        request,
        "order.html",
        {
            "order": found,
            "events": events,
            "is_pickup": pickup,
            "returned": [
                returned_text(p.refunded_amount, cancelled=found.state == OrderState.CANCELLED)
                for p in payment_list_returned(order_ids=[found.pk])
            ],
            "state_label": state_label(found.state),
            "payment_label": payment_label(found.payment_state),
            "show_code": pickup and found.state in (OrderState.CONFIRMED, OrderState.READY),
            "can_pay": found.payment_mode == "online"
            and found.payment_state == PaymentState.UNPAID
            and found.state == OrderState.PENDING,
        },
    )


@require_POST
def order_pay(request: HttpRequest, number: str) -> HttpResponse:
    found = _order_for(request, number)
    if found is None:
        return redirect(f"{reverse('storefront:track')}?number={number[:24]}")
    return _pay(request, found)
