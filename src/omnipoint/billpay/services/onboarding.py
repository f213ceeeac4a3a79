"""Onboarding a new agent outlet in one step, as the API offers it: the outlet opened in a
district (its kind and what it offers at the counter), enrolled for bill payment with its
rebate schedule, and its opening float deposited. The console does the same in two forms
(enrol an existing outlet, then fund it)."""

from dataclasses import dataclass

from django.db import transaction

from omnipoint.billpay.domain import PayMode, RebateSchedule
from omnipoint.billpay.models import BillOutlet
from omnipoint.billpay.services.paying import float_fund, outlet_enrol
from omnipoint.core.errors import InvalidStateError
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.models import OutletKind
from omnipoint.outlets.services import outlet_create


@dataclass(frozen=True)
class NewOutlet:
    """The outlet to open: a corner shop, kiosk or lottery point is an agent point."""

    code: str
    name: str
    region_code: str  # its district's adcode
    lat: float
    lng: float
    kind: str = OutletKind.AGENT_POINT
    address: str = ""
    opening_hours: str = "09:00-21:00"
    sells_at_counter: bool = False  # an agent sells nothing of ours unless it says so
    pickup_point: bool = False


@transaction.atomic
def agent_onboard(
    *, actor: Actor, outlet: NewOutlet, schedule: RebateSchedule | None = None, opening_float: int = 0
) -> BillOutlet:
    """Open the outlet, enrol it (an agent point from its float with ``schedule``, the default
    if none; any other kind in cash at its counter) and deposit ``opening_float`` fen into an
    agent's float. Refused whole: a bad schedule or float leaves no outlet behind."""
    actor.require(Perm.OUTLET_EDIT)
    new = outlet_create(
        actor=actor, code=outlet.code, name=outlet.name, kind=outlet.kind, region_code=outlet.region_code,
        lat=outlet.lat, lng=outlet.lng, address=outlet.address, opening_hours=outlet.opening_hours,
        sells_at_counter=outlet.sells_at_counter, pickup_point=outlet.pickup_point,
    )  # fmt: skip
    point = outlet_enrol(actor=actor, outlet_id=new.pk, schedule=schedule)
    if opening_float:
        if point.mode != PayMode.AGENT_FLOAT:
            raise InvalidStateError("only an agent outlet holds a float", code="not_an_agent")
        float_fund(actor=actor, outlet_id=new.pk, amount=opening_float, key="opening")
    return point
