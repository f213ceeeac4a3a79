"""Bill payment through the REST API (/api/v1/bills): the billers, what an account owes, a
payment at an outlet's counter, a payment's state, and the billers' signed callback."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from omnipoint.billpay import billers, sandbox, selectors, services
from omnipoint.billpay.models import BillPayment
from omnipoint.billpay.schemas import (
    BillDueOut,
    BillerAckOut,
    BillerOut,
    BillPayIn,
    BillPaymentOut,
    BillPhoneIn,
    SandboxCallback,
)
from omnipoint.core.api import ERRORS, ErrorOut, explained
from omnipoint.outlets.domain import Actor, SystemActor
from omnipoint.outlets.selectors import actor_get

router = Router(tags=["bills"])


def actor(request: HttpRequest) -> Actor:
    return actor_get(user=request.user)


def payment_out(p: BillPayment) -> dict[str, Any]:
    return {
        **{f: getattr(p, f) for f in BillPaymentOut.model_fields if f not in {"why"}},
        "why": explained([p.why])[0] if p.why else None,
    }


@router.get("/billers", response={200: list[BillerOut], **ERRORS})
def biller_list(request: HttpRequest, city_code: str = ""):  # type: ignore[no-untyped-def]
    """The billers reachable here (of one city when ``city_code``, an adcode, is given)."""
    return [
        {
            "code": b.code, "kind": b.kind, "city_code": b.city_code, "name": b.name, "name_en": b.name_en,
            "account_length": b.account_format.length, "account_prefix": b.account_format.prefix,
        }
        for b in billers.billers_list(city_code=city_code[:6])
    ]  # fmt: skip


class LookupQuery(Schema):
    biller: str
    account: str


@router.get("/lookup", response={200: BillDueOut, **ERRORS})
def bill_lookup(request: HttpRequest, q: Query[LookupQuery]):  # type: ignore[no-untyped-def]
    """What an account (户号) owes now, as its biller says: the holder's name masked."""
    b, due = selectors.bill_lookup(actor=actor(request), biller=q.biller[:40], account=q.account[:64])
    return {**vars(due), "biller": b.code, "biller_name": b.name}


@router.post("/payments", response={201: BillPaymentOut, **ERRORS})
def bill_pay(request: HttpRequest, payload: BillPayIn):  # type: ignore[no-untyped-def]
    """Take a bill payment in cash at an outlet's counter (at an agent outlet, from its float).
    ``amount`` must be what is due. The answer is the payment: ``held`` until the biller
    confirms, ``paid``, or ``reversed`` with the reason in ``why``. Send ``key`` (or an
    Idempotency-Key) so that a retry returns the first payment."""
    a = actor(request)
    payment = services.bill_pay(
        actor=a,
        outlet_id=payload.outlet_id,
        biller=payload.biller,
        account=payload.account,
        amount=payload.amount,
        key=f"u{a.user_id}:{payload.key}" if payload.key else "",
        mobile=payload.mobile,
    )
    return 201, payment_out(payment)


@router.post("/hotline/payments", response={201: BillPaymentOut, **ERRORS})
def bill_pay_by_phone(request: HttpRequest, payload: BillPhoneIn):  # type: ignore[no-untyped-def]
    """The hotline pays a member's bill from their wallet while they are on the line (409
    insufficient_balance when the wallet is short, changing nothing)."""
    a = actor(request)
    payment = services.bill_pay_by_phone(
        actor=a,
        mobile=payload.mobile,
        biller=payload.biller,
        account=payload.account,
        amount=payload.amount,
        key=f"u{a.user_id}:{payload.key}" if payload.key else "",
    )
    return 201, payment_out(payment)


@router.get("/payments/{number}", response={200: BillPaymentOut, **ERRORS})
def payment_get(request: HttpRequest, number: str):  # type: ignore[no-untyped-def]
    """A bill payment at an outlet in the caller's scope, by its number."""
    return payment_out(selectors.payment_get(actor=actor(request), number=number))


CALLBACK_DOC = {
    "requestBody": {
        "required": True,
        "description": "for the sandbox billers; other billers send their own format",
        "content": {"application/json": {"schema": SandboxCallback.model_json_schema()}},
    },
}


@router.post(
    "/callback/{biller}",
    auth=None,
    response={200: BillerAckOut, 401: ErrorOut, **ERRORS},
    openapi_extra=CALLBACK_DOC,
)
def biller_callback(request: HttpRequest, biller: str):  # type: ignore[no-untyped-def]
    """A biller confirms a payment (signed; the sandbox's: hex HMAC-SHA256 of the raw body in
    `X-Biller-Signature`). Forged, stale, replayed or mismatched callbacks are refused."""
    outcome = services.callback_receive(
        actor=SystemActor(task="biller_callback"),
        biller=biller[:40],
        body=request.body,
        headers={sandbox.SIGNATURE_HEADER: request.headers.get(sandbox.SIGNATURE_HEADER, "")},
    )
    return {"code": "SUCCESS", "outcome": outcome}
