"""The identity pages: the console's verification desk (find a member, verify at the counter,
the verifications of one's area, revoke), HQ's partners and look-up audit, and the member's own
page on the storefront (the badge, and which partners may ask)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from omnipoint.core.errors import DomainError
from omnipoint.identity import selectors, services
from omnipoint.identity.models import RevokeReason
from omnipoint.identity.texts import error_text
from omnipoint.members.domain import normalise_mobile
from omnipoint.members.models import Member
from omnipoint.members.selectors import member_actor, member_for_user_or_none
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.selectors import actor_get, outlet_list

View = Callable[..., HttpResponse]


def staff_page(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, actor_get(user=request.user), *args, **kwargs)
        except DomainError as e:
            return render(request, "web/error.html", {"error": error_text(e)}, status=e.status)

    return wrapper


def _found(actor: Actor, mobile: str) -> tuple[Member | None, Any, str]:
    """The member with ``mobile`` and their live verification (the look-up is audited)."""
    if not mobile:
        return None, None, ""
    try:
        member = Member.objects.filter(mobile=normalise_mobile(mobile)).first()
    except DomainError as e:
        return None, None, error_text(e)
    if member is None:
        return None, None, _("No member has this mobile number.")
    return member, services.member_verification_open(actor=actor, member_id=member.pk), ""


@require_http_methods(["GET", "POST"])
@staff_page
def desk(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.IDENTITY_VERIFY)
    if request.method == "POST":
        return _verify(request, actor)
    mobile = request.GET.get("mobile", "").strip()[:20]
    member, live, error = _found(actor, mobile)
    return render(
        request,
        "identity/desk.html",
        {
            "mobile": mobile, "member": member, "live": live, "error": error,
            "outlets": [] if actor.scope.outlet_id else list(outlet_list(actor=actor, active_only=True)[:200]),
            "rows": list(selectors.verification_list(actor=actor)[:50]),
            "reasons": RevokeReason.choices, "can_revoke": actor.can(Perm.IDENTITY_REVOKE),
        },
    )  # fmt: skip


def _int(raw: str | None) -> int | None:
    text = (raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def _verify(request: HttpRequest, actor: Actor) -> HttpResponse:
    member = Member.objects.filter(pk=_int(request.POST.get("member")) or 0).first()
    back = f"{request.path}?mobile={member.mobile if member else ''}"
    try:
        services.verification_record(
            actor=actor, member_id=member.pk if member else 0, name=request.POST.get("name", ""),
            number=request.POST.get("number", ""), document_matches=request.POST.get("matches") == "on",
            outlet_id=_int(request.POST.get("outlet")),
        )  # fmt: skip
    except DomainError as e:
        messages.error(request, error_text(e))
        return redirect(back)
    messages.success(request, _("Verified."))
    return redirect(back)


@require_POST
@staff_page
def revoke(request: HttpRequest, actor: Actor, verification_id: int) -> HttpResponse:
    try:
        services.verification_revoke(
            actor=actor, verification_id=verification_id, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Verification revoked."))
    except DomainError as e:
        messages.error(request, error_text(e))
    return redirect("identity:desk")


@require_http_methods(["GET", "POST"])
@staff_page
def partners(request: HttpRequest, actor: Actor) -> HttpResponse:
    """HQ's partner systems (a new one's token shown once, on this answer only) and the audit of
    every question asked of members' verifications."""
    token, error = "", ""
    if request.method == "POST":
        try:
            token = services.partner_create(actor=actor, name=request.POST.get("name", ""))[1]
        except DomainError as e:
            error = error_text(e)
    return render(
        request,
        "identity/partners.html",
        {
            "partners": list(selectors.partner_list(actor=actor)), "lookups": selectors.lookup_list(actor=actor),
            "token": token, "error": error,
        },
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    """The member's badge and their leave to each partner (given or withdrawn here)."""
    member = member_for_user_or_none(user=request.user)
    if member is None:
        return redirect("storefront:member_login")
    if request.method == "POST":
        actor, code = member_actor(member), request.POST.get("partner", "")[:40]
        try:
            if request.POST.get("action") == "withdraw":
                services.consent_withdraw(actor=actor, partner_code=code)
            else:
                services.consent_grant(actor=actor, partner_code=code)
        except DomainError as e:
            messages.error(request, error_text(e))
        return redirect("identity_shop:mine")
    context = {
        "badge": selectors.badge_for_member(member_id=member.pk),
        "consents": selectors.consent_list(member_id=member.pk),
        "is_member": True, "q": "",
    }  # fmt: skip
    return render(request, "identity/shop/mine.html", context)
