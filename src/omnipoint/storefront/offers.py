"""Coupons, promotions and games as the storefront shows them: a coupon's conditions in plain
words, a promotion's badge, and checkout's price preview. Reads only.

The preview calls ``marketing.selectors.checkout_price``, the same pure pricing that
``order_place`` runs, on the same lines (priced for the same area and channel), so what the
customer sees before placing is what the order's lines will carry.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import pgettext

from omnipoint.catalog.models import Category, Product, Sku
from omnipoint.catalog.selectors import prices_get
from omnipoint.core.channels import Channel
from omnipoint.core.errors import DomainError
from omnipoint.core.explain import Explanation, render, render_all
from omnipoint.loyalty.selectors import tier_names
from omnipoint.marketing import selectors as marketing
from omnipoint.marketing.domain import OFFER_LINES, CouponKind, PricedLine, PromotionKind
from omnipoint.marketing.models import Coupon, CouponTemplate, Promotion
from omnipoint.marketing.selectors import checkout_price
from omnipoint.members.models import Member
from omnipoint.members.selectors import member_for_user_or_none
from omnipoint.outlets.models import Outlet, Region
from omnipoint.storefront.errors import error_text

MAX_COUPONS = 5  # coupons named on one checkout form
HINTED_COUPONS = 10  # the member's coupons checked one by one against the cart


def _y(fen: int) -> str:
    """Yuan as a headline reads them: 200, 19.90."""
    whole, part = divmod(fen, 100)
    return f"{whole}" if part == 0 else f"{whole}.{part:02d}"


def _money(fen: int) -> str:
    return f"¥{_y(fen)}"


def _zhe(percent_off: Decimal) -> str:
    """10% off as 9 (折), 15% off as 8.5."""
    value = (Decimal(100) - percent_off) / 10
    return f"{value.normalize():f}"


def _pct(percent: Decimal) -> str:
    return f"{percent.normalize():f}"


# --- coupons --------------------------------------------------------------------------------


def coupon_headline(t: CouponTemplate) -> str:
    if t.kind == CouponKind.THRESHOLD:
        return pgettext("shop", "¥%(value)s off ¥%(threshold)s") % {
            "value": _y(t.value),
            "threshold": _y(t.threshold),
        }
    if t.kind == CouponKind.FIXED:
        return pgettext("shop", "¥%(value)s off") % {"value": _y(t.value)}
    if t.kind == CouponKind.PERCENTAGE and t.percent_off is not None:
        return pgettext("shop", "%(percent)s%% off") % {
            "percent": _pct(t.percent_off),
            "zhe": _zhe(t.percent_off),
        }
    return pgettext("shop", "Free delivery")


@dataclass
class Names:
    """Names of what coupon limits point at, read once for a page of coupons."""

    categories: dict[int, str] = field(default_factory=dict)
    products: dict[int, str] = field(default_factory=dict)
    outlets: dict[int, str] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)  # path -> name
    tiers: dict[str, str] = field(default_factory=dict)  # code -> name


def names_for(templates: Iterable[CouponTemplate]) -> Names:
    templates = list(templates)
    cats = {i for t in templates for i in t.category_ids}
    prods = {i for t in templates for i in t.product_ids}
    outs = {i for t in templates for i in t.outlet_ids}
    paths = {p for t in templates for p in t.region_paths}
    return Names(
        categories=dict(Category.objects.filter(pk__in=cats).values_list("pk", "name")) if cats else {},
        products=dict(Product.objects.filter(pk__in=prods).values_list("pk", "name")) if prods else {},
        outlets=dict(Outlet.objects.filter(pk__in=outs).values_list("pk", "name")) if outs else {},
        regions=dict(Region.objects.filter(path__in=paths).values_list("path", "name")) if paths else {},
        tiers=tier_names() if any(t.member_tiers for t in templates) else {},
    )


def _listed(ids: Iterable[Any], names: dict[Any, str]) -> str:
    return "、".join(names.get(i, str(i)) for i in ids)


def coupon_terms(t: CouponTemplate, names: Names) -> list[str]:
    """The template's conditions, one plain sentence each."""
    terms = []
    if t.kind == CouponKind.THRESHOLD:
        terms.append(
            pgettext("shop", "Spend %(threshold)s or more on eligible items and get %(value)s off.")
            % {"threshold": _money(t.threshold), "value": _money(t.value)}
        )
    elif t.kind == CouponKind.FIXED:
        terms.append(pgettext("shop", "%(value)s off your order.") % {"value": _money(t.value)})
    elif t.kind == CouponKind.PERCENTAGE and t.percent_off is not None:
        terms.append(
            pgettext("shop", "%(percent)s%% off eligible items.")
            % {"percent": _pct(t.percent_off), "zhe": _zhe(t.percent_off)}
        )
        if t.max_discount:
            terms.append(pgettext("shop", "At most %(cap)s off.") % {"cap": _money(t.max_discount)})
    else:
        terms.append(pgettext("shop", "Free home delivery."))
    if t.threshold and t.kind != CouponKind.THRESHOLD:
        terms.append(
            pgettext("shop", "For orders of %(threshold)s or more.") % {"threshold": _money(t.threshold)}
        )
    if t.category_ids or t.product_ids:
        listed = [_listed(t.category_ids, names.categories), _listed(t.product_ids, names.products)]
        terms.append(pgettext("shop", "Only for: %(what)s.") % {"what": "、".join(x for x in listed if x)})
    else:
        terms.append(pgettext("shop", "For every product."))
    if t.channels:
        labels = [str(Channel(c).label) if c in Channel.values else c for c in t.channels]
        terms.append(
            pgettext("shop", "Only when ordering through: %(channels)s.") % {"channels": "、".join(labels)}
        )
    if t.region_paths:
        terms.append(
            pgettext("shop", "Only in: %(regions)s.") % {"regions": _listed(t.region_paths, names.regions)}
        )
    if t.outlet_ids:
        terms.append(
            pgettext("shop", "Only at: %(outlets)s.") % {"outlets": _listed(t.outlet_ids, names.outlets)}
        )
    if t.member_tiers:
        terms.append(
            pgettext("shop", "For members of tier: %(tiers)s.")
            % {"tiers": _listed(t.member_tiers, names.tiers)}
        )
    if not t.stackable:
        terms.append(pgettext("shop", "Cannot be combined with other coupons."))
    terms.append(
        pgettext("shop", "Valid until %(date)s.")
        % {"date": timezone.localtime(t.ends_at).strftime("%Y-%m-%d %H:%M")}
    )
    return terms


