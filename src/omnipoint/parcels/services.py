"""Writes of parcels: accept one at the counter (priced by the network's rate table), take its
payment (cash, the sender's wallet, the sandbox gateway's QR), record tracking events (an
outlet's scan, a carrier's signed webhook), hold it at an outlet for collection (驿站) with a
pickup code and a text to the recipient, and hand it over by that code.

The guards: a parcel is paid once (``paid_at IS NULL`` compare-and-set); an event is kept once
by its id (a unique insert, so a repeated or racing webhook applies once); the state moves only
forwards (``UPDATE ... WHERE state_rank < rank``), so late events join the timeline and leave the
state alone; a held parcel is collected once (``WHERE state = 'arrived' AND pickup_code = code``).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from omnipoint.core import throttle
from omnipoint.core.errors import ConflictError, InvalidStateError, NotFoundError, ValidationError
from omnipoint.loyalty.services import wallet_capture, wallet_spend
from omnipoint.members.domain import normalise_mobile
from omnipoint.members.selectors import member_find
from omnipoint.members.sms import sms_send
from omnipoint.outlets.domain import Perm, StaffActor, SystemActor, require_platform
from omnipoint.outlets.models import Level, Outlet, Region
from omnipoint.outlets.selectors import scope_q
from omnipoint.parcels import domain
from omnipoint.parcels.carriers import carrier_get
from omnipoint.parcels.domain import RANK, Dimensions, ParcelState, PayMethod
from omnipoint.parcels.models import EventSource, Parcel, ParcelEvent
from omnipoint.parcels.selectors import rate_table_get
from omnipoint.payments import sandbox as gateway
from omnipoint.payments.models import ChargeState
from omnipoint.payments.providers import online_gateway_check

PLATFORM = SystemActor(task="parcels")
MAX_CODE_TRIES = 5


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


def _outlet(actor: StaffActor, outlet_id: int) -> Outlet:
    outlet = Outlet.objects.filter(scope_q(actor.scope), pk=outlet_id, is_active=True).first()
    if outlet is None:
        raise NotFoundError(f"outlet {outlet_id} not found", code="outlet_not_found")
    return outlet


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


# --- payment ---------------------------------------------------------------------------------


def _counter_parcel(actor: StaffActor, number: str) -> Parcel:
    """A parcel accepted at an outlet in the actor's scope."""
    number = domain.s10_normalise(number)
    parcel = Parcel.objects.filter(scope_q(actor.scope, via="origin"), number=number).first()
    if parcel is None:
        raise NotFoundError(f"parcel {number} not found", code="parcel_not_found")
    return parcel


@transaction.atomic
def _paid(parcel_id: int, method: str, ref: str) -> bool:
    """Paid once: the parcel is accepted, its first event recorded. False when it already was."""
    now = timezone.now()
    moved = Parcel.objects.filter(pk=parcel_id, paid_at__isnull=True).update(
        paid_at=now,
        pay_method=method,
        pay_ref=ref,
        state=ParcelState.ACCEPTED,
        state_rank=RANK[ParcelState.ACCEPTED],
    )
    if moved != 1:
        return False
    parcel = Parcel.objects.select_related("origin").get(pk=parcel_id)
    ParcelEvent.objects.create(
        parcel=parcel, event_id=f"accept:{parcel.number}", kind=ParcelState.ACCEPTED, source=EventSource.COUNTER,
        occurred_at=now, outlet=parcel.origin, staff_id=None, moved=True,
    )  # fmt: skip
    return True


def parcel_pay(*, actor: StaffActor, number: str, method: str, return_url: str = "") -> Parcel:
    """The sender pays at the counter: cash in hand, their wallet (they are the member of the
    sender's mobile), or the sandbox gateway's QR code, which they scan and pay on their phone
    (asking again tells whether the gateway has been paid). Paid, the parcel is accepted."""
    actor.require(Perm.PARCEL)
    parcel = _counter_parcel(actor, number)
    if method not in PayMethod.values:
        raise ValidationError("method is cash, wallet or qr", code="invalid_method")
    if parcel.paid_at is not None:
        return parcel
    if method == PayMethod.CASH:
        _paid(parcel.pk, method, "")
    elif method == PayMethod.WALLET:
        _pay_wallet(actor, parcel)
    else:
        _pay_qr(parcel, return_url)
    parcel.refresh_from_db()
    return parcel


@transaction.atomic
def _pay_wallet(actor: StaffActor, parcel: Parcel) -> None:
    member = member_find(mobile=parcel.sender_mobile)
    key = f"parcel:{parcel.number}:wallet"
    wallet_spend(
        actor=actor, member_id=member.pk, amount=parcel.total, key=key, reference=f"parcel:{parcel.number}",
        hold_seconds=600,
    )  # fmt: skip
    if _paid(parcel.pk, PayMethod.WALLET, key):
        wallet_capture(actor=PLATFORM, key=key)
    else:  # paid meanwhile another way: the hold lapses by the ledger's sweep, never captured
        raise ConflictError("the parcel was paid meanwhile", code="parcel_paid")


