"""Parcels through the REST API (/api/v1/parcels): accept at the counter, pay, the label, scans,
the carrier's signed webhook, tracking by number (anyone), a member's own parcels, collection."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from omnipoint.core.api import ERRORS, ErrorOut
from omnipoint.members.selectors import member_actor, member_for_user
from omnipoint.outlets.domain import Actor, SystemActor
from omnipoint.outlets.selectors import actor_get
from omnipoint.parcels import label, sandbox, selectors, services
from omnipoint.parcels.domain import Dimensions, RateTable
from omnipoint.parcels.models import Parcel
from omnipoint.parcels.schemas import (
    CarrierWebhook,
    ParcelAcceptIn,
    ParcelCollectIn,
    ParcelOut,
    ParcelPayIn,
    ParcelScanIn,
    ParcelScanOut,
    ParcelTrackOut,
    ParcelVoidIn,
    RateTableIn,
    RateTableOut,
    WebhookAckOut,
)

router = Router(tags=["parcels"])


def actor(request: HttpRequest) -> Actor:
    return actor_get(user=request.user)


def parcel_out(p: Parcel) -> dict[str, Any]:
    return {
        **{f: getattr(p, f) for f in ("number", "service", "state", "network", "origin_id", "sender_name",
                                      "sender_mobile", "recipient_name", "recipient_mobile", "weight_g",
                                      "postage", "insurance", "total", "declared_value", "pay_method", "paid_at",
                                      "hold_outlet_id", "collected_at", "created_at")},
        "recipient_region": p.recipient_region.name,
        "chargeable_g": p.quote.get("chargeable_g", p.weight_g),
        "zone": p.quote.get("zone", ""),
        "pay_url": selectors.pay_url(p),
        "events": selectors.timeline(p),
    }  # fmt: skip


@router.post("", response={201: ParcelOut, **ERRORS})
def parcel_accept(request: HttpRequest, payload: ParcelAcceptIn):  # type: ignore[no-untyped-def]
    """Accept a parcel at an outlet's counter: priced by the network's rate table, awaiting
    payment. Over 30 kg is 422 ``over_weight``; a side over 150 cm or length and girth over
    300 cm ``over_size``."""
    a = actor(request)
    parcel = services.parcel_accept(
        actor=a,
        outlet_id=payload.outlet_id,
        sender=services.Party(**payload.sender.dict()),
        recipient=services.Party(**payload.recipient.dict()),
        size=Dimensions(payload.weight_g, payload.length_cm, payload.width_cm, payload.height_cm),
        service=payload.service,
        declared_value=payload.declared_value,
        key=f"u{a.user_id}:{payload.key}" if payload.key else "",
    )
    return 201, parcel_out(parcel)


@router.get("", response={200: list[ParcelOut], **ERRORS})
def parcel_list(request: HttpRequest, outlet_id: int = 0, state: str = ""):  # type: ignore[no-untyped-def]
    """Parcels accepted at or held at outlets in the caller's scope, newest first (at most 100)."""
    qs = selectors.parcels_list(actor=actor(request), outlet_id=outlet_id or None, state=state[:20])
    return [parcel_out(p) for p in qs[:100]]


@router.get("/track", auth=None, response={200: ParcelTrackOut, **ERRORS})
def parcel_track(request: HttpRequest, number: str):  # type: ignore[no-untyped-def]
    """Anyone: where a parcel is, by its tracking number (names and the recipient's mobile
    masked). 422 ``malformed_tracking_number`` for a number that fails its check digit."""
    return selectors.track(actor=None, number=number[:20]).as_json()


@router.get("/me", response={200: list[ParcelTrackOut], **ERRORS})
def parcel_mine(request: HttpRequest):  # type: ignore[no-untyped-def]
    """A signed-in member's parcels, sent or to receive (by their mobile), with the pickup code
    of those waiting for them at an outlet."""
    me = member_actor(member_for_user(user=request.user))
    return [
        selectors.track(actor=me, number=p.number).as_json() for p in selectors.member_parcels(actor=me)[:50]
    ]


def rates_out(t: RateTable) -> dict[str, Any]:
    return {
        "network": t.network, "insurance_per_mille": t.insurance_per_mille, "insurance_min_fen": t.insurance_min_fen,
        "steps": [{"service": s, "zone": z, "first_g": v.first_g, "first_fen": v.first_fen, "step_g": v.step_g,
                   "step_fen": v.step_fen} for (s, z), v in sorted(t.steps.items())],
        "zones": [{"from_province": a, "to_province": b, "zone": z} for (a, b), z in sorted(t.zones.items())],
    }  # fmt: skip