@dataclass(frozen=True)
class ClaimableCoupon:
    template: CouponTemplate
    headline: str
    terms: list[str]
    held: int  # how many of it the member holds already
    left: int | None  # coupons still to give away; None: no cap

    @property
    def at_limit(self) -> bool:
        return self.held >= self.template.claim_limit

    @property
    def gone(self) -> bool:
        return self.left is not None and self.left <= 0


def claimable_coupons(*, member: Member | None) -> list[ClaimableCoupon]:
    templates = list(marketing.coupon_templates_claimable()[:50])
    names = names_for(templates)
    held = marketing.coupon_claims_for_member(member=member) if member else {}
    return [
        ClaimableCoupon(
            t,
            coupon_headline(t),
            coupon_terms(t, names),
            held.get(t.pk, 0),
            None if t.budget_count is None else max(0, t.budget_count - t.issued_count),
        )
        for t in templates
    ]


@dataclass(frozen=True)
class MemberCoupon:
    coupon: Coupon
    headline: str
    terms: list[str]
    hint: str = ""  # why it does not apply to the cart now; blank when it does (or unchecked)


def member_coupons(coupons: Sequence[Coupon]) -> list[MemberCoupon]:
    names = names_for(c.template for c in coupons)
    return [MemberCoupon(c, coupon_headline(c.template), coupon_terms(c.template, names)) for c in coupons]


# --- promotions -----------------------------------------------------------------------------


def promotion_badge(p: Promotion) -> str:
    """A promotion in a few characters: 满2000减200, 9折, 买2送1."""
    if p.kind == PromotionKind.THRESHOLD:
        text = pgettext("shop", "¥%(off)s off every ¥%(threshold)s") if p.repeat else None
        text = text or pgettext("shop", "¥%(off)s off ¥%(threshold)s")
        return text % {"off": _y(p.amount_off), "threshold": _y(p.threshold)}
    if p.kind == PromotionKind.DISCOUNT:
        if p.percent_off is not None:
            return pgettext("shop", "%(percent)s%% off") % {
                "percent": _pct(p.percent_off),
                "zhe": _zhe(p.percent_off),
            }
        return pgettext("shop", "¥%(off)s off each") % {"off": _y(p.amount_off)}
    if p.kind == PromotionKind.BUNDLE:
        return pgettext("shop", "%(n)s for ¥%(price)s") % {
            "n": p.bundle_quantity,
            "price": _y(p.bundle_price),
        }
    return pgettext("shop", "Buy %(x)s get %(y)s free") % {"x": p.buy_quantity, "y": p.get_quantity}


@dataclass(frozen=True)
class Badge:
    text: str
    name: str  # the promotion's own name, for the title
    channel_only: str = ""  # the channel it is limited to, if any


def _covers(p: Promotion, product_id: int, category_id: int) -> bool:
    """As the pricing policy decides which lines a promotion covers (``Limits.covers``)."""
    if not (p.category_ids or p.product_ids):
        return True
    return category_id in p.category_ids or product_id in p.product_ids


def badges_for(promotions: Sequence[Promotion], *, product_id: int, category_id: int) -> list[Badge]:
    return [
        Badge(promotion_badge(p), p.name, str(Channel(p.channel).label) if p.channel else "")
        for p in promotions
        if _covers(p, product_id, category_id)
    ]