def _check_return_url(return_url: str) -> str:
    if return_url and (not return_url.startswith("/") or return_url.startswith("//") or "\\" in return_url):
        raise ValidationError("return_url must be a path on this site", code="invalid_return_url")
    return return_url[:200]


def _pay_qr(parcel: Parcel, return_url: str) -> None:
    """A charge at the gateway for the parcel (once), or, when there is one, what became of it."""
    online_gateway_check()
    return_url = _check_return_url(return_url)
    if parcel.pay_method == PayMethod.QR and parcel.pay_ref:
        _qr_settle(parcel)
        return
    charge = gateway.charge_create(
        merchant_ref=parcel.number,
        amount=parcel.total,
        description=f"邮件 {parcel.number}",
        return_url=return_url,
    )
    Parcel.objects.filter(pk=parcel.pk, paid_at__isnull=True).update(
        pay_method=PayMethod.QR, pay_ref=charge.ref
    )


def _qr_settle(parcel: Parcel) -> bool:
    if gateway.charge_status(ref=parcel.pay_ref) == ChargeState.PAID:
        return _paid(parcel.pk, PayMethod.QR, parcel.pay_ref)
    return False


def parcels_settle_qr(*, actor: SystemActor, batch: int = 200) -> int:
    """The sweep: parcels waiting on a QR charge, asked of the gateway. Returns how many it paid."""
    require_platform(actor)
    open_ = Parcel.objects.filter(paid_at__isnull=True, pay_method=PayMethod.QR).exclude(pay_ref="")
    return sum(_qr_settle(p) for p in open_.order_by("pk")[:batch])


# --- tracking events -------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    event: ParcelEvent
    fresh: bool  # False: an event of this id was taken before
    moved: bool  # whether it moved the parcel's state


def _new_code() -> str:
    return f"{secrets.randbelow(10**domain.PICKUP_CODE_DIGITS):0{domain.PICKUP_CODE_DIGITS}d}"


def _move(parcel: Parcel, kind: ParcelState, outlet: Outlet | None) -> bool:
    """Forwards only. Arriving at an outlet holds the parcel there with a fresh pickup code."""
    moving = Parcel.objects.filter(pk=parcel.pk, state_rank__lt=RANK[kind], paid_at__isnull=False)
    if kind != ParcelState.ARRIVED or outlet is None:
        return moving.update(state=kind, state_rank=RANK[kind]) == 1
    for _attempt in range(10):
        try:
            with transaction.atomic():
                return (
                    moving.update(
                        state=kind,
                        state_rank=RANK[kind],
                        hold_outlet=outlet,
                        hold_path=outlet.region_path,
                        pickup_code=_new_code(),
                        notified_at=timezone.now(),
                    )  # fmt: skip
                    == 1
                )
        except IntegrityError:  # that code is in use at this outlet: draw another
            continue
    raise ConflictError("no free pickup code at this outlet", code="pickup_codes_exhausted")


def _apply(
    parcel: Parcel,
    *,
    event_id: str,
    kind: ParcelState,
    occurred_at: datetime,
    source: str,
    outlet: Outlet | None = None,
    place: str = "",
    staff_id: int | None = None,
) -> Applied:
    """One event into the timeline (once by its id) and, when it is ahead of the parcel, its state."""
    if parcel.paid_at is None:
        raise InvalidStateError("the parcel is not paid yet", code="parcel_unpaid")
    try:
        with transaction.atomic():
            event = ParcelEvent.objects.create(
                parcel=parcel, event_id=event_id, kind=kind, source=source, occurred_at=occurred_at,
                outlet=outlet, place=place, staff_id=staff_id,
            )  # fmt: skip
    except IntegrityError:
        first = ParcelEvent.objects.get(event_id=event_id)
        if first.parcel_id != parcel.pk:
            raise ConflictError("this event id names another parcel", code="event_id_reused") from None
        return Applied(first, fresh=False, moved=False)
    moved = _move(parcel, kind, outlet)
    if moved:
        ParcelEvent.objects.filter(pk=event.pk).update(moved=True)
        if kind == ParcelState.ARRIVED:
            transaction.on_commit(lambda: _notify(parcel.pk))
    return Applied(event, fresh=True, moved=moved)


def _notify(parcel_id: int) -> None:
    """The recipient's text: where the parcel waits, and the code that collects it."""
    parcel = Parcel.objects.select_related("hold_outlet").get(pk=parcel_id)
    if parcel.hold_outlet is None or parcel.state != ParcelState.ARRIVED:
        return
    with translation.override("zh-hans"):
        text = gettext("Your parcel %(number)s is waiting at %(outlet)s (%(address)s). Collect it with code %(code)s.") % {
            "number": parcel.number, "outlet": parcel.hold_outlet.name,
            "address": parcel.hold_outlet.address, "code": parcel.pickup_code,
        }  # fmt: skip
    sms_send(mobile=parcel.recipient_mobile, text=text)