@router.get("/rates", response={200: RateTableOut, **ERRORS})
def rate_table_get(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The network's rate table in force: a price per service and zone (first weight, then each
    further step), the zones set by province pair, insurance on the declared value."""
    return rates_out(selectors.rate_table_for(actor=actor(request)))


@router.put("/rates", response={200: RateTableOut, **ERRORS})
def rate_table_set(request: HttpRequest, payload: RateTableIn):  # type: ignore[no-untyped-def]
    """Set the network's rate table whole (HQ only: it prices every counter; 403 for a region's
    manager). Every service in every zone once; refused whole with 422 ``invalid_rate_table``.
    Parcels already accepted keep their price."""
    table = services.rate_table_set(
        actor=actor(request),
        steps=[(x.service, x.zone, x.first_g, x.first_fen, x.step_g, x.step_fen) for x in payload.steps],
        zones=[(x.from_province, x.to_province, x.zone) for x in payload.zones],
        insurance_per_mille=payload.insurance_per_mille,
        insurance_min_fen=payload.insurance_min_fen,
    )
    return rates_out(table)


@router.post("/collect", response={200: ParcelOut, 429: ErrorOut, **ERRORS})
def parcel_collect(request: HttpRequest, payload: ParcelCollectIn):  # type: ignore[no-untyped-def]
    """Hand a held parcel over by its pickup code at the outlet. A wrong code is 422
    ``wrong_pickup_code`` and counted: past five an hour the parcel is locked (429)."""
    parcel = services.parcel_collect(
        actor=actor(request), outlet_id=payload.outlet_id, number=payload.number, code=payload.code
    )
    return parcel_out(parcel)


WEBHOOK_DOC = {
    "requestBody": {
        "required": True,
        "description": "for the sandbox carrier; other carriers send their own format",
        "content": {"application/json": {"schema": CarrierWebhook.model_json_schema()}},
    },
}


@router.post(
    "/webhooks/{carrier}",
    auth=None,
    response={200: WebhookAckOut, 401: ErrorOut, **ERRORS},
    openapi_extra=WEBHOOK_DOC,
)
def carrier_webhook(request: HttpRequest, carrier: str):  # type: ignore[no-untyped-def]
    """A carrier's tracking events (signed; the sandbox's: hex HMAC-SHA256 of the raw body in
    `X-Carrier-Signature`). Forged is 401; an event seen before is counted, not applied again."""
    counts = services.webhook_receive(
        actor=SystemActor(task="carrier_webhook"),
        carrier=carrier[:40],
        body=request.body,
        headers={sandbox.SIGNATURE_HEADER: request.headers.get(sandbox.SIGNATURE_HEADER, "")},
    )
    return {"code": "SUCCESS", **counts}


@router.get("/{number}", response={200: ParcelOut, **ERRORS})
def parcel_get(request: HttpRequest, number: str):  # type: ignore[no-untyped-def]
    """A parcel accepted at or held at an outlet in the caller's scope."""
    return parcel_out(selectors.parcel_get(actor=actor(request), number=number[:20]))


@router.post("/{number}/pay", response={200: ParcelOut, **ERRORS})
def parcel_pay(request: HttpRequest, number: str, payload: ParcelPayIn):  # type: ignore[no-untyped-def]
    """Take the parcel's payment at the counter: ``cash``, ``wallet`` (the sender's, by their
    mobile) or ``qr`` (the answer's ``pay_url`` is the gateway's page the customer's phone opens;
    sending ``qr`` again asks whether it was paid). Paid, the parcel is accepted."""
    parcel = services.parcel_pay(
        actor=actor(request), number=number[:20], method=payload.method, return_url=payload.return_url
    )
    return parcel_out(parcel)


@router.post("/{number}/void", response={200: ParcelOut, **ERRORS})
def parcel_void(request: HttpRequest, number: str, payload: ParcelVoidIn):  # type: ignore[no-untyped-def]
    """Void a parcel accepted in the caller's scope before it leaves (awaiting payment, or paid
    and not yet dispatched), saying why: its money goes back the way it came (cash is handed
    back; the wallet and the gateway's charge are refunded) and its takings are reversed on the
    ledger. 409 ``parcel_not_voidable`` once it is on its way, ``parcel_voided`` twice."""
    parcel = services.parcel_void(actor=actor(request), number=number[:20], reason=payload.reason)
    return parcel_out(parcel)


LABEL_DOC = {
    "responses": {
        200: {
            "description": "The label",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get("/{number}/label.pdf", response=ERRORS, openapi_extra=LABEL_DOC)
def parcel_label(request: HttpRequest, number: str) -> HttpResponse:
    """The printable label (100 x 150 mm): barcode, addresses, and a QR code of the tracking page.
    409 ``parcel_unpaid`` before the parcel is paid."""
    parcel = selectors.parcel_for_label(actor=actor(request), number=number[:20])
    response = HttpResponse(label.label_pdf(parcel), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{parcel.number}.pdf"'
    return response


@router.post("/{number}/scans", response={201: ParcelScanOut, **ERRORS})
def parcel_scan(request: HttpRequest, number: str, payload: ParcelScanIn):  # type: ignore[no-untyped-def]
    """An outlet in the caller's scope scans a parcel. Arrived: it is held there for collection
    and the recipient gets a text with the pickup code. Late events join the timeline and never
    move the state backwards."""
    done = services.parcel_scan(
        actor=actor(request), outlet_id=payload.outlet_id, number=number[:20], kind=payload.kind,
        occurred_at=payload.occurred_at, scan_id=payload.scan_id,
    )  # fmt: skip
    parcel = Parcel.objects.get(pk=done.event.parcel_id)
    return 201, {"number": parcel.number, "state": parcel.state, "fresh": done.fresh, "moved": done.moved}
