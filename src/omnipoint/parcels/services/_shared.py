"""What the parcels services share: the platform actor they post and ask the gateway as, and
a parcel or an outlet found within the acting staff member's scope."""

from omnipoint.core.errors import InvalidStateError, NotFoundError
from omnipoint.outlets.domain import StaffActor, SystemActor
from omnipoint.outlets.models import Outlet
from omnipoint.outlets.selectors import scope_q
from omnipoint.parcels import domain
from omnipoint.parcels.domain import ParcelState
from omnipoint.parcels.models import Parcel

PLATFORM = SystemActor(task="parcels")  # the ledger and the gateway are asked only by the platform


def _outlet(actor: StaffActor, outlet_id: int) -> Outlet:
    outlet = Outlet.objects.filter(scope_q(actor.scope), pk=outlet_id, is_active=True).first()
    if outlet is None:
        raise NotFoundError(f"outlet {outlet_id} not found", code="outlet_not_found")
    return outlet


def _counter_parcel(actor: StaffActor, number: str) -> Parcel:
    """A parcel accepted at an outlet in the actor's scope."""
    number = domain.s10_normalise(number)
    parcel = Parcel.objects.filter(scope_q(actor.scope, via="origin"), number=number).first()
    if parcel is None:
        raise NotFoundError(f"parcel {number} not found", code="parcel_not_found")
    return parcel


def _parcel_by_number(number: str) -> Parcel:
    number = domain.s10_normalise(number)
    parcel = Parcel.objects.filter(number=number).first()
    if parcel is None:
        raise NotFoundError(f"parcel {number} not found", code="parcel_not_found")
    return parcel


def _refused_if_closed(parcel: Parcel) -> None:
    """A voided or expired parcel is paid, voided or scanned no more."""
    if parcel.voided_at is not None:
        code = "parcel_expired" if parcel.state == ParcelState.EXPIRED else "parcel_voided"
        raise InvalidStateError(f"parcel {parcel.number} was {parcel.state}", code=code)
