"""Which salesperson's showroom sent this customer: kept in the session for a few days after
a visit, so that the orders placed meanwhile credit the salesperson (channel "showroom")."""

from datetime import datetime, timedelta
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from omnipoint.core.channels import Channel
from omnipoint.outlets.domain import Role
from omnipoint.outlets.models import Staff
from omnipoint.showrooms.domain import ATTRIBUTION_DAYS
from omnipoint.showrooms.models import Showroom

SESSION_KEY = "shop_showroom"


def attribution_set(session: SessionBase, showroom: Showroom) -> None:
    until = timezone.now() + timedelta(days=ATTRIBUTION_DAYS)
    session[SESSION_KEY] = {"code": showroom.code, "staff_id": showroom.staff_id, "until": until.isoformat()}


def attribution_get(session: SessionBase) -> dict[str, Any] | None:
    """The showroom visit that still credits orders, if any; a lapsed one is forgotten."""
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, dict):
        return None
    try:
        until = datetime.fromisoformat(str(raw["until"]))
        staff_id = int(raw["staff_id"])
    except (KeyError, TypeError, ValueError):
        session.pop(SESSION_KEY, None)
        return None
    if until <= timezone.now():
        session.pop(SESSION_KEY, None)
        return None
    return {"code": str(raw.get("code", "")), "staff_id": staff_id, "until": until}


def showroom_order_args(session: SessionBase) -> dict[str, Any]:
    """order_place's channel and salesperson for an attributed customer, else nothing. A
    salesperson who left (or changed role) since the visit credits nothing."""
    found = attribution_get(session)
    if found is None:
        return {}
    if not Staff.objects.filter(pk=found["staff_id"], role=Role.SALESPERSON, user__is_active=True).exists():
        session.pop(SESSION_KEY, None)
        return {}
    return {"channel": Channel.SHOWROOM, "salesperson_id": found["staff_id"]}


def showroom_outlet_id(session: SessionBase) -> int | None:
    """The attributed salesperson's outlet ("自提请选择我的门店"), offered first at checkout."""
    args = showroom_order_args(session)
    if not args:
        return None
    outlet_id = Staff.objects.filter(pk=args["salesperson_id"]).values_list("outlet_id", flat=True).first()
    return int(outlet_id) if outlet_id is not None else None