def product_badges(
    products: Iterable[Product], *, region: Region, channel: str, outlet_id: int | None = None
) -> dict[int, list[Badge]]:
    """Product id -> the automatic promotions that apply to it in the region. One query."""
    live = marketing.promotions_live(region_path=region.path, channel=channel, outlet_id=outlet_id)
    if not live:
        return {}
    return {p.pk: badges_for(live, product_id=p.pk, category_id=p.category_id) for p in products}


# --- explanations ---------------------------------------------------------------------------


def offer_lines(explanation: Iterable[Any]) -> list[str]:
    """The promotions and coupons in a line's price explanation, in the customer's language."""
    return [render(e) for e in map(Explanation.from_json, explanation) if e.kind in OFFER_LINES]


# --- checkout preview -----------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewLine:
    sku: Sku
    quantity: int
    unit_price: int
    discount: int
    amount: int
    offers: list[str]  # the promotions and coupons that took something off, in words


@dataclass
class Preview:
    lines: list[PreviewLine]
    promotions: list[tuple[str, int]]  # name, discount
    coupons: list[tuple[str, str, int]]  # code, name, discount
    notes: list[str]  # promotions left out and why, in words
    free_delivery: bool

    @property
    def gross(self) -> int:
        return sum(ln.unit_price * ln.quantity for ln in self.lines)

    @property
    def discount(self) -> int:
        return sum(ln.discount for ln in self.lines)

    @property
    def total(self) -> int:
        return sum(ln.amount for ln in self.lines)


def coupon_codes(chosen: Iterable[str], typed: str) -> list[str]:
    """The coupons named on the form: ticked ones and typed ones, each once, upper case."""
    codes = [c.strip().upper() for c in chosen] + [c.upper() for c in re.split(r"[\s,，;；]+", typed)]
    return list(dict.fromkeys(c[:16] for c in codes if c))[:MAX_COUPONS]


def checkout_member(*, user: Any) -> Member | None:
    """Whom order_place prices for on the storefront: the signed-in member (a guest's mobile
    number names whom the order is for, not whose tier and coupons apply)."""
    return member_for_user_or_none(user=user)


def _priced_lines(
    cart: dict[int, int], region: Region, channel: str
) -> tuple[list[PricedLine], dict[int, Sku]]:
    skus = {
        s.pk: s
        for s in Sku.objects.select_related("product").filter(
            pk__in=list(cart), is_active=True, product__is_active=True
        )
    }
    prices = prices_get(sku_ids=list(skus), region=region, channel=channel)
    if not skus or any(s not in prices for s in skus):
        return [], skus
    return [
        PricedLine(
            s,
            skus[s].product_id,
            skus[s].product.category_id,
            cart[s],
            prices[s].amount,
            tuple(prices[s].reasons),
        )
        for s in sorted(skus)
    ], skus


def checkout_preview(
    *,
    cart: dict[int, int],
    region: Region,
    channel: str,
    pickup_outlet: Outlet | None,
    member: Member | None,
    codes: Sequence[str] = (),
) -> Preview | None:
    """The order as order_place would price it, promotions and coupons applied: None when an
    item has no price in the area. Raises the coupon refusals checkout would raise."""
    pricing_region = pickup_outlet.region if pickup_outlet else region
    lines, skus = _priced_lines(cart, pricing_region, channel)
    if not lines:
        return None
    pricing = checkout_price(
        lines=lines,
        channel=channel,
        region_path=pricing_region.path,
        outlet_id=pickup_outlet.pk if pickup_outlet else None,
        member=member,
        coupon_codes=list(codes),
    )
    quote = pricing.quote
    promos = dict(Promotion.objects.filter(pk__in=list(quote.promotions)).values_list("pk", "name"))
    names = {c.code: c.template.name for c in pricing.coupons}
    return Preview(
        lines=[
            PreviewLine(
                skus[r.sku_id],
                r.quantity,
                r.unit_price,
                r.discount,
                r.amount,
                offer_lines(r.explanation),
            )
            for r in quote.lines
        ],
        promotions=[(promos.get(pk, str(pk)), off) for pk, off in quote.promotions.items()],
        coupons=[(code, names.get(code, ""), off) for code, off in quote.coupons.items()],
        notes=render_all(quote.notes),
        free_delivery=quote.free_delivery,
    )


def coupon_hints(
    coupons: list[MemberCoupon],
    *,
    cart: dict[int, int],
    region: Region,
    channel: str,
    pickup_outlet: Outlet | None,
    member: Member,
) -> list[MemberCoupon]:
    """Each of the member's first coupons tried alone on the cart: why it would not apply."""
    out = []
    for i, mc in enumerate(coupons):
        hint = ""
        if i < HINTED_COUPONS:
            try:
                checkout_preview(
                    cart=cart,
                    region=region,
                    channel=channel,
                    pickup_outlet=pickup_outlet,
                    member=member,
                    codes=[mc.coupon.code],
                )
            except DomainError as e:
                reason = e.details.get("reason")
                hint = render(reason) if isinstance(reason, dict) else error_text(e)
        out.append(MemberCoupon(mc.coupon, mc.headline, mc.terms, hint))
    return out
