"""The storefront's outlet page: the outlets near the customer that take bill payments, nearest
first, each with its stars (星级, recomputed at every month end from its bills and complaints),
its address and hours. Anyone may open it."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from omnipoint.billpay.selectors import bill_outlets_near
from omnipoint.storefront.pages import _location, _page, _region


@require_GET
def outlets(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    lat, lng, from_browser = _location(request, region)
    return _page(
        request,
        "outlets.html",
        {
            "region": region,
            "near": bill_outlets_near(lat=lat, lng=lng),
            "from_browser": from_browser,
            "here": "outlets",
        },
    )
