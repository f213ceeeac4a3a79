"""Console pages for showrooms: a salesperson's share link, QR, orders and commission; the
salespeople in a manager's scope with their figures. The same selectors as the API."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from omnipoint.core.errors import PermissionDeniedError
from omnipoint.orders import selectors as order_selectors
from omnipoint.outlets.domain import Actor, Role
from omnipoint.showrooms import services
from omnipoint.web.views import console_view


@require_GET
@console_view
def showroom_home(request: HttpRequest, actor: Actor) -> HttpResponse:
    """A salesperson sees their own showroom and sales; a manager, their salespeople."""
    if actor.role == Role.SALESPERSON:
        room = services.showroom_ensure(actor=actor)
        share_url = request.build_absolute_uri(reverse("storefront:showroom", kwargs={"code": room.code}))
        return render(
            request,
            "web/showroom/mine.html",
            {"room": room, "share_url": share_url, "sales": order_selectors.sales_mine(actor=actor)},
        )
    try:
        rows = order_selectors.salesperson_list(actor=actor)
    except PermissionDeniedError:
        raise PermissionDeniedError(
            "this page is for salespeople and their managers", code="forbidden"
        ) from None
    return render(request, "web/showroom/team.html", {"rows": rows})


@require_GET
@console_view
def showroom_staff(request: HttpRequest, actor: Actor, staff_id: int) -> HttpResponse:
    sales = order_selectors.salesperson_sales(actor=actor, staff_id=staff_id)
    return render(request, "web/showroom/detail.html", {"sales": sales})
