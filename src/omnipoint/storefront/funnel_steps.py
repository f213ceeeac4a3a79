"""The storefront tells the funnel (``omnipoint.funnel``) when a visitor first reaches a step
on a business day: their first page, their first cart addition, their first order. The day's
steps already counted are kept in the session, so a page view writes nothing after the first."""

from django.http import HttpRequest
from django.utils import timezone

from omnipoint.funnel.domain import BUSINESS_TZ, new_visitor
from omnipoint.funnel.services import funnel_step
from omnipoint.outlets.domain import GUEST

VISITOR_KEY = "shop_visitor"
SEEN_KEY = "shop_funnel"  # step -> the business day it was counted


def note_step(request: HttpRequest, step: str, *, region_path: str) -> None:
    today = timezone.now().astimezone(BUSINESS_TZ).date().isoformat()
    seen = dict(request.session.get(SEEN_KEY) or {})
    if seen.get(step) == today:
        return
    visitor = request.session.get(VISITOR_KEY) or new_visitor()
    request.session[VISITOR_KEY] = visitor
    funnel_step(actor=GUEST, visitor=visitor, step=step, region_path=region_path)
    request.session[SEEN_KEY] = {k: v for k, v in seen.items() if v == today} | {step: today}
