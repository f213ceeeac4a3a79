"""Storefront pages for coupons and games: the coupon centre (领券中心) where a signed-in member
claims coupons, "my coupons" in the member centre, and the lucky wheel / scratch card.

Claims and plays go through ``marketing.services`` (coupon_claim, game_play), whose guarded
counters keep every limit; a refusal renders the page again with the error's 4xx status and
changes nothing. A play redirects to the game page showing that attempt, so reloading the page
never plays again.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from omnipoint.core.errors import DomainError, NotFoundError, PermissionDeniedError
from omnipoint.marketing import selectors as marketing
from omnipoint.marketing import services as marketing_services
from omnipoint.marketing.models import CouponState, Delivery, Game, GameAttempt, GameKind, Prize, PrizeKind
from omnipoint.members.models import Member
from omnipoint.members.selectors import member_actor, member_for_user_or_none
from omnipoint.storefront import offers
from omnipoint.storefront.errors import error_text
from omnipoint.storefront.pages import _int, _not_found, _page


def _tabs(now: datetime) -> dict[str, Q]:
    """My coupons: ready to use, used (held by an order or redeemed), expired. An issued coupon
    past its date counts as expired before the hourly sweep marks it."""
    return {
        "issued": Q(state=CouponState.ISSUED, expires_at__gt=now),
        "used": Q(state__in=[CouponState.HELD, CouponState.REDEEMED]),
        "expired": Q(state=CouponState.EXPIRED) | Q(state=CouponState.ISSUED, expires_at__lte=now),
    }


# Wheel slices, in turn; the "no prize" slice is grey.
SLICE_COLOURS = ["#ff7a45", "#ffd666", "#95de64", "#69c0ff", "#b37feb", "#ff85c0", "#5cdbd3", "#ffc069"]
NO_PRIZE_COLOUR = "#e5e7eb"


def _member(request: HttpRequest) -> Member | None:
    return member_for_user_or_none(user=request.user)


def _sign_in_first() -> DomainError:
    return PermissionDeniedError("sign in as a member first", code="sign_in_required")


# --- the coupon centre ------------------------------------------------------------------------


def _centre(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    member = _member(request)
    return _page(
        request,
        "coupons.html",
        {
            "member": member,
            "coupons": offers.claimable_coupons(member=member),
            "games": list(marketing.games_live()[:10]),
            "error": error,
        },
        status=status,
    )


@require_GET
def coupon_centre(request: HttpRequest) -> HttpResponse:
    return _centre(request)


@require_POST
def coupon_claim(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    code = request.POST.get("template_code", "").strip()[:40]
    try:
        if member is None:
            raise _sign_in_first()
        coupon = marketing_services.coupon_claim(
            actor=member_actor(member), member=member, template_code=code
        )
    except DomainError as e:
        if e.code == "coupon_expired":  # the template's window closed, not a coupon of theirs
            e = NotFoundError(e.message, code="template_not_found")
        return _centre(request, error=error_text(e), status=e.status)
    messages.success(
        request,
        pgettext("shop", "Claimed “%(name)s”: it is in My coupons.") % {"name": coupon.template.name},
    )
    return redirect("storefront:coupons")


@require_GET
def my_coupons(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if member is None:
        return redirect("storefront:member_login")
    tabs = _tabs(timezone.now())
    tab = request.GET.get("tab", "issued")
    if tab not in tabs:
        tab = "issued"
    mine = marketing.coupon_list_for_member(member=member)
    counts = {name: mine.filter(q).count() for name, q in tabs.items()}
    rows = mine.filter(tabs[tab]).select_related("order")[:100]
    return _page(
        request,
        "my_coupons.html",
        {
            "member": member,
            "tab": tab,
            "counts": counts,
            "coupons": offers.member_coupons(list(rows)),
        },
    )


# --- games ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slice:
    label: str
    colour: str
    start: float  # degrees, clockwise from the top
    end: float
    prize_id: int | None

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2

    @property
    def flip(self) -> bool:  # on the lower half: turned so that it does not read upside down
        return 90 < self.middle < 270

    @property
    def at(self) -> str:  # for the label's CSS rotation, whatever the page's locale
        return f"{self.middle:.2f}"


def wheel_slices(prizes: list[Prize]) -> list[Slice]:
    """Equal slices, one per prize and one for "no prize": a wheel shows its prizes, not
    their odds (those stay on the server)."""
    labels: list[tuple[str, str, int | None]] = [
        (p.name, SLICE_COLOURS[i % len(SLICE_COLOURS)], p.pk) for i, p in enumerate(prizes)
    ]
    labels.append((pgettext("shop", "Thanks for playing"), NO_PRIZE_COLOUR, None))
    step = 360 / len(labels)
    return [
        Slice(label, colour, i * step, (i + 1) * step, pk) for i, (label, colour, pk) in enumerate(labels)
    ]


def _gradient(slices: list[Slice]) -> str:
    stops = ", ".join(f"{s.colour} {s.start:.2f}deg {s.end:.2f}deg" for s in slices)
    return f"conic-gradient({stops})"


def _landing(slices: list[Slice], attempt: GameAttempt) -> float:
    """How far the wheel turns to stop with the attempt's slice under the pointer (at the top):
    five full turns, then back by the slice's middle."""
    target = next((s for s in slices if s.prize_id == attempt.prize_id), slices[-1])
    return 5 * 360 + (360 - target.middle)


