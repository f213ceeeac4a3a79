"""Checkout: the form with its pickup points, price preview, coupons and the member's points
and wallet; placing the order once per form (a repeat goes to its order); then payment."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from omnipoint.core.errors import DomainError, ValidationError
from omnipoint.loyalty import selectors as loyalty
from omnipoint.marketing.selectors import coupon_list_for_member
from omnipoint.members.domain import normalise_mobile
from omnipoint.members.models import Member
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders import services as ordering
from omnipoint.orders.models import Method, Order
from omnipoint.outlets.models import Outlet, Region
from omnipoint.payments import services as payments
from omnipoint.storefront import offers, selectors, tenders
from omnipoint.storefront.attribution import showroom_order_args, showroom_outlet_id
from omnipoint.storefront.cart import cart_clear, cart_get
from omnipoint.storefront.checkout import Claim, placed, submission, submission_lookup, token_new
from omnipoint.storefront.errors import error_text
from omnipoint.storefront.funnel_steps import note_step
from omnipoint.storefront.order_views import _pay
from omnipoint.storefront.pages import (
    _int,
    _location,
    _order_url,
    _page,
    _region,
    _remember_order,
    _signed_in_member,
)

TOKEN_KEY = "shop_checkout_token"
NEAREST_POINTS = 3  # pickup points listed at once at checkout; the rest behind "more"


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


def _checkout_form(p: QueryDict) -> dict[str, str]:
    """The posted checkout form, trimmed to its fields' lengths."""
    return {
        "method": p.get("method", ""),
        "payment_mode": p.get("payment_mode", ""),
        "name": p.get("name", "").strip()[:60],
        "mobile": p.get("mobile", "").strip()[:20],
        "pickup_outlet_id": p.get("pickup_outlet_id", ""),
        "address": p.get("address", "").strip()[:200],
        "use_points": "1" if p.get("use_points") else "",
        "use_wallet": "1" if p.get("use_wallet") else "",
    }


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if not cart_get(request.session):
            return redirect("storefront:cart")
        return _checkout_page(request)

    p = request.POST
    form = _checkout_form(p)
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
                actor=actor_for_user(user=request.user),
                lines=[ordering.LineRequest(sku_id=s, quantity=q) for s, q in sorted(cart_now.items())],
                **({"channel": selectors.CHANNEL} | args | showroom_order_args(request.session)),
            )
            placed(held, order_number=order.number)
    except DomainError as e:
        text = error_text(e, items=items)
        return _checkout_page(request, form=form, codes=codes, error=text, status=e.status)
    _after_placing(request, order.number, order.customer_mobile)
    note_step(request, "order", region_path=region.path)
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
            payments.payment_tender(
                actor=actor_for_user(user=request.user),
                order_id=order.pk,
                method="points",
                points=plan.points,
            )
        if plan.wallet_fen:
            payments.payment_tender(
                actor=actor_for_user(user=request.user),
                order_id=order.pk,
                method="wallet",
                amount=plan.wallet_fen,
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
