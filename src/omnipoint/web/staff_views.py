"""The console's staff pages: a manager adds staff and assigns roles at or under their node.

As in views.py: the view parses the form, makes one service call (outlets.services, which
checks the node and the role against the manager) and renders; a refusal re-renders the form
with the error's status and changes nothing.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from omnipoint.core.errors import DomainError, NotFoundError
from omnipoint.outlets import services
from omnipoint.outlets.domain import ROLE_NODE, Actor, Perm, Role, may_grant
from omnipoint.outlets.selectors import staff_list
from omnipoint.web.views import _int_or_none, _my_outlets, _refused, console_view


def _form(actor: Actor, post: Any, staff: Any = None) -> dict[str, Any]:
    """The fields as posted (or as the staff member holds them), and the choices this manager has."""
    post = post or {}
    if staff is not None and not post:
        post = {
            "role": staff.role,
            "region": staff.region.code if staff.region else "",
            "outlet": str(staff.outlet_id or ""),
        }
    roles = [(r, label) for r, label in Role.choices if may_grant(actor.role, r)]
    return {
        "roles": [(r, label, ROLE_NODE[r] or "hq") for r, label in roles],
        "outlets": _my_outlets(actor),
        "form": {
            "username": post.get("username", "").strip()[:150],
            "display_name": post.get("display_name", "").strip()[:60],
            "role": post.get("role", Role.OUTLET_CLERK),
            "region": post.get("region", "").strip()[:6],
            "outlet": _int_or_none(post.get("outlet")) or actor.scope.outlet_id,
        },
    }


def _node_args(form: dict[str, Any]) -> dict[str, Any]:
    node = ROLE_NODE.get(form["role"])
    return {
        "region_code": form["region"] if node not in (None, "outlet") else "",
        "outlet_id": form["outlet"] if node == "outlet" else None,
    }


@console_view
def staff_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The staff at and under my node, and a form to add one."""
    actor.require(Perm.STAFF_MANAGE)
    ctx = {"staff_rows": list(staff_list(actor=actor)[:200])} | _form(
        actor, request.POST if request.method == "POST" else None
    )
    if request.method != "POST":
        return render(request, "web/staff/list.html", ctx)
    form = ctx["form"]
    try:
        added = services.staff_add(
            actor=actor,
            username=form["username"],
            password=request.POST.get("password", ""),
            display_name=form["display_name"],
            role=form["role"],
            **_node_args(form),
        )
    except DomainError as e:
        if e.status == 403 and e.code == "forbidden":
            raise
        return _refused(request, "web/staff/list.html", ctx, e)
    messages.success(request, _("%(name)s added.") % {"name": added.display_name})
    return redirect("web:staff")


@console_view
def staff_detail(request: HttpRequest, actor: Actor, staff_id: int) -> HttpResponse:
    """One staff member of my node: move them to another role or node (no higher than mine)."""
    staff = staff_list(actor=actor).filter(pk=staff_id).first()
    if staff is None:
        raise NotFoundError(f"staff {staff_id} not found", code="staff_not_found")
    ctx = {"member": staff} | _form(actor, request.POST if request.method == "POST" else None, staff)
    if request.method != "POST":
        return render(request, "web/staff/detail.html", ctx)
    form = ctx["form"]
    try:
        staff = services.staff_assign(actor=actor, staff_id=staff.pk, role=form["role"], **_node_args(form))
    except DomainError as e:
        return _refused(request, "web/staff/detail.html", ctx, e)
    messages.success(
        request,
        _("%(name)s is now %(role)s.") % {"name": staff.display_name, "role": staff.get_role_display()},
    )
    return redirect("web:staff")
