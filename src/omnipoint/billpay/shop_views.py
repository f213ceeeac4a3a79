"""A member's bills in the storefront: the accounts they have paid (saved accounts) and every
bill payment made for them, online or in cash at any outlet's counter, a corner shop's included."""

import secrets
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from omnipoint.billpay import billers, selectors, services
from omnipoint.billpay.domain import PayState
from omnipoint.billpay.errors import error_text
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


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 19 else 0


def _pay(request: HttpRequest, actor: MemberActor, ctx: dict[str, Any], data: Any) -> HttpResponse:
    """Pay the bill looked up: from the wallet, or online at the gateway's page (``how``)."""
    args = {
        "actor": actor, "biller": ctx["biller"], "account": ctx["account"], "amount": _int(data.get("amount")),
        "key": f"shop:{actor.member_id}:{(data.get('client_key') or '')[:40]}",
    }  # fmt: skip
    mine = reverse("billpay_shop:mine")
    if data.get("how") == "gateway":
        back = request.build_absolute_uri(mine) + "?done={number}"
        payment = services.bill_pay_gateway(**args, return_url=back)
        if payment.state == PayState.AWAITING and payment.pay_url:
            return redirect(payment.pay_url)
    else:
        payment = services.bill_pay_online(**args)
    return redirect(mine + f"?done={payment.number}")


def _back_from_gateway(actor: MemberActor, number: str) -> None:
    """The member back from the gateway's page: it is asked at once, not left to its notice."""
    if number[:1] == "B" and len(number) <= 20:
        try:
            services.bill_gateway_sync(actor=actor, number=number)
        except DomainError:
            pass  # not an online payment of theirs: the page shows what it shows


@require_http_methods(["GET", "POST"])
def my_bills(request: HttpRequest) -> HttpResponse:
    """The member's accounts and bills; a bill looked up (?biller=&account=) and paid from the
    wallet, held until the biller confirms as at the counter."""
    actor = _member(request)
    if actor is None:
        return redirect("storefront:member_login")
    lang = getattr(request, "LANGUAGE_CODE", "zh-hans")
    data = request.POST if request.method == "POST" else request.GET
    ctx: dict[str, Any] = {"is_member": True, "q": "", "billers": billers.billers_list()}
    ctx |= {"biller": (data.get("biller") or "")[:40], "account": (data.get("account") or "")[:64]}
    try:
        if request.method == "POST":
            return _pay(request, actor, ctx, data)
        _back_from_gateway(actor, request.GET.get("done") or "")
        if ctx["biller"] and ctx["account"]:
            b, due = selectors.bill_lookup(actor=actor, biller=ctx["biller"], account=ctx["account"])
            ctx |= {"bill": due, "bill_biller": _name(b.code, lang), "client_key": secrets.token_hex(10)}
    except DomainError as e:
        ctx["error"] = error_text(e)
    payments = list(selectors.member_bills(actor=actor)[:100])
    ctx |= {"payments": payments, "accounts": selectors.member_accounts(actor=actor)}
    ctx["names"] = {p.biller: _name(p.biller, lang) for p in payments}
    ctx["done"] = next((p for p in payments if p.number == request.GET.get("done")), None)
    return render(request, "billpay/shop/mine.html", ctx, status=422 if "error" in ctx else 200)
