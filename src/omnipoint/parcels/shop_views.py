"""Parcels in the storefront: track one by its number (anyone; names and the recipient's mobile
masked), and a signed-in member's parcels, sent or to receive, with the code of those waiting
for them at an outlet."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from omnipoint.core.errors import DomainError
from omnipoint.members.selectors import member_for_user_or_none
from omnipoint.outlets.domain import MemberActor
from omnipoint.parcels import domain, selectors
from omnipoint.parcels.errors import error_text


def _member(request: HttpRequest) -> MemberActor | None:
    member = member_for_user_or_none(user=request.user)
    if member is None or member.user_id is None:
        return None
    return MemberActor(user_id=member.user_id, member_id=member.pk)


def _page(request: HttpRequest, template: str, ctx: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, template, {"is_member": ctx.get("me") is not None, "q": ""} | ctx, status=status)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The tracking form (?number= goes to the parcel) and, signed in, the member's parcels."""
    me = _member(request)
    ctx: dict[str, Any] = {"me": me, "number": (request.GET.get("number") or "")[:20]}
    if ctx["number"]:
        try:
            return redirect("parcels_shop:track", number=domain.s10_normalise(ctx["number"]))
        except DomainError as e:
            ctx["error"] = error_text(e)
    if me is not None:
        ctx["mine"] = [
            selectors.track(actor=me, number=p.number) for p in selectors.member_parcels(actor=me)[:30]
        ]
    return _page(request, "parcels/shop/home.html", ctx, status=422 if "error" in ctx else 200)


@require_GET
def track(request: HttpRequest, number: str) -> HttpResponse:
    me = _member(request)
    try:
        t = selectors.track(actor=me, number=number)
    except DomainError as e:
        ctx = {"me": me, "number": number[:20], "error": error_text(e)}
        return _page(request, "parcels/shop/home.html", ctx, status=e.status)
    return _page(request, "parcels/shop/track.html", {"me": me, "t": t, "events": list(reversed(t.events))})
