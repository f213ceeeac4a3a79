"""The parties in the staff console: those settled at the manager's node, a new one added
(finance: city manager and up), a party's terms edited and its rates by category set or taken
off. The pages call the same services and selectors as the API."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from omnipoint.core.errors import DomainError
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.settlement import selectors, services
from omnipoint.settlement.domain import Cycle, PartyKind
from omnipoint.settlement.errors import error_text
from omnipoint.settlement.views import MAX_ROWS, console_view

FORM_FIELDS = ("kind", "supplier_id", "outlet_id", "staff_id", "region_code", "rate", "cycle", "name")


def _id(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 19 else None


def _list_context(actor: Actor, form: dict[str, str]) -> dict[str, Any]:
    may_settle = actor.can(Perm.FINANCE_SETTLE)
    return {
        "parties": list(selectors.parties_list(actor=actor)[:MAX_ROWS]),
        "may_settle": may_settle,
        "choices": selectors.party_choices(actor=actor) if may_settle else None,
        "kinds": PartyKind.choices,
        "cycles": Cycle.choices,
        "form": form,
    }


@require_http_methods(["GET", "POST"])
@console_view
def party_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The parties at the manager's node; finance adds one."""
    if request.method == "GET":
        return render(request, "settlement/parties.html", _list_context(actor, {"rate": "0"}))
    form = {k: request.POST.get(k, "")[:120].strip() for k in FORM_FIELDS}
    kind = form["kind"]
    try:
        added = services.party_create(
            actor=actor,
            kind=kind,
            supplier_id=_id(form["supplier_id"]) if kind == PartyKind.SUPPLIER else None,
            outlet_id=_id(form["outlet_id"]) if kind in (PartyKind.FRANCHISE, PartyKind.AGENT) else None,
            staff_id=_id(form["staff_id"]) if kind == PartyKind.SALESPERSON else None,
            region_code=form["region_code"][:6] if kind == PartyKind.SUPPLIER else "",
            rate=form["rate"] or "0",
            cycle=form["cycle"],
            name=form["name"],
        )
    except DomainError as e:
        ctx = _list_context(actor, form) | {"error": error_text(e)}
        return render(request, "settlement/parties.html", ctx, status=e.status)
    if added.created:
        messages.success(request, _("The party is added."))
    else:
        messages.info(request, _("This party was there already."))
    return redirect("settlement:party", party_id=added.party.pk)


def _party_context(actor: Actor, party_id: int) -> dict[str, Any]:
    party = selectors.party_get(actor=actor, party_id=party_id)
    may_settle = actor.can(Perm.FINANCE_SETTLE)
    return {
        "party": party,
        "rates": list(selectors.party_rates(party=party)),
        "rated": party.kind in (PartyKind.SUPPLIER, PartyKind.FRANCHISE),
        "may_settle": may_settle,
        "categories": selectors.party_choices(actor=actor).categories if may_settle else [],
        "cycles": Cycle.choices,
    }


def _act(request: HttpRequest, actor: Actor, party_id: int) -> str:
    """The posted change, made; returns what to tell the reader."""
    action, post = request.POST.get("action", ""), request.POST
    if action == "rate":
        services.party_rate_set(
            actor=actor, party_id=party_id, category_id=_id(post.get("category_id", "")) or 0,
            rate=post.get("rate", "")[:12],
        )  # fmt: skip
        return _("The category's rate is set.")
    if action == "unrate":
        services.party_rate_remove(
            actor=actor, party_id=party_id, category_id=_id(post.get("category_id", "")) or 0
        )
        return _("The category's rate is taken off.")
    party = selectors.party_get(actor=actor, party_id=party_id)
    rated = party.kind in (PartyKind.SUPPLIER, PartyKind.FRANCHISE)
    services.party_edit(
        actor=actor, party_id=party_id, name=post.get("name", "")[:200],
        rate=post.get("rate", "")[:12] if rated else None, cycle=post.get("cycle", "")[:12],
        is_active=post.get("is_active") == "on",
    )  # fmt: skip
    return _("The party's terms are saved.")


@require_http_methods(["GET", "POST"])
@console_view
def party_detail(request: HttpRequest, actor: Actor, party_id: int) -> HttpResponse:
    """A party's terms and its rates by category; finance edits them."""
    ctx = _party_context(actor, party_id)
    if request.method == "GET":
        return render(request, "settlement/party.html", ctx)
    try:
        done = _act(request, actor, party_id)
    except DomainError as e:
        ctx = _party_context(actor, party_id) | {"error": error_text(e)}
        return render(request, "settlement/party.html", ctx, status=e.status)
    messages.success(request, done)
    return redirect("settlement:party", party_id=party_id)
