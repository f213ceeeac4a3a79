"""A member's bills in the storefront: the accounts they have paid (saved accounts) and every
bill payment made for them, online or in cash at any outlet's counter, a corner shop's included."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from omnipoint.billpay import billers, selectors
from omnipoint.core.errors import DomainError
from omnipoint.members.models import Member
from omnipoint.outlets.domain import MemberActor


def _member(request: HttpRequest) -> MemberActor | None:
    user = request.user
    if not user.is_authenticated:
        return None
    member_id = Member.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
    return MemberActor(user_id=user.pk, member_id=member_id) if member_id else None


def _name(code: str, lang: str) -> str:
    try:
        b = billers.biller_get(code)
    except DomainError:
        return code
    return b.name_en if lang == "en" else b.name


@require_GET
def my_bills(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    if actor is None:
        return redirect("storefront:member_login")
    lang = getattr(request, "LANGUAGE_CODE", "zh-hans")
    payments = list(selectors.member_bills(actor=actor)[:100])
    accounts = selectors.member_accounts(actor=actor)
    names = {p.biller: _name(p.biller, lang) for p in payments}
    return render(
        request,
        "billpay/shop/mine.html",
        {"payments": payments, "accounts": accounts, "names": names, "is_member": True, "q": ""},
    )