def _prize_text(attempt: GameAttempt) -> str:
    prize = attempt.prize
    if prize is None:
        return pgettext("shop", "No prize this time. Thanks for playing!")
    if prize.kind == PrizeKind.COUPON:
        return pgettext("shop", "You won “%(name)s”: the coupon is in My coupons.") % {"name": prize.name}
    if prize.kind == PrizeKind.POINTS:
        if attempt.delivery == Delivery.DELIVERED:
            return pgettext("shop", "You won %(points)s points: they are in your points.") % {
                "points": attempt.points
            }
        return pgettext("shop", "You won %(points)s points: they will reach your points shortly.") % {
            "points": attempt.points
        }
    return pgettext("shop", "You won “%(name)s”: collect it at an outlet with your member card.") % {
        "name": prize.name
    }


def _game_page(
    request: HttpRequest,
    game: Game,
    *,
    error: str = "",
    status: int = 200,
    attempt: GameAttempt | None = None,
) -> HttpResponse:
    member = _member(request)
    prizes = list(game.prizes.all())
    slices = wheel_slices(prizes)
    now = timezone.now()
    context: dict[str, Any] = {
        "game": game,
        "is_wheel": game.kind == GameKind.LUCKY_WHEEL,
        "member": member,
        "prizes": prizes,
        "slices": slices,
        "gradient": _gradient(slices),
        "open": game.starts_at <= now < game.ends_at,
        "left": marketing.game_attempts_left(game=game, member=member) if member else None,
        "history": list(marketing.attempt_list_for_member(member=member, game_id=game.pk)[:10])
        if member
        else [],
        "error": error,
        "attempt": attempt,
    }
    if attempt is not None:
        context |= {"turn": f"{_landing(slices, attempt):.2f}", "prize_text": _prize_text(attempt)}
    return _page(request, "game.html", context, status=status)


@require_GET
def games(request: HttpRequest) -> HttpResponse:
    return _page(request, "games.html", {"games": list(marketing.games_live()[:20])})


@require_GET
def game(request: HttpRequest, game_id: int) -> HttpResponse:
    try:
        found = marketing.game_get(game_id=game_id)
    except NotFoundError as e:
        return _not_found(request, e)
    member = _member(request)
    shown = _int(request.GET.get("attempt"))
    attempt = None
    if member is not None and shown is not None:  # only one's own attempts are shown
        attempt = marketing.attempt_list_for_member(member=member, game_id=found.pk).filter(pk=shown).first()
    return _game_page(request, found, attempt=attempt)


@require_POST
def game_play(request: HttpRequest, game_id: int) -> HttpResponse:
    try:
        found = marketing.game_get(game_id=game_id)
    except NotFoundError as e:
        return _not_found(request, e)
    member = _member(request)
    try:
        if member is None:
            raise _sign_in_first()
        attempt = marketing_services.game_play(actor=member_actor(member), member=member, game_id=found.pk)
    except DomainError as e:
        return _game_page(request, found, error=error_text(e), status=e.status)
    url = reverse("storefront:game", kwargs={"game_id": found.pk})
    return redirect(f"{url}?attempt={attempt.pk}")
