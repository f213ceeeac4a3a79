"""Accepting a parcel at the counter, priced by the network's rate table, and keeping that
table (HQ sets it; every counter prices by it)."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from omnipoint.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from omnipoint.members.domain import normalise_mobile
from omnipoint.outlets.domain import Perm, StaffActor
from omnipoint.outlets.models import Level, Region
from omnipoint.parcels import domain
from omnipoint.parcels.domain import Dimensions
from omnipoint.parcels.models import Parcel, RateTable
from omnipoint.parcels.selectors import rate_table_get
from omnipoint.parcels.services._shared import _outlet


@dataclass(frozen=True)
class Party:
    """A sender or a recipient as the counter takes them."""

    name: str
    mobile: str
    address: str
    region_code: str  # the district's six-digit adcode


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value or len(value) > limit or "\x00" in value:
        raise ValidationError(f"{field} is 1..{limit} characters", code="invalid_input", field=field)
    return value


def _party(p: Party, who: str) -> tuple[Party, Region]:
    region = Region.objects.filter(code=(p.region_code or "")[:6], level=Level.DISTRICT).first()
    if region is None:
        raise NotFoundError(f"no district {p.region_code[:6]}", code="region_not_found", party=who)
    clean = Party(
        name=_text(p.name, f"{who}_name", 40),
        mobile=normalise_mobile(p.mobile),
        address=_text(p.address, f"{who}_address", 200),
        region_code=region.code,
    )
    return clean, region


def _replayed(key: str) -> Parcel | None:
    return Parcel.objects.filter(client_key=key).first() if key else None


def parcel_accept(
    *,
    actor: StaffActor,
    outlet_id: int,
    sender: Party,
    recipient: Party,
    size: Dimensions,
    service: str,
    declared_value: int = 0,
    key: str = "",
) -> Parcel:
    """A parcel taken at an outlet's counter, priced, awaiting payment. Over the weight or the
    size limits it is refused (``over_weight``, ``over_size``). A retry with ``key`` returns the
    first parcel."""
    actor.require(Perm.PARCEL)
    if len(key) > 100:
        raise ValidationError("a key is at most 100 characters", code="invalid_key")
    first = _replayed(key)
    if first is not None:
        return first
    if service not in domain.Service.values:
        raise ValidationError("service is standard or express", code="invalid_service")
    outlet = _outlet(actor, outlet_id)
    sender, sender_region = _party(sender, "sender")
    recipient, recipient_region = _party(recipient, "recipient")
    table = rate_table_get(network=settings.PARCEL_NETWORK)
    q = domain.quote(
        table, service=service, origin=outlet.region.code, destination=recipient_region.code,
        size=size, declared_fen=declared_value,
    )  # fmt: skip
    fields = {
        "network": table.network, "service": service,
        "sender_name": sender.name, "sender_mobile": sender.mobile, "sender_address": sender.address,
        "sender_region": sender_region, "recipient_name": recipient.name, "recipient_mobile": recipient.mobile,
        "recipient_address": recipient.address, "recipient_region": recipient_region,
        "weight_g": size.weight_g, "length_cm": size.length_cm, "width_cm": size.width_cm,
        "height_cm": size.height_cm, "declared_value": declared_value, "quote": q.as_json(),
        "postage": q.postage, "insurance": q.insurance, "total": q.total, "origin": outlet,
        "origin_path": outlet.region_path, "clerk_id": actor.staff_id, "client_key": key or None,
    }  # fmt: skip
    for _attempt in range(5):
        number = domain.s10_make(
            domain.SERVICE_PREFIX[domain.Service(service)], secrets.randbelow(10**8), settings.PARCEL_COUNTRY
        )
        try:
            with transaction.atomic():
                return Parcel.objects.create(number=number, **fields)
        except IntegrityError:
            first = _replayed(key)
            if first is not None:
                return first
    raise ConflictError("no free tracking number: try again", code="number_exhausted")


def rate_table_set(
    *,
    actor: StaffActor,
    steps: list[tuple[str, str, int, int, int, int]],
    zones: list[tuple[str, str, str]],
    insurance_per_mille: int,
    insurance_min_fen: int,
) -> domain.RateTable:
    """The network's rate table, set whole at HQ: it prices every counter, so a manager of a
    region may not set it (403). ``steps`` are (service, zone, first grams, first fen, step
    grams, step fen), ``zones`` (from province, to province, zone); each once, checked whole by
    ``domain.rate_table_build``. Parcels keep the price they were accepted at."""
    actor.require(Perm.PRICE_EDIT)
    if not actor.scope.is_hq:
        raise PermissionDeniedError("the network's rates are set at HQ", code="forbidden")
    by_step = {(s, z): (a, b, c, d) for s, z, a, b, c, d in steps}
    by_pair = {(a, b): z for a, b, z in zones}
    if len(by_step) != len(steps) or len(by_pair) != len(zones):
        raise domain.InvalidRateTableError("each service and zone, each pair of provinces, once")
    table = domain.rate_table_build(
        settings.PARCEL_NETWORK, steps=by_step, zones=by_pair, insurance_per_mille=insurance_per_mille,
        insurance_min_fen=insurance_min_fen,
    )  # fmt: skip
    for _attempt in range(2):  # two first saves at once: the unique network decides, the second updates
        try:
            with transaction.atomic():
                RateTable.objects.update_or_create(network=table.network, defaults={"table": table.as_json()})
            break
        except IntegrityError:
            continue
    return table
