"""The carrier interface: a carrier that moves our parcels between outlets tells us where they
are by signed webhooks. An adapter checks a webhook's signature and reads it into events; the
registry holds the carriers this deployment hears from. Only the sandbox carrier ships with the
project (``parcels.sandbox``, taken only when ``SANDBOX_CARRIER`` is on); a real carrier is one
more class with the same methods."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.conf import settings

from omnipoint.core.errors import DomainError, NotFoundError


class BadSignatureError(DomainError):
    code = "bad_signature"
    status = 401


@dataclass(frozen=True)
class CarrierEvent:
    """What a verified webhook says happened to one parcel."""

    event_id: str  # the carrier's own id: an event is taken once
    number: str  # the tracking number, as the carrier sent it (checked by the service)
    kind: str  # one of domain.SCAN_KINDS
    occurred_at: datetime
    outlet_code: str = ""  # the outlet it reached, for "arrived"
    place: str = ""


class Carrier(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def signature_header(self) -> str: ...

    def verify(self, body: bytes, headers: Mapping[str, str]) -> list[CarrierEvent]:
        """Check the signature and read the events; raises BadSignatureError when forged, a
        ValidationError when unreadable."""
        ...


_CARRIERS: dict[str, Carrier] = {}


def register(carrier: Carrier) -> None:
    _CARRIERS[carrier.code] = carrier


def carrier_get(code: str) -> Carrier:
    carrier = _CARRIERS.get(code)
    if carrier is None or (carrier.code.startswith("sbx") and not settings.SANDBOX_CARRIER):
        raise NotFoundError(f"carrier {code[:40]} not found", code="carrier_not_found")
    return carrier