def _parcel_by_number(number: str) -> Parcel:
    number = domain.s10_normalise(number)
    parcel = Parcel.objects.filter(number=number).first()
    if parcel is None:
        raise NotFoundError(f"parcel {number} not found", code="parcel_not_found")
    return parcel


@transaction.atomic
def parcel_scan(
    *,
    actor: StaffActor,
    outlet_id: int,
    number: str,
    kind: str,
    occurred_at: datetime | None = None,
    scan_id: str = "",
) -> Applied:
    """An outlet scans a parcel: dispatched, arrived at the outlet (held there for collection),
    out for delivery, delivered. Any parcel may pass through an outlet in the actor's scope.
    ``scan_id`` (the handheld's own) makes a repeated scan the first."""
    actor.require(Perm.PARCEL)
    state = domain.scan_kind(kind)
    outlet = _outlet(actor, outlet_id)
    parcel = _parcel_by_number(number)
    now = timezone.now()
    when = occurred_at or now
    if when > now:
        raise ValidationError("a scan cannot happen in the future", code="invalid_time")
    if len(scan_id) > 60:
        raise ValidationError("a scan id is at most 60 characters", code="invalid_key")
    event_id = f"scan:{outlet.pk}:{scan_id}" if scan_id else f"scan:{secrets.token_hex(12)}"
    return _apply(
        parcel, event_id=event_id, kind=state, occurred_at=when, source=EventSource.SCAN, outlet=outlet,
        staff_id=actor.staff_id,
    )  # fmt: skip


@transaction.atomic
def webhook_receive(
    *, actor: SystemActor, carrier: str, body: bytes, headers: dict[str, str]
) -> dict[str, int]:
    """A carrier's signed webhook of tracking events. Forged, stale or unreadable webhooks, or
    one naming a malformed number or a parcel we do not know, are refused whole and change
    nothing; an event seen before is counted as a duplicate."""
    c = carrier_get(carrier)
    events = c.verify(body, headers)
    counts = {"applied": 0, "moved": 0, "duplicate": 0}
    for e in events:
        parcel = _parcel_by_number(e.number)
        outlet = Outlet.objects.filter(code=e.outlet_code).first() if e.outlet_code else None
        if e.outlet_code and outlet is None:
            raise NotFoundError(f"outlet {e.outlet_code} not found", code="outlet_not_found")
        if not e.event_id:
            raise ValidationError("an event needs its id", code="malformed_webhook")
        done = _apply(
            parcel, event_id=f"{c.code}:{e.event_id}", kind=domain.scan_kind(e.kind), occurred_at=e.occurred_at,
            source=EventSource.CARRIER, outlet=outlet, place=e.place,
        )  # fmt: skip
        counts["applied" if done.fresh else "duplicate"] += 1
        counts["moved"] += int(done.moved)
    return counts


# --- collection (驿站) -----------------------------------------------------------------------


class WrongPickupCodeError(ValidationError):
    code = "wrong_pickup_code"


def parcel_collect(*, actor: StaffActor, outlet_id: int, number: str, code: str) -> Parcel:
    """The recipient collects a parcel held at the outlet by its pickup code (on the handheld).
    A wrong code is refused and counted: past ``parcel_pickup_code``'s limit the parcel is locked
    for the hour (429). Two hand-overs at once give it once."""
    actor.require(Perm.PARCEL)
    outlet = _outlet(actor, outlet_id)
    parcel = _parcel_by_number(number)
    if parcel.hold_outlet_id != outlet.pk or parcel.state not in (ParcelState.ARRIVED, ParcelState.COLLECTED):
        raise InvalidStateError("this parcel is not held at this outlet", code="parcel_not_held")
    if parcel.state == ParcelState.COLLECTED:
        raise ConflictError("this parcel was collected already", code="parcel_collected")
    if not throttle.hit("parcel_pickup_code", parcel.number):
        raise throttle.ThrottledError(
            "too many wrong codes for this parcel: try again later", code="pickup_locked"
        )
    if not domain.pickup_code_ok(code) or not secrets.compare_digest(code, parcel.pickup_code):
        raise WrongPickupCodeError("that is not this parcel's pickup code")
    throttle.forgive("parcel_pickup_code", parcel.number)
    _hand_over(actor, parcel, outlet)
    parcel.refresh_from_db()
    return parcel


@transaction.atomic
def _hand_over(actor: StaffActor, parcel: Parcel, outlet: Outlet) -> None:
    now = timezone.now()
    done = Parcel.objects.filter(
        pk=parcel.pk, state=ParcelState.ARRIVED, hold_outlet=outlet, pickup_code=parcel.pickup_code
    ).update(state=ParcelState.COLLECTED, state_rank=RANK[ParcelState.COLLECTED], collected_at=now)
    if done != 1:
        raise ConflictError("this parcel was collected already", code="parcel_collected")
    ParcelEvent.objects.create(
        parcel=parcel, event_id=f"collect:{parcel.number}", kind=ParcelState.COLLECTED, source=EventSource.SCAN,
        occurred_at=now, outlet=outlet, staff_id=actor.staff_id, moved=True,
    )  # fmt: skip
