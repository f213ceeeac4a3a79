"""Console pages for members, scoped like the API: at the counter a clerk looks a member up by
mobile or card code and sees what serving needs (name, masked mobile, tier, points and wallet
available) and can top the wallet up for cash; region managers and HQ also see the activity of
members whose orders touch their region."""

import secrets

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from omnipoint.core.errors import DomainError, ValidationError
from omnipoint.loyalty import services as loyalty
from omnipoint.loyalty.models import TopupPackage
from omnipoint.loyalty.selectors import member_for_counter
from omnipoint.members.domain import sees_member_activity
from omnipoint.orders import selectors as order_selectors
from omnipoint.outlets.domain import Actor
from omnipoint.web.errors import error_text
from omnipoint.web.views import console_view


def _regional(actor: Actor) -> bool:
    return sees_member_activity(outlet_scoped=actor.scope.outlet_id is not None)


@require_GET
@console_view
def member_lookup(request: HttpRequest, actor: Actor) -> HttpResponse:
    mobile = request.GET.get("mobile", "").strip()[:20]
    card = request.GET.get("card", "").strip()[:20]
    context: dict[str, object] = {
        "mobile": mobile,
        "card": card,
        "packages": TopupPackage.objects.filter(is_active=True).order_by("pay_amount"),
        "regional": _regional(actor),
        "client_key": secrets.token_hex(8),
    }
    if _regional(actor):
        context["members"] = order_selectors.members_in_scope(actor=actor, limit=30)
    status = 200
    if mobile or card:
        try:
            found = member_for_counter(actor=actor, mobile=mobile, card=card)
            context["found"], context["wallet_yuan"] = found, f"{found.wallet / 100:.2f}"
        except DomainError as e:
            context["error"], status = error_text(e), e.status
    return render(request, "web/members/lookup.html", context, status=status)


@require_POST
@console_view
def member_topup(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Cash at the counter for a top-up package; the till's key makes a double click harmless."""
    p = request.POST
    member_id, package_id = p.get("member_id", ""), p.get("package_id", "")
    outlet_id = actor.scope.outlet_id or (int(p["outlet_id"]) if p.get("outlet_id", "").isdigit() else None)
    try:
        if not (member_id.isdigit() and package_id.isdigit()) or outlet_id is None:
            raise ValidationError(gettext("Choose a member, a package and an outlet."), code="invalid_input")
        loyalty.wallet_topup_at_counter(
            actor=actor,
            member_id=int(member_id),
            outlet_id=outlet_id,
            client_key=p.get("client_key", "")[:64],
            package_id=int(package_id),
        )
    except DomainError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, gettext("Topped up."))
    card = p.get("card", "")[:20]
    return redirect(f"{request.path.rsplit('topup/', 1)[0]}?card={card}")


@require_GET
@console_view
def member_activity(request: HttpRequest, actor: Actor, member_id: int) -> HttpResponse:
    act = order_selectors.member_activity(actor=actor, member_id=member_id)
    return render(request, "web/members/activity.html", {"act": act})
